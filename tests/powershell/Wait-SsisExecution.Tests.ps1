BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $skip = -not (Test-SsisExported 'Wait-SsisExecution')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    if (Test-SsisExported 'Wait-SsisExecution') {
        $service = Start-SsisTestService
        Connect-SsisServer -Server $service.Server | Out-Null
        Import-SsisSleepPackage -Server $service.Server -Seconds 3 | Out-Null
    }
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
    if ($service) { Stop-SsisTestService $service }
}

Describe 'Wait-SsisExecution' -Skip:$skip {
    It 'returns the execution once it ended' {
        $final = Start-SsisPackage '\File System\Sleep' | Wait-SsisExecution
        $final.Status | Should -Be 'Succeeded'
        $final.Duration | Should -BeGreaterOrEqual 2
    }

    It 'reports a time-out as OperationTimeout and goes on with the next' {
        $slow = Start-SsisPackage '\File System\Sleep'
        $fast = Start-SsisPackage '\File System\Hello'
        Start-Sleep -Seconds 1
        $ended = @($slow, $fast | Wait-SsisExecution -Timeout 1 -ErrorVariable failures -ErrorAction SilentlyContinue)
        $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $ended.ExecutionId | Should -Contain $fast.ExecutionId
    }

    It 'reports an unknown execution as ObjectNotFound' {
        { Wait-SsisExecution -ExecutionId 'nope' -ErrorAction Stop } | Should -Throw -ErrorId 'Ssis.NotFound*'
    }
}
