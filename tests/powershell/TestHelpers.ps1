# Shared set-up for the SsisService Pester tests (dot-source it in BeforeAll).
# The module comes from $env:SSIS_PS_MODULE (a folder assembled by scripts/package-powershell.sh)
# or else powershell/SsisService with $env:SSIS_SERVICE_LIB pointing at the cargo build.

$RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath

# $IsWindows, $IsLinux and $IsMacOS do not exist on Windows PowerShell 5.1 (always Windows).
$SsisTestIsWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
$SsisTestIsMacOS = (-not $SsisTestIsWindows) -and (Test-Path -LiteralPath '/System/Library/CoreServices/SystemVersion.plist')

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
            if ($SsisTestIsWindows) { $name = 'ssis_service.dll' } elseif ($SsisTestIsMacOS) { $name = 'libssis_service.dylib' }
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
    if ($SsisTestIsWindows) {
        # The examples run `echo`, which is a cmd built-in on Windows, not a program.
        foreach ($file in @(Get-ChildItem -LiteralPath (Join-Path $dir 'Packages') -Filter '*.dtsx' -Recurse)) {
            $text = [System.IO.File]::ReadAllText($file.FullName)
            $text = $text.Replace('Executable="echo"', 'Executable="cmd.exe"').Replace('Arguments="Hello, world"', 'Arguments="/c echo Hello, world"')
            [System.IO.File]::WriteAllText($file.FullName, $text, (New-Object System.Text.UTF8Encoding($false)))
        }
    }
    return Join-Path $dir 'MsDtsSrvr.ini.xml'
}

function Connect-SsisTestStore {
    # Connects (in-process) to a fresh copy of the examples and returns the connection.
    Connect-SsisServer -ConfigPath (New-SsisTestStore)
}

function Get-SsisTestBinary {
    if ($env:SSIS_BIN) { return $env:SSIS_BIN }
    $name = 'ssis'
    if ($SsisTestIsWindows) { $name = 'ssis.exe' }
    return Join-Path (Join-Path (Get-SsisTestTargetDir) 'debug') $name
}

function Start-SsisTestService {
    # Starts `ssis service run` over a fresh copy of the examples, listening on a socket in
    # TestDrive (Unix) or a named pipe of its own (Windows: \\.\pipe\ssis-test-<guid>);
    # returns Process, Server ('unix:<socket>' or 'pipe:<pipe>') and Config once the service
    # answers `ssis service status`.
    $config = New-SsisTestStore
    $dir = Split-Path -Parent $config
    if ($SsisTestIsWindows) {
        $listen = '\\.\pipe\ssis-test-' + [guid]::NewGuid().ToString('n')
        $server = 'pipe:' + $listen
    }
    else {
        $listen = Join-Path $dir 's.sock'
        $server = 'unix:' + $listen
    }
    $arguments = @('service', 'run', '--config', $config, '--socket', $listen, '--state-dir', (Join-Path $dir 'state'), '--stop-grace', '2')
    $process = Start-Process -FilePath (Get-SsisTestBinary) -ArgumentList $arguments -PassThru -RedirectStandardError (Join-Path $dir 'service.err')
    $clock = [Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        & (Get-SsisTestBinary) --server $server service status 2>$null | Out-Null
        if ($LASTEXITCODE -eq 0) { break }
        if ($process.HasExited -or $clock.Elapsed.TotalSeconds -gt 20) {
            throw ('the test service did not start: ' + (Get-Content -Raw (Join-Path $dir 'service.err')))
        }
        Start-Sleep -Milliseconds 100
    }
    [pscustomobject]@{ Process = $process; Server = $server; Config = $config }
}

function Stop-SsisTestService([object]$Service) {
    # Asks the service to stop (it stops its running packages first), then kills the
    # process if it is still there after 15 s.
    if ($null -eq $Service -or $Service.Process.HasExited) { return }
    & (Get-SsisTestBinary) --server $Service.Server service stop 2>$null | Out-Null
    if (-not $Service.Process.WaitForExit(15000)) {
        $Service.Process.Kill()
        $Service.Process.WaitForExit(10000) | Out-Null
    }
}

function Test-SsisExported([string]$Name) {
    # Whether the module exports the cmdlet (execution cmdlets wait for their C functions).
    return $null -ne (Get-Command -Module SsisService -Name $Name -ErrorAction SilentlyContinue)
}

function Import-SsisSleepPackage([string]$Server, [int]$Seconds = 60) {
    # Imports '\File System\Sleep': Hello.dtsx with its Execute Process task running for
    # <Seconds> (`sleep` on Unix; on Windows, where sleep is no program, cmd.exe running
    # `ping -n <Seconds+1> 127.0.0.1`), long enough to be seen running and stopped.
    $text = Get-Content -Raw (Join-Path $RepoRoot 'examples/Packages/Hello.dtsx')
    if ($SsisTestIsWindows) {
        $text = $text.Replace('Executable="echo"', 'Executable="cmd.exe"').Replace('Arguments="Hello, world"', ('Arguments="/c ping -n {0} 127.0.0.1 &gt;nul"' -f ($Seconds + 1)))
    }
    else {
        $text = $text.Replace('Executable="echo"', 'Executable="sleep"').Replace('Arguments="Hello, world"', ('Arguments="{0}"' -f $Seconds))
    }
    $file = Join-Path $TestDrive 'Sleep.dtsx'
    [System.IO.File]::WriteAllText($file, $text, (New-Object System.Text.UTF8Encoding($false)))
    Import-SsisPackage -LiteralPath $file -Destination '\File System' -Server $Server -Force
}

function Add-SsisBracketPackage([string]$Server, [string]$Name = 'Grüße [1]') {
    # Imports examples/Packages/Hello.dtsx as '\File System\<Name>' (brackets: a wildcard
    # pattern to -Path) and returns the package.
    Import-SsisPackage -LiteralPath (Join-Path $RepoRoot 'examples/Packages/Hello.dtsx') -Destination '\File System' -Name $Name -Server $Server -Force
}
