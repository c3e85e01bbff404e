# Loading the binding (SsisNative.dll, else SsisNative.cs through Add-Type) and finding and
# loading libssis_service (the native library) by absolute path.
# Order (documented in about_SsisService): $env:SSIS_SERVICE_LIB, the module's
# runtimes/<rid>/native/ folder, beside the module, then the system search path.

# Exports this module needs beyond those of the first ABI 1 library (checked at import).
$script:SsisRequiredExports = @('ssis_config_patch', 'ssis_set_config_patch', 'ssis_resolve_packages')

function Get-SsisRuntimeId {
    # The .NET runtime identifier of this process: win-x64, linux-arm64, osx-x64, ...
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $os = 'win'
    if ($PSVersionTable.PSEdition -eq 'Core') {
        if ($IsLinux) { $os = 'linux' }
        elseif ($IsMacOS) { $os = 'osx' }
    }
    $arch = $null
    $runtimeInformation = 'System.Runtime.InteropServices.RuntimeInformation' -as [type]
    if ($null -ne $runtimeInformation) {
        $arch = $runtimeInformation::ProcessArchitecture.ToString().ToLowerInvariant()
    }
    elseif ([Environment]::Is64BitProcess) {
        $arch = 'x64'
        if ($env:PROCESSOR_ARCHITECTURE -eq 'ARM64') { $arch = 'arm64' }
    }
    else {
        $arch = 'x86'
    }
    return '{0}-{1}' -f $os, $arch
}

function Get-SsisLibraryFileName {
    # ssis_service.dll, libssis_service.so or libssis_service.dylib.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string]$RuntimeId)
    if ($RuntimeId.StartsWith('win-')) { return 'ssis_service.dll' }
    if ($RuntimeId.StartsWith('osx-')) { return 'libssis_service.dylib' }
    return 'libssis_service.so'
}

function Get-SsisLibraryCandidate {
    # The places to load the library from, in order: Source (why) and Path (absolute, or
    # the bare file name for the system search path).
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][string]$ModuleRoot,
        [Parameter(Mandatory)][string]$RuntimeId,
        [Parameter(Mandatory)][string]$FileName,
        [AllowEmptyString()][string]$Override
    )
    if ($Override) {
        $path = $Override
        if (Test-Path -LiteralPath $Override -PathType Container) {
            $path = Join-Path $Override $FileName
        }
        [pscustomobject]@{ Source = '$env:SSIS_SERVICE_LIB'; Path = $path }
    }
    [pscustomobject]@{ Source = 'module runtimes folder'; Path = Join-Path (Join-Path (Join-Path (Join-Path $ModuleRoot 'runtimes') $RuntimeId) 'native') $FileName }
    [pscustomobject]@{ Source = 'beside the module'; Path = Join-Path $ModuleRoot $FileName }
    [pscustomobject]@{ Source = 'system search path'; Path = $FileName }
}

function Import-SsisBinding {
    # Loads the P/Invoke binding (the SsisService.SsisNative types) once per process: the
    # compiled SsisNative.dll shipped beside the module when present (no compiler at import,
    # and loadable where Add-Type is refused, Constrained Language Mode: through Import-Module),
    # else SsisNative.cs compiled by Add-Type (a source checkout). A binding already loaded by
    # an older module version (without the functions this one calls) is an error naming the
    # fix: a new PowerShell session.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string]$ModuleRoot)
    $loaded = 'SsisService.SsisNative' -as [type]
    if ($null -ne $loaded) {
        if ($null -eq $loaded.GetMethod('SetConfigPatch') -or $null -eq ('SsisService.NativeLoader' -as [type])) {
            throw ("This PowerShell session has an older SsisService binding loaded ({0}); .NET cannot unload it. Start a new PowerShell session and import the module again." -f $loaded.Assembly.Location)
        }
        return 'already loaded'
    }
    $dll = Join-Path $ModuleRoot 'SsisNative.dll'
    if (Test-Path -LiteralPath $dll -PathType Leaf) {
        if ($ExecutionContext.SessionState.LanguageMode -eq 'FullLanguage') {
            Add-Type -Path $dll
        }
        else {
            Import-Module -Name $dll
        }
        return $dll
    }
    Add-Type -Path (Join-Path $ModuleRoot 'SsisNative.cs')
    return (Join-Path $ModuleRoot 'SsisNative.cs')
}

