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

Describe 'Get-SsisAccess' {
    It 'returns nothing while no grant exists' {
        @(Get-SsisAccess).Count | Should -Be 0
    }

    It 'lists the grants as SsisService.AccessGrant objects with their server' {
        Grant-SsisAccess 'group:etl' -Right 'Connect', 'Read', 'Execute' | Out-Null
        Grant-SsisAccess 'user:alice' -Right 'Connect', 'Read' | Out-Null
        $grants = @(Get-SsisAccess)
        $grants.Count | Should -Be 2
        $grants[0].PSObject.TypeNames | Should -Contain 'SsisService.AccessGrant'
        $grants.Principal | Should -Contain 'group:etl'
        ($grants | Where-Object Principal -eq 'user:alice').Rights | Should -Be @('Connect', 'Read')
        $grants[0].Server | Should -Be $service.Server
    }

    It 'selects principals by wildcard' {
        $grants = @(Get-SsisAccess 'group:*')
        $grants.Principal | Should -Be @('group:etl')
    }

    It 'takes principals from the pipeline by property name' {
        $grants = @([pscustomobject]@{ Principal = 'user:alice' } | Get-SsisAccess)
        $grants.Principal | Should -Be @('user:alice')
    }

    It 'reports a principal without a grant as ObjectNotFound' {
        Get-SsisAccess 'user:nobody' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.NotFound*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'user:nobody'
    }

    It 'shows a table of Principal, Rights and Server' {
        $text = Get-SsisAccess 'user:alice' | Format-Table | Out-String
        $text | Should -Match 'Principal\s+Rights\s+Server'
        $text | Should -Match 'user:alice\s+Connect, Read'
    }

    It 'binds a piped connection to -Server, not to -Principal (issue 15, defect 10)' {
        $all = @(Get-SsisServer | Where-Object IsDefault | Get-SsisAccess -ErrorVariable e)
        $e.Count | Should -Be 0
        $all.Count | Should -Be @(Get-SsisAccess).Count
    }
}
