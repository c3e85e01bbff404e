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
}
