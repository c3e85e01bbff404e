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

    It 'puts the file, line and column of a library error into the error record (issue 15, defect 4)' {
        $bad = Join-Path $TestDrive 'bad-location.xml'
        [System.IO.File]::WriteAllText($bad, "<DtsServiceConfiguration>`n  <TopLevelFolders>`n</DtsServiceConfiguration>`n")
        Get-SsisServiceConfig -Path $bad -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $record = $e[0]
        $record.FullyQualifiedErrorId | Should -BeLike 'Ssis.Configuration*'
        $record.TargetObject | Should -Be $bad
        $record.ErrorDetails.Message | Should -Match 'line 3, column \d+'
        $record.ErrorDetails.Message | Should -Match ([regex]::Escape('bad-location.xml'))
        $record.Exception.Line | Should -Be 3
        $record.CategoryInfo.Reason | Should -Match 'line 3'
    }
}
