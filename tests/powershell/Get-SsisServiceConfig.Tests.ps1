BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $config = New-SsisTestStore
    $connection = Connect-SsisServer -ConfigPath $config
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Get-SsisServiceConfig' {
    It 'returns the configuration of the default connection' {
        $result = Get-SsisServiceConfig
        $result.PSObject.TypeNames | Should -Contain 'SsisService.Config'
        $result.StopExecutingPackagesOnShutdown | Should -BeTrue
        $result.TopLevelFolders.Name | Should -Be @('MSDB', 'File System')
        $result.Server | Should -Be $connection.Server
        $result.Path | Should -Be $config
    }

    It 'reads a configuration file with -Path' {
        $result = Get-SsisServiceConfig -Path $config
        ($result.TopLevelFolders | Where-Object Type -eq 'FileSystemFolder').StorePath | Should -Be 'Packages'
        $result.Origin | Should -Be 'File'
    }

    It 'names the file, line and column of a malformed file' {
        $bad = Join-Path $TestDrive 'bad.xml'
        Set-Content -Path $bad -Value "<DtsServiceConfiguration>`n  <TopLevelFolders>`n</DtsServiceConfiguration>"
        Get-SsisServiceConfig -Path $bad -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $failures[0].Exception.Message | Should -Match 'bad\.xml|line'
    }
}
