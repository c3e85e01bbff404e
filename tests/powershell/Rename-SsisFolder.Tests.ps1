BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Rename-SsisFolder' {
    It 'renames a folder; its packages follow' {
        $renamed = Rename-SsisFolder '\File System\Sales' -NewName 'Revenue' -PassThru
        $renamed.Path | Should -Be '\File System\Revenue'
        (Get-SsisPackage '\File System\Revenue\*').Name | Should -Contain 'Daily Load'
    }

    It 'returns nothing without -PassThru' {
        Rename-SsisFolder '\File System\Revenue' -NewName 'Sales' | Should -BeNullOrEmpty
    }

    It 'takes folders from the pipeline' {
        Get-SsisFolder '\File System\Maint*' | Rename-SsisFolder -NewName 'Upkeep'
        (Get-SsisFolder '\File System').Name | Should -Contain 'Upkeep'
    }

    It 'changes nothing with -WhatIf' {
        Rename-SsisFolder '\File System\Sales' -NewName 'X' -WhatIf
        (Get-SsisFolder '\File System').Name | Should -Contain 'Sales'
    }

    It 'reports a missing folder as ObjectNotFound' {
        { Rename-SsisFolder '\File System\Nope' -NewName 'X' -ErrorAction Stop } | Should -Throw -ErrorId 'Ssis.NotFound*'
    }
}
