BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Get-SsisFolder' {
    It 'lists the top-level folders by default' {
        $folders = @(Get-SsisFolder)
        $folders.Name | Should -Contain 'File System'
        $folders.Name | Should -Contain 'MSDB'
        ($folders | Where-Object Name -eq 'File System').FolderType | Should -Be 'FileSystemFolder'
        $folders[0].PSObject.TypeNames | Should -Contain 'SsisService.Folder'
        $folders[0].Server | Should -Be $connection.Server
    }

    It 'lists subfolders, and the whole tree with -Recurse' {
        (Get-SsisFolder '\File System').Path | Should -Be @('\File System\Maintenance', '\File System\Sales')
        (Get-SsisFolder -Recurse).Path | Should -Contain '\File System\Sales'
    }

    It 'selects folders by a wildcard in the last name' {
        (Get-SsisFolder '\File System\S*').Name | Should -Be 'Sales'
    }

    It 'accepts / as a separator' {
        (Get-SsisFolder 'File System/S*').Path | Should -Be '\File System\Sales'
    }

    It 'reports a missing folder as ObjectNotFound with the path as target' {
        Get-SsisFolder '\File System\Nope' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.NotFound*'
        $failures[0].TargetObject | Should -Be '\File System\Nope'
    }

    It 'binds a piped connection to -Server, not to -Path (issue 15, defect 10)' {
        $found = @(Get-SsisServer | Where-Object IsDefault | Get-SsisFolder -ErrorVariable e)
        $e.Count | Should -Be 0
        $found.Name | Should -Contain 'File System'
    }

    It 'reports an unusable MSDB folder as a non-terminating error with -Recurse from the root, as Get-SsisPackage does (issue 14, item 7)' {
        $config = New-SsisTestStore
        $text = (Get-Content -Raw $config).Replace('<TopLevelFolders>', '<TopLevelFolders><Folder xsi:type="SqlServerFolder"><Name>MSDB</Name><ServerName>.</ServerName></Folder>')
        [System.IO.File]::WriteAllText($config, $text)
        $server = (Connect-SsisServer -ConfigPath $config).Server
        $all = @(Get-SsisFolder -Recurse -Server $server -ErrorVariable e -ErrorAction SilentlyContinue)
        $e.Count | Should -Be 1
        $e[0].TargetObject | Should -Be '\MSDB'
        $all.Name | Should -Contain 'MSDB'
        $all.Path | Should -Contain '\File System\Sales'
        $packages = @(Get-SsisPackage -Server $server -ErrorVariable pe -ErrorAction SilentlyContinue)
        $pe.Count | Should -Be 1
        $pe[0].TargetObject | Should -Be '\MSDB'
        $pe[0].Exception.Message | Should -BeLike "Folder '\MSDB' could not be listed: *"
        $packages.Path | Should -Contain '\File System\Sales\Daily Load'
        $packages.Path | Should -Not -Contain '\MSDB'
        Get-SsisFolder -Path '\MSDB' -Server $server -ErrorVariable direct -ErrorAction SilentlyContinue
        $direct.Count | Should -BeGreaterThan 0
    }

    It 'takes folder names with brackets literally with -LiteralPath' {
        New-SsisFolder -LiteralPath '\File System\Old [x]' | Out-Null
        New-SsisFolder -LiteralPath '\File System\Old [x]\Inner' | Out-Null
        @(Get-SsisFolder -LiteralPath '\File System\Old [x]').Name | Should -Be @('Inner')
        @(Get-SsisFolder -LiteralPath '\File System' | Where-Object Name -eq 'Old [x]' | Get-SsisFolder).Name | Should -Be @('Inner')
    }
}
