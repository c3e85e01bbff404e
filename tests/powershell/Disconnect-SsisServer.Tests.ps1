BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
}

Describe 'Disconnect-SsisServer' {
    BeforeEach {
        Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
    }

    It 'closes the default connection and makes the previous one the default' {
        $first = Connect-SsisTestStore
        $second = Connect-SsisTestStore
        Disconnect-SsisServer
        @(Get-SsisServer).Count | Should -Be 1
        (Get-SsisServer).Server | Should -Be $first.Server
        (Get-SsisServer).IsDefault | Should -BeTrue
        $second.Server | Should -Not -Be $first.Server
    }

    It 'closes connections piped from Get-SsisServer' {
        Connect-SsisTestStore | Out-Null
        Connect-SsisTestStore | Out-Null
        Get-SsisServer | Disconnect-SsisServer
        @(Get-SsisServer).Count | Should -Be 0
        { Get-SsisFolder -ErrorAction Stop } | Should -Throw -ErrorId 'Ssis.Connection*'
    }

    It 'supports -WhatIf' {
        Connect-SsisTestStore | Out-Null
        Disconnect-SsisServer -WhatIf
        @(Get-SsisServer).Count | Should -Be 1
    }

    It 'reports an unknown server as ObjectNotFound' {
        Disconnect-SsisServer -Server 'embedded:/nope.xml' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'returns the closed connection with -PassThru' {
        $connection = Connect-SsisTestStore
        (Disconnect-SsisServer -PassThru).Server | Should -Be $connection.Server
    }
}
