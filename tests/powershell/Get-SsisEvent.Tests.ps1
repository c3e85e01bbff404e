BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $skip = -not (Test-SsisExported 'Get-SsisEvent')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    if (Test-SsisExported 'Get-SsisEvent') {
        $service = Start-SsisTestService
        Connect-SsisServer -Server $service.Server | Out-Null
        $run = Start-SsisPackage '\File System\Hello' -Wait
    }
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
    if ($service) { Stop-SsisTestService $service }
}

Describe 'Get-SsisEvent' -Skip:$skip {
    It 'returns typed log entries, oldest first, with DateTime times' {
        $events = @(Get-SsisEvent)
        $events.Count | Should -BeGreaterThan 0
        $events[0].PSObject.TypeNames | Should -Contain 'SsisService.Event'
        $events[0].Time | Should -BeOfType [datetime]
        $events[0].Sequence | Should -BeLessThan $events[-1].Sequence
        $events.EventId | Should -Contain 257
    }

    It 'filters by execution (from the pipeline), event id and level' {
        ($run | Get-SsisEvent).EventId | Should -Contain 1021
        @(Get-SsisEvent -EventId 1020).Count | Should -Be 1
        @(Get-SsisEvent -Level Error | Where-Object Level -ne 'Error').Count | Should -Be 0
        @(Get-SsisEvent -Last 1).Count | Should -Be 1
    }

    It 'reads on after a sequence number' {
        $last = (Get-SsisEvent -Last 1).Sequence
        @(Get-SsisEvent -AfterSequence $last).Count | Should -Be 0
    }
}
