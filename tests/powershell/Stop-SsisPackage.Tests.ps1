BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $skip = -not (Test-SsisExported 'Stop-SsisPackage')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    if (Test-SsisExported 'Stop-SsisPackage') {
        $service = Start-SsisTestService
        Connect-SsisServer -Server $service.Server | Out-Null
        Import-SsisSleepPackage -Server $service.Server | Out-Null
    }
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
    if ($service) { Stop-SsisTestService $service }
}

Describe 'Stop-SsisPackage' -Skip:$skip {
    It 'is ConfirmImpact High' {
        [System.Management.Automation.CommandMetadata]::new((Get-Command Stop-SsisPackage)).ConfirmImpact | Should -Be 'High'
    }

    It 'stops nothing with -WhatIf' {
        $run = Start-SsisPackage '\File System\Sleep'
        $run | Stop-SsisPackage -WhatIf
        (Get-SsisExecution -ExecutionId $run.ExecutionId).Status | Should -BeIn @('Created', 'Running')
        $run | Stop-SsisPackage -Force
    }

    It 'stops the running executions piped from Get-SsisExecution -Running' {
        Start-SsisPackage '\File System\Sleep' | Out-Null
        Start-SsisPackage '\File System\Sleep' | Out-Null
        $stopping = @(Get-SsisExecution -Running | Stop-SsisPackage -Force -PassThru)
        $stopping.Count | Should -BeGreaterOrEqual 2
        $final = $stopping | Wait-SsisExecution -Timeout 30
        $final.Status | Sort-Object -Unique | Should -Be 'Stopped'
        @(Get-SsisExecution -Running).Count | Should -Be 0
    }

    It 'reports an unknown execution as ObjectNotFound' {
        Stop-SsisPackage -ExecutionId 'nope' -Force -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'nope'
    }
}
