BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $skip = -not (Test-SsisExported 'Get-SsisExecution')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    if (Test-SsisExported 'Get-SsisExecution') {
        $service = Start-SsisTestService
        Connect-SsisServer -Server $service.Server | Out-Null
        $done = Start-SsisPackage '\File System\Hello' -Wait
        Start-SsisPackage '\File System\Sales\Daily Load' -Wait -ErrorAction SilentlyContinue | Out-Null
    }
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
    if ($service) { Stop-SsisTestService $service }
}

Describe 'Get-SsisExecution' -Skip:$skip {
    It 'returns the history, newest first, with DateTime values' {
        $history = @(Get-SsisExecution)
        $history.Count | Should -Be 2
        $history[0].StartTime | Should -BeGreaterOrEqual $history[1].StartTime
        $history[0].EndTime | Should -BeOfType [datetime]
    }

    It 'filters the history' {
        (Get-SsisExecution -Status Succeeded).PackageName | Should -Be 'Hello'
        (Get-SsisExecution -Package 'Daily').PackageName | Should -Be 'Daily Load'
        @(Get-SsisExecution -Since (Get-Date).AddHours(1)).Count | Should -Be 0
        @(Get-SsisExecution -Last 1).Count | Should -Be 1
    }

    It 'returns one execution by id, from the pipeline too' {
        (Get-SsisExecution -ExecutionId $done.ExecutionId).Status | Should -Be 'Succeeded'
        ($done | Get-SsisExecution).ExecutionId | Should -Be $done.ExecutionId
    }

    It 'lists running executions with -Running' {
        @(Get-SsisExecution -Running).Count | Should -Be 0
    }

    It 'shows a compact default table' {
        (Get-SsisExecution | Format-Table | Out-String) | Should -Match 'PackageName\s+Status'
    }
}
