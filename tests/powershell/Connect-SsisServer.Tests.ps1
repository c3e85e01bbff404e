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

    It 'passes -Token, -CaFile, -SshConfig and -RemoteProgram as the C API options (issue 15, defect 9)' {
        $json = InModuleScope SsisService {
            & {
                [CmdletBinding()]
                param()
                $token = ConvertTo-SecureString 'sekrit' -AsPlainText -Force
                ConvertTo-SsisConnectOption -Caller $PSCmdlet -Token $token -CaFile 'ca.pem' -SshConfig 'ssh.conf' -RemoteProgram '/opt/ssis'
            }
        }
        $options = $json | ConvertFrom-Json
        $options.Token | Should -Be 'sekrit'
        [System.IO.Path]::IsPathRooted($options.CaFile) | Should -BeTrue
        [System.IO.Path]::IsPathRooted($options.SshConfig) | Should -BeTrue
        $options.RemoteProgram | Should -Be '/opt/ssis'
    }

    It 'hands the options to the library, which refuses them for an embedded server' {
        $token = ConvertTo-SecureString 'sekrit' -AsPlainText -Force
        Connect-SsisServer -Server ('embedded:' + (New-SsisTestStore)) -Token $token -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.InvalidArgument*'
    }

    It 'adds the credential user to an ssh:// server without one' {
        $credential = New-Object System.Management.Automation.PSCredential('etl', (New-Object System.Security.SecureString))
        InModuleScope SsisService -Parameters @{ Credential = $credential } {
            param($Credential)
            Add-SsisSshUser -Server 'ssh://db01:2222' -Credential $Credential | Should -Be 'ssh://etl@db01:2222'
            Add-SsisSshUser -Server 'ssh://root@db01' -Credential $Credential | Should -Be 'ssh://root@db01'
            Add-SsisSshUser -Server 'tls://db01:8443' -Credential $Credential | Should -Be 'tls://db01:8443'
        }
    }
}
