BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $service = Start-SsisTestService
    Connect-SsisServer -Server $service.Server | Out-Null
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
    if ($service) { Stop-SsisTestService $service }
}

Describe 'Grant-SsisAccess' {
    It 'supports ShouldProcess' {
        (Get-Command Grant-SsisAccess).Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'grants nothing with -WhatIf' {
        Grant-SsisAccess 'user:alice' -Right 'Connect' -WhatIf
        @(Get-SsisAccess).Count | Should -Be 0
    }

    It 'creates a grant, returns it and writes it to the configuration file' {
        $grant = Grant-SsisAccess 'user:alice' -Right 'Connect', 'Read'
        $grant.PSObject.TypeNames | Should -Contain 'SsisService.AccessGrant'
        $grant.Principal | Should -Be 'user:alice'
        $grant.Rights | Should -Be @('Connect', 'Read')
        $grant.Server | Should -Be $service.Server
        Get-Content -Raw $service.Config | Should -Match 'Principal="user:alice"'
    }

    It 'adds rights to an existing grant' {
        $grant = Grant-SsisAccess 'user:alice' -Right 'Execute'
        $grant.Rights | Should -Be @('Connect', 'Read', 'Execute')
        (Get-SsisAccess 'user:alice').Rights | Should -Be @('Connect', 'Read', 'Execute')
    }

    It 'takes Principal and Rights from the pipeline by property name' {
        $grant = [pscustomobject]@{ Principal = 'group:etl'; Rights = @('Connect', 'Write') } | Grant-SsisAccess
        $grant.Principal | Should -Be 'group:etl'
        $grant.Rights | Should -Be @('Connect', 'Write')
    }

    It 'refuses a right that does not exist before calling the service' {
        { Grant-SsisAccess 'user:alice' -Right 'Fly' -ErrorAction Stop } | Should -Throw
        (Get-SsisAccess 'user:alice').Rights | Should -Not -Contain 'Fly'
    }

    It 'reports a bad principal as InvalidArgument naming it' {
        Grant-SsisAccess 'alice' -Right 'Connect' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.InvalidArgument*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failures[0].Exception.Message | Should -Match 'alice'
        @(Get-SsisAccess).Principal | Should -Not -Contain 'alice'
    }
}