function Import-SsisNativeLibrary {
    # Loads the binding (Import-SsisBinding), loads the library from the first candidate that
    # loads, checks ssis_abi_version, and returns what was loaded. Throws one error that lists
    # every place tried when nothing fits. Importing the module again (after fixing what the
    # error said) tries again: the resolver hands out the newly loaded library.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)][string]$ModuleRoot)

    $binding = Import-SsisBinding -ModuleRoot $ModuleRoot
    $core = [SsisService.NativeLoader]::HasNativeLibrary

    $runtimeId = Get-SsisRuntimeId
    $fileName = Get-SsisLibraryFileName -RuntimeId $runtimeId
    $tried = New-Object System.Collections.Generic.List[string]
    $candidates = Get-SsisLibraryCandidate -ModuleRoot $ModuleRoot -RuntimeId $runtimeId -FileName $fileName -Override $env:SSIS_SERVICE_LIB
    $loaded = $null
    $abi = $null
    $version = $null
    foreach ($candidate in $candidates) {
        $isBareName = $candidate.Path -eq $fileName
        if (-not $isBareName -and -not (Test-Path -LiteralPath $candidate.Path -PathType Leaf)) {
            $tried.Add(('{0} ({1}): not found' -f $candidate.Path, $candidate.Source))
            continue
        }
        if (-not $core -and [System.IO.Path]::GetFileName($candidate.Path) -ne 'ssis_service.dll') {
            # .NET Framework resolves DllImport("ssis_service") by the module's base name.
            $tried.Add(("{0} ({1}): Windows PowerShell 5.1 can use the library only under the file name 'ssis_service.dll'; rename or copy it" -f $candidate.Path, $candidate.Source))
            continue
        }
        try {
            # NativeLibrary.Load (PowerShell 7) or LoadLibraryW (5.1: the preload DllImport finds).
            $handle = [SsisService.NativeLoader]::Load($candidate.Path)
        }
        catch {
            $tried.Add(('{0} ({1}): {2}' -f $candidate.Path, $candidate.Source, $_.Exception.Message))
            continue
        }
        # The ABI check calls the candidate through its export, not through DllImport: a
        # mismatch leaves no P/Invoke stub bound to it, so the next candidate (or a new import
        # after the library is replaced) can still be used.
        try {
            $abi = [SsisService.NativeLoader]::AbiVersionOf($handle)
            $version = [SsisService.NativeLoader]::VersionOf($handle)
        }
        catch {
            $tried.Add(('{0} ({1}): loaded, but ssis_abi_version failed: {2}' -f $candidate.Path, $candidate.Source, $_.Exception.Message))
            continue
        }
        if ($abi -ne [SsisService.SsisNative]::ExpectedAbiVersion) {
            $tried.Add(('{0} ({1}): loaded, but it has ABI version {2} and this module needs {3} (library version {4})' -f $candidate.Path, $candidate.Source, $abi, [SsisService.SsisNative]::ExpectedAbiVersion, $version))
            continue
        }
        # Functions added within ABI version 1 that this module calls: a library built before
        # them is too old, which is better said now than at the first Set-SsisServiceConfig.
        $missing = @(foreach ($export in $script:SsisRequiredExports) {
                try { [void][SsisService.NativeLoader]::GetExport($handle, $export) } catch { $export }
            })
        if ($missing.Count -gt 0) {
            $tried.Add(('{0} ({1}): loaded, but this library (version {2}) is older than the module: it lacks {3}' -f $candidate.Path, $candidate.Source, $version, ($missing -join ', ')))
            continue
        }
        if ($core) { [void][SsisService.NativeLoader]::UseLibrary($handle) }
        $loaded = $candidate
        break
    }

    if ($null -eq $loaded) {
        $again = 'then import the module again (Import-Module SsisService -Force).'
        if (-not $core) { $again = 'then start a new Windows PowerShell session (a library once loaded stays loaded under its name) and import the module.' }
        $message = "SsisService cannot load its native library '{0}' for {1}. Tried, in order:{2}    {3}{2}Build it (cargo build --release) and assemble the module with powershell/build.ps1, or set `$env:SSIS_SERVICE_LIB to the library's full path; {4}" -f $fileName, $runtimeId, [Environment]::NewLine, ($tried -join ([Environment]::NewLine + '    ')), $again
        $exception = New-Object System.IO.FileNotFoundException($message, $fileName)
        $record = New-Object System.Management.Automation.ErrorRecord($exception, 'Ssis.LibraryNotLoaded', [System.Management.Automation.ErrorCategory]::ResourceUnavailable, $fileName)
        throw $record
    }
    [pscustomobject]@{
        PSTypeName = 'SsisService.Library'
        Binding    = $binding
        Path       = $loaded.Path
        Source     = $loaded.Source
        RuntimeId  = $runtimeId
        Version    = $version
        AbiVersion = $abi
    }
}
