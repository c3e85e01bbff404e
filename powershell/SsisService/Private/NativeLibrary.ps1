# Finding and loading libssis_service (the native library) by absolute path.
# Order (documented in about_SsisService): $env:SSIS_SERVICE_LIB, the module's
# runtimes/<rid>/native/ folder, beside the module, then the system search path.

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

function Import-SsisNativeLibrary {
    # Compiles SsisNative.cs (once per process), loads the library from the first candidate
    # that loads, checks ssis_abi_version, and returns what was loaded. Throws one error that
    # lists every place tried when nothing fits.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)][string]$ModuleRoot)

    if (-not ('SsisService.SsisNative' -as [type])) {
        Add-Type -Path (Join-Path $ModuleRoot 'SsisNative.cs')
    }
    $core = $PSVersionTable.PSEdition -eq 'Core'
    if ($core) {
        if (-not ('SsisService.Loader.NativeResolver' -as [type])) {
            Add-Type -Path (Join-Path (Join-Path $ModuleRoot 'Private') 'NativeResolver.cs')
        }
    }
    elseif (-not ('SsisService.Loader.Kernel32' -as [type])) {
        Add-Type -Namespace 'SsisService.Loader' -Name 'Kernel32' -MemberDefinition @'
[DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true, ExactSpelling = true)]
public static extern IntPtr LoadLibraryW(string lpLibFileName);
'@
    }

    $runtimeId = Get-SsisRuntimeId
    $fileName = Get-SsisLibraryFileName -RuntimeId $runtimeId
    $tried = New-Object System.Collections.Generic.List[string]
    $candidates = Get-SsisLibraryCandidate -ModuleRoot $ModuleRoot -RuntimeId $runtimeId -FileName $fileName -Override $env:SSIS_SERVICE_LIB
    $loaded = $null
    foreach ($candidate in $candidates) {
        $isBareName = $candidate.Path -eq $fileName
        if (-not $isBareName -and -not (Test-Path -LiteralPath $candidate.Path -PathType Leaf)) {
            $tried.Add(('{0} ({1}): not found' -f $candidate.Path, $candidate.Source))
            continue
        }
        try {
            if ($core) {
                $handle = [System.Runtime.InteropServices.NativeLibrary]::Load($candidate.Path)
                [SsisService.Loader.NativeResolver]::Register([SsisService.SsisNative].Assembly, $handle)
            }
            else {
                $handle = [SsisService.Loader.Kernel32]::LoadLibraryW($candidate.Path)
                if ($handle -eq [IntPtr]::Zero) {
                    $code = [System.Runtime.InteropServices.Marshal]::GetLastWin32Error()
                    throw (New-Object System.ComponentModel.Win32Exception($code)).Message
                }
            }
            $loaded = $candidate
            break
        }
        catch {
            $tried.Add(('{0} ({1}): {2}' -f $candidate.Path, $candidate.Source, $_.Exception.Message))
        }
    }

    $abi = $null
    $version = $null
    $problem = $null
    if ($null -ne $loaded) {
        try {
            $abi = [SsisService.SsisNative]::AbiVersion()
            $version = [SsisService.SsisNative]::Version()
            if ($abi -ne [SsisService.SsisNative]::ExpectedAbiVersion) {
                $problem = 'ABI version {0}, but this module needs {1} (library version {2})' -f $abi, [SsisService.SsisNative]::ExpectedAbiVersion, $version
            }
        }
        catch {
            $problem = 'ssis_abi_version failed: {0}' -f $_.Exception.Message
        }
        if ($problem) {
            $tried.Add(('{0} ({1}): loaded, but {2}' -f $loaded.Path, $loaded.Source, $problem))
        }
    }
    if ($null -eq $loaded -or $problem) {
        $message = "SsisService cannot load its native library '{0}' for {1}. Tried, in order:{2}    {3}{2}Build it (cargo build --release) and assemble the module with powershell/build.ps1, or set `$env:SSIS_SERVICE_LIB to the library's full path." -f $fileName, $runtimeId, [Environment]::NewLine, ($tried -join ([Environment]::NewLine + '    '))
        $exception = New-Object System.IO.FileNotFoundException($message, $fileName)
        $record = New-Object System.Management.Automation.ErrorRecord($exception, 'Ssis.LibraryNotLoaded', [System.Management.Automation.ErrorCategory]::ResourceUnavailable, $fileName)
        throw $record
    }
    [pscustomobject]@{
        PSTypeName = 'SsisService.Library'
        Path       = $loaded.Path
        Source     = $loaded.Source
        RuntimeId  = $runtimeId
        Version    = $version
        AbiVersion = $abi
    }
}
