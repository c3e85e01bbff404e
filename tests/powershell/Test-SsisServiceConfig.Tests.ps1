BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $config = New-SsisTestStore
    $bad = Join-Path $TestDrive 'bad.xml'
    Set-Content -Path $bad -Value "<DtsServiceConfiguration>`n  <StopExecutingPackagesOnShutdown>maybe</StopExecutingPackagesOnShutdown>`n</DtsServiceConfiguration>"
}

Describe 'Test-SsisServiceConfig' {
    It 'returns $true for a valid file, $false for an invalid one' {
        Test-SsisServiceConfig -Path $config | Should -BeTrue
        Test-SsisServiceConfig -Path $bad | Should -BeFalse
    }

    It 'reports each problem with its line with -Detailed' {
        $report = Test-SsisServiceConfig -Path $bad -Detailed
        $report.PSObject.TypeNames | Should -Contain 'SsisService.ConfigTest'
        $report.Valid | Should -BeFalse
        $report.Errors[0].Details.Line | Should -Be 2
    }

    It 'checks a configuration object' {
        $object = Get-SsisServiceConfig -Path $config
        Test-SsisServiceConfig -InputObject $object | Should -BeTrue
        $object.TopLevelFolders += [pscustomobject]@{ Type = 'FileSystemFolder'; Name = 'File System'; StorePath = 'Again' }
        $object | Test-SsisServiceConfig | Should -BeFalse
    }

    It 'takes files from Get-ChildItem' {
        @(Get-ChildItem $bad, $config | Test-SsisServiceConfig) | Should -Be @($false, $true)
    }

    It 'binds a file, not an empty configuration, when a FileInfo or a string is piped (defect 2)' {
        Get-Item -LiteralPath $bad | Test-SsisServiceConfig | Should -BeFalse
        $bad | Test-SsisServiceConfig | Should -BeFalse
        (Get-Item -LiteralPath $bad | Test-SsisServiceConfig -Detailed).Path | Should -Be (Get-Item -LiteralPath $bad).FullName
    }

    It 'takes names with brackets literally with -LiteralPath, and as wildcards with -Path' {
        $odd = Join-Path $TestDrive 'odd [1].xml'
        Copy-Item -LiteralPath $bad -Destination $odd
        Test-SsisServiceConfig -LiteralPath $odd | Should -BeFalse
        Test-SsisServiceConfig -LP $odd | Should -BeFalse
        Test-SsisServiceConfig -Path (Join-Path $TestDrive 'nothing-*.xml') -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -BeGreaterThan 0
    }

    It 'validates every setting of an object, grants included (defect 1)' {
        $object = Get-SsisServiceConfig -Path $config
        $object.Extensions | Add-Member -NotePropertyName Grants -NotePropertyValue @([pscustomobject]@{ Principal = 'nobody'; Rights = @('Read') }) -Force
        Test-SsisServiceConfig -InputObject $object | Should -BeFalse
    }
}
