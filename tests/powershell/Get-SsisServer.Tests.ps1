BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $noServiceInfo = -not (Test-SsisExported 'Get-SsisExecution')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Get-SsisServer' {
    It 'lists the connections, the default marked' {
        $a = Connect-SsisTestStore
        $b = Connect-SsisTestStore
        $all = @(Get-SsisServer)
        $all.Server | Should -Contain $a.Server
        $all.Server | Should -Contain $b.Server
        @($all | Where-Object IsDefault).Count | Should -Be 1
    }

    It 'filters by name with wildcards' {
        $a = Connect-SsisTestStore
        @(Get-SsisServer -Server ($a.Server.Substring(0, 12) + '*')).Count | Should -BeGreaterOrEqual 1
        @(Get-SsisServer -Server 'unix:*').Count | Should -Be 0
    }

    It 'describes a running service with -Detailed' -Skip:$noServiceInfo {
        $service = Start-SsisTestService
        try {
            Connect-SsisServer -Server $service.Server | Out-Null
            $info = Get-SsisServer -Server $service.Server -Detailed
            $info.PSObject.TypeNames | Should -Contain 'SsisService.ServiceInfo'
            $info.StartTime | Should -BeOfType [datetime]
            $info.ProcessId | Should -Be $service.Process.Id
        }
        finally {
            Stop-SsisTestService $service
        }
    }

    It 'reports an embedded connection with -Detailed as not supported' {
        Connect-SsisTestStore | Out-Null
        Get-SsisServer -Detailed -ErrorVariable failures -ErrorAction SilentlyContinue | Out-Null
        $failures.Count | Should -BeGreaterThan 0
    }

    It 'matches an exact server name with brackets as written, not as a pattern (issue 15, defect 11)' {
        $dir = Join-Path $TestDrive 'odd [1]'
        New-Item -ItemType Directory -Path $dir | Out-Null
        $config = New-SsisTestStore
        Copy-Item -LiteralPath $config -Destination (Join-Path $dir 'MsDtsSrvr.ini.xml')
        Copy-Item -LiteralPath (Join-Path (Split-Path $config) 'Packages') -Destination $dir -Recurse
        $odd = Connect-SsisServer -ConfigPath (Join-Path $dir 'MsDtsSrvr.ini.xml')
        @(Get-SsisServer -Server $odd.Server).Server | Should -Be @($odd.Server)
        Disconnect-SsisServer -Server $odd.Server -Confirm:$false
        @(Get-SsisServer | Where-Object Server -eq $odd.Server) | Should -BeNullOrEmpty
    }
}
