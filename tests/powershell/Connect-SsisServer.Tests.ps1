BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Connect-SsisServer' {
    It 'opens a configuration in-process and returns a connection object' {
        $config = New-SsisTestStore
        $connection = Connect-SsisServer -ConfigPath $config
        $connection.PSObject.TypeNames | Should -Contain 'SsisService.Connection'
        $connection.Mode | Should -Be 'Embedded'
        $connection.Server | Should -Be ('embedded:' + $config)
        $connection.IsDefault | Should -BeTrue
        $connection.ConnectedAt | Should -BeOfType [datetime]
    }

    It 'makes the last of several connections the default' {
        $first = Connect-SsisServer -ConfigPath (New-SsisTestStore)
        $second = Connect-SsisServer -Server ('embedded:' + (New-SsisTestStore))
        $first.IsDefault | Should -BeFalse
        $second.IsDefault | Should -BeTrue
        (Get-SsisServer | Where-Object IsDefault).Server | Should -Be $second.Server
    }

    It 'accepts an array of servers' {
        $connections = @(Connect-SsisServer -Server ('embedded:' + (New-SsisTestStore)), ('embedded:' + (New-SsisTestStore)))
        $connections.Count | Should -Be 2
        $connections[1].IsDefault | Should -BeTrue
    }

    It 'reports a missing configuration as a non-terminating error and goes on' {
        $good = 'embedded:' + (New-SsisTestStore)
        $result = @(Connect-SsisServer -Server ('embedded:' + (Join-Path $TestDrive 'missing.xml')), $good -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.*'
    }

    It 'refuses an unknown server with a ConnectionError' {
        { Connect-SsisServer -Server 'ftp://nowhere' -ErrorAction Stop } | Should -Throw -ErrorId 'Ssis.Connection*'
    }

    It 'connects to a running service' {
        $service = Start-SsisTestService
        try {
            $connection = Connect-SsisServer -Server $service.Server
            $connection.Mode | Should -Be 'Service'
            (Get-SsisFolder -Server $service.Server).Name | Should -Contain 'File System'
        }
        finally {
            Disconnect-SsisServer -Server $service.Server -Confirm:$false -ErrorAction SilentlyContinue
            Stop-SsisTestService $service
        }
    }
}
