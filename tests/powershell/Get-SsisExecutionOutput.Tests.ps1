BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $skip = -not (Test-SsisExported 'Get-SsisExecutionOutput')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    if (Test-SsisExported 'Get-SsisExecutionOutput') {
        $service = Start-SsisTestService
        Connect-SsisServer -Server $service.Server | Out-Null
        $run = Start-SsisPackage '\File System\Hello' -Wait
    }
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
    if ($service) { Stop-SsisTestService $service }
}

Describe 'Get-SsisExecutionOutput' -Skip:$skip {
    It 'returns the output as lines' {
        $lines = @($run | Get-SsisExecutionOutput)
        $lines | Should -Contain 'Hello, world'
        $lines | ForEach-Object { $_ | Should -Not -Match "`n" }
    }

    It 'returns one string with -Raw, from -Offset' {
        $raw = Get-SsisExecutionOutput -ExecutionId $run.ExecutionId -Raw
        $raw | Should -BeOfType [string]
        $raw | Should -Match 'Hello, world'
        $rest = Get-SsisExecutionOutput -ExecutionId $run.ExecutionId -Raw -Offset 1
        $rest | Should -Be $raw.Substring(1)
    }

    It 'reports an unknown execution as ObjectNotFound' {
        Get-SsisExecutionOutput -ExecutionId 'nope' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
