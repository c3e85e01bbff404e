# Shared set-up for the SsisService Pester tests (dot-source it in BeforeAll).
# The module comes from $env:SSIS_PS_MODULE (a folder assembled by scripts/package-powershell.sh)
# or else powershell/SsisService with $env:SSIS_SERVICE_LIB pointing at the cargo build.

$RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath

function Get-SsisTestTargetDir {
    if ($env:CARGO_TARGET_DIR) { return $env:CARGO_TARGET_DIR }
    return Join-Path $RepoRoot 'target'
}

function Import-SsisTestModule {
    $module = $env:SSIS_PS_MODULE
    if (-not $module) {
        $module = Join-Path $RepoRoot 'powershell/SsisService/SsisService.psd1'
        if (-not $env:SSIS_SERVICE_LIB) {
            $name = 'libssis_service.so'
            if ($IsWindows) { $name = 'ssis_service.dll' } elseif ($IsMacOS) { $name = 'libssis_service.dylib' }
            $env:SSIS_SERVICE_LIB = Join-Path (Join-Path (Get-SsisTestTargetDir) 'debug') $name
        }
    }
    Import-Module $module -Force -ErrorAction Stop
}

function New-SsisTestStore {
    # A copy of examples/ (configuration and packages) in a new folder of TestDrive; returns
    # the configuration file's path.
    $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $dir | Out-Null
    Copy-Item -Path (Join-Path $RepoRoot 'examples/MsDtsSrvr.ini.xml') -Destination $dir
    Copy-Item -Path (Join-Path $RepoRoot 'examples/Packages') -Destination $dir -Recurse
    return Join-Path $dir 'MsDtsSrvr.ini.xml'
}

function Connect-SsisTestStore {
    # Connects (in-process) to a fresh copy of the examples and returns the connection.
    Connect-SsisServer -ConfigPath (New-SsisTestStore)
}

function Get-SsisTestBinary {
    if ($env:SSIS_BIN) { return $env:SSIS_BIN }
    $name = 'ssis'
    if ($IsWindows) { $name = 'ssis.exe' }
    return Join-Path (Join-Path (Get-SsisTestTargetDir) 'debug') $name
}

function Start-SsisTestService {
    # Starts `ssis service run` on a socket in TestDrive over a fresh copy of the examples;
    # returns Process and Server ('unix:<socket>') once the socket exists.
    $config = New-SsisTestStore
    $dir = Split-Path -Parent $config
    $socket = Join-Path $dir 's.sock'
    $arguments = @('service', 'run', '--config', $config, '--socket', $socket, '--state-dir', (Join-Path $dir 'state'), '--stop-grace', '2')
    $process = Start-Process -FilePath (Get-SsisTestBinary) -ArgumentList $arguments -PassThru -RedirectStandardError (Join-Path $dir 'service.err')
    $clock = [Diagnostics.Stopwatch]::StartNew()
    while (-not (Test-Path -LiteralPath $socket)) {
        if ($process.HasExited -or $clock.Elapsed.TotalSeconds -gt 20) {
            throw ('the test service did not start: ' + (Get-Content -Raw (Join-Path $dir 'service.err')))
        }
        Start-Sleep -Milliseconds 100
    }
    [pscustomobject]@{ Process = $process; Server = 'unix:' + $socket; Config = $config }
}

function Stop-SsisTestService([object]$Service) {
    if ($null -ne $Service -and -not $Service.Process.HasExited) {
        $Service.Process.Kill()
        $Service.Process.WaitForExit(10000) | Out-Null
    }
}

function Test-SsisExported([string]$Name) {
    # Whether the module exports the cmdlet (execution cmdlets wait for their C functions).
    return $null -ne (Get-Command -Module SsisService -Name $Name -ErrorAction SilentlyContinue)
}

function Import-SsisSleepPackage([string]$Server, [int]$Seconds = 60) {
    # Imports '\File System\Sleep': Hello.dtsx with its Execute Process task running
    # `sleep <Seconds>`, a package that runs long enough to be seen running and stopped.
    $text = Get-Content -Raw (Join-Path $RepoRoot 'examples/Packages/Hello.dtsx')
    $text = $text.Replace('Executable="echo"', 'Executable="sleep"').Replace('Arguments="Hello, world"', ('Arguments="{0}"' -f $Seconds))
    $file = Join-Path $TestDrive 'Sleep.dtsx'
    Set-Content -Path $file -Value $text -NoNewline
    Import-SsisPackage $file -Destination '\File System' -Server $Server -Force
}
