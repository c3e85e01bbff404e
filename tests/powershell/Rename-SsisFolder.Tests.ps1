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

    It 'takes a folder name with brackets as written, also as -LiteralPath (issue 15, defect 3)' {
        New-SsisFolder -LiteralPath '\File System\Tmp [1]' | Out-Null
        Rename-SsisFolder -LiteralPath '\File System\Tmp [1]' -NewName 'Tmp [2]'
        @(Get-SsisFolder -LiteralPath '\File System' | Where-Object Name -eq 'Tmp [2]').Count | Should -Be 1
        Get-SsisFolder -LiteralPath '\File System' | Where-Object Name -eq 'Tmp [2]' | Rename-SsisFolder -NewName 'Tmp [3]'
        @(Get-SsisFolder -LiteralPath '\File System' | Where-Object Name -eq 'Tmp [3]').Count | Should -Be 1
    }
}
