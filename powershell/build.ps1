<#
.SYNOPSIS
Assembles a ready-to-import SsisService module folder with the native library.

.DESCRIPTION
Builds libssis_service with cargo (unless -NoBuild or -LibraryPath), then copies the module
(powershell/SsisService) to -OutputPath and the library into its runtimes/<rid>/native/
folder. Import the result with Import-Module <OutputPath>, or copy it into a folder of
$env:PSModulePath. scripts/package-powershell.sh does the same where PowerShell is absent.

.PARAMETER Configuration
Release (default) or Debug: the cargo profile built and copied.

.PARAMETER OutputPath
Where the module folder is written. Default: target/powershell/SsisService. It is replaced.

.PARAMETER RuntimeId
The runtime id folder (win-x64, linux-x64, osx-arm64, ...). Default: this machine's.

.PARAMETER LibraryPath
A library already built (for another runtime id, say); cargo is not run.

.PARAMETER NoBuild
Uses the library cargo built last instead of running cargo.

.EXAMPLE
./powershell/build.ps1
Import-Module ./target/powershell/SsisService

.EXAMPLE
./powershell/build.ps1 -RuntimeId linux-arm64 -LibraryPath ./target/aarch64-unknown-linux-gnu/release/libssis_service.so
#>
[CmdletBinding()]
param(
    [ValidateSet('Release', 'Debug')]
    [string]$Configuration = 'Release',

    [string]$OutputPath,

    [string]$RuntimeId,

    [string]$LibraryPath,

    [switch]$NoBuild
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$source = Join-Path $PSScriptRoot 'SsisService'
. (Join-Path (Join-Path $source 'Private') 'NativeLibrary.ps1')

if (-not $RuntimeId) { $RuntimeId = Get-SsisRuntimeId }
$fileName = Get-SsisLibraryFileName -RuntimeId $RuntimeId
if (-not $OutputPath) { $OutputPath = Join-Path (Join-Path (Join-Path $root 'target') 'powershell') 'SsisService' }
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)

if (-not $LibraryPath) {
    $targetDir = $env:CARGO_TARGET_DIR
    if (-not $targetDir) { $targetDir = Join-Path $root 'target' }
    $profileDir = 'release'
    if ($Configuration -eq 'Debug') { $profileDir = 'debug' }
    if (-not $NoBuild) {
        $cargoArgs = @('build', '--lib', '--manifest-path', (Join-Path $root 'Cargo.toml'))
        if ($Configuration -eq 'Release') { $cargoArgs += '--release' }
        Write-Verbose ('cargo {0}' -f ($cargoArgs -join ' '))
        & cargo @cargoArgs
        if ($LASTEXITCODE -ne 0) { throw "cargo build failed with exit code $LASTEXITCODE" }
    }
    $LibraryPath = Join-Path (Join-Path $targetDir $profileDir) $fileName
}
if (-not (Test-Path -LiteralPath $LibraryPath -PathType Leaf)) {
    throw "The native library '$LibraryPath' does not exist: build it with cargo build --lib --release, or pass -LibraryPath."
}

if (Test-Path -LiteralPath $OutputPath) { Remove-Item -LiteralPath $OutputPath -Recurse -Force }
[void](New-Item -ItemType Directory -Path $OutputPath -Force)
foreach ($item in @('SsisService.psd1', 'SsisService.psm1', 'SsisService.Format.ps1xml', 'SsisNative.cs', 'Public', 'Private', 'en-US')) {
    Copy-Item -LiteralPath (Join-Path $source $item) -Destination $OutputPath -Recurse -Force
}
# The binding compiled once (see scripts/package-powershell.sh): with mcs or csc when on
# PATH, else, on Windows PowerShell 5.1 (the .NET Framework profile both editions load), with
# Add-Type. Otherwise the module compiles SsisNative.cs at import.
$dll = Join-Path $OutputPath 'SsisNative.dll'
$compiler = Get-Command -Name 'mcs', 'csc' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
if ($null -ne $compiler) {
    $compilerArgs = @('-langversion:5', '-warnaserror', '-nologo', '-optimize+', '-target:library', ('-out:' + $dll), (Join-Path $source 'SsisNative.cs'))
    & $compiler.Source @compilerArgs
    if ($LASTEXITCODE -ne 0) { throw "$($compiler.Name) failed to compile SsisNative.cs" }
}
elseif ($PSVersionTable.PSEdition -eq 'Desktop') {
    Add-Type -Path (Join-Path $source 'SsisNative.cs') -OutputAssembly $dll -OutputType Library
}
else {
    Write-Warning 'No mcs or csc on PATH: SsisNative.dll not built; the module compiles SsisNative.cs at import.'
}
$native = Join-Path (Join-Path (Join-Path $OutputPath 'runtimes') $RuntimeId) 'native'
[void](New-Item -ItemType Directory -Path $native -Force)
Copy-Item -LiteralPath $LibraryPath -Destination (Join-Path $native $fileName) -Force

$manifest = Test-ModuleManifest -Path (Join-Path $OutputPath 'SsisService.psd1')
Write-Host ('SsisService {0} ({1}) assembled in {2}' -f $manifest.Version, $RuntimeId, $OutputPath)
Get-Item -LiteralPath $OutputPath
