BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $config = New-SsisTestStore
    Connect-SsisServer -ConfigPath $config | Out-Null
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Set-SsisServiceConfig' {
    It 'changes one setting on the server and in its file' {
        Set-SsisServiceConfig -StopExecutingPackagesOnShutdown $false
        (Get-SsisServiceConfig).StopExecutingPackagesOnShutdown | Should -BeFalse
        (Get-SsisServiceConfig -Path $config).StopExecutingPackagesOnShutdown | Should -BeFalse
        Get-Content -Raw $config | Should -Match '<StopExecutingPackagesOnShutdown>false'
    }

    It 'writes a changed configuration object piped to it' {
        $changed = Get-SsisServiceConfig
        $archive = Join-Path (Split-Path $config) 'Archive'
        New-Item -ItemType Directory -Path $archive | Out-Null
        $changed.TopLevelFolders += [pscustomobject]@{ Type = 'FileSystemFolder'; Name = 'Archive'; StorePath = $archive }
        $written = $changed | Set-SsisServiceConfig -PassThru
        $written.TopLevelFolders.Name | Should -Contain 'Archive'
        (Get-SsisFolder).Name | Should -Contain 'Archive'
    }

    It 'writes a configuration file with -Path' {
        $copy = Join-Path $TestDrive 'copy.xml'
        Copy-Item $config $copy
        Set-SsisServiceConfig -Path $copy -StateDirectory '/var/tmp/ssis-state'
        (Get-SsisServiceConfig -Path $copy).Extensions.StateDirectory | Should -Be '/var/tmp/ssis-state'
    }

    It 'changes nothing when the configuration is invalid' {
        $before = Get-Content -Raw $config
        $bad = Get-SsisServiceConfig
        $bad.TopLevelFolders += [pscustomobject]@{ Type = 'FileSystemFolder'; Name = 'Sales\Bad'; StorePath = 'x' }
        $bad | Set-SsisServiceConfig -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -BeGreaterThan 0
        Get-Content -Raw $config | Should -Be $before
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-Content -Raw $config
        Set-SsisServiceConfig -StopExecutingPackagesOnShutdown $true -WhatIf
        Get-Content -Raw $config | Should -Be $before
    }
}
