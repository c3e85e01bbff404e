BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'New-SsisFolder' {
    It 'creates a folder and returns it' {
        $folder = New-SsisFolder '\File System\Finance'
        $folder.Path | Should -Be '\File System\Finance'
        $folder.PSObject.TypeNames | Should -Contain 'SsisService.Folder'
        (Get-SsisFolder '\File System').Name | Should -Contain 'Finance'
    }

    It 'creates nothing with -WhatIf' {
        New-SsisFolder '\File System\WhatIfFolder' -WhatIf
        (Get-SsisFolder '\File System').Name | Should -Not -Contain 'WhatIfFolder'
    }

    It 'creates missing parents with -Force' {
        New-SsisFolder '\File System\A\B\C' -Force | Out-Null
        (Get-SsisFolder '\File System\A\B').Name | Should -Be 'C'
    }

    It 'reports an existing folder as ResourceExists and goes on with the next' {
        $made = @(New-SsisFolder '\File System\Sales', '\File System\Other' -ErrorVariable failures -ErrorAction SilentlyContinue)
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.AlreadyExists*'
        $made.Path | Should -Be '\File System\Other'
    }

    It 'keeps non-ASCII names' {
        (New-SsisFolder '\File System\Ventes été').Name | Should -Be 'Ventes été'
        (Get-SsisFolder '\File System\Ventes*').Name | Should -Be 'Ventes été'
    }
}
