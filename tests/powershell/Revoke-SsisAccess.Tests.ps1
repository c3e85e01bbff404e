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

Describe 'Revoke-SsisAccess' {
    BeforeEach {
        Grant-SsisAccess 'user:alice' -Right 'Connect', 'Read', 'Write' | Out-Null
        Grant-SsisAccess 'user:bob' -Right 'Connect', 'Read' | Out-Null
    }

    It 'is ConfirmImpact High' {
        [System.Management.Automation.CommandMetadata]::new((Get-Command Revoke-SsisAccess)).ConfirmImpact | Should -Be 'High'
    }

    It 'revokes nothing with -WhatIf' {
        Revoke-SsisAccess 'user:alice' -WhatIf
        (Get-SsisAccess 'user:alice').Rights | Should -Be @('Connect', 'Read', 'Write')
    }

    It 'takes the rights named and returns what is kept' {
        $kept = Revoke-SsisAccess 'user:alice' -Right 'Write' -Force
        $kept.PSObject.TypeNames | Should -Contain 'SsisService.AccessGrant'
        $kept.Rights | Should -Be @('Connect', 'Read')
        (Get-SsisAccess 'user:alice').Rights | Should -Be @('Connect', 'Read')
    }

    It 'removes the whole grant without -Right' {
        $kept = Revoke-SsisAccess 'user:bob' -Confirm:$false
        @($kept.Rights).Count | Should -Be 0
        @(Get-SsisAccess).Principal | Should -Not -Contain 'user:bob'
        Get-Content -Raw $service.Config | Should -Not -Match 'Principal="user:bob"'
    }

    It 'takes principals from Get-SsisAccess through the pipeline' {
        Get-SsisAccess 'user:*' | Revoke-SsisAccess -Force | Out-Null
        @(Get-SsisAccess 'user:*').Count | Should -Be 0
    }

    It 'reports a principal without a grant as ObjectNotFound' {
        Revoke-SsisAccess 'user:nobody' -Force -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.NotFound*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
