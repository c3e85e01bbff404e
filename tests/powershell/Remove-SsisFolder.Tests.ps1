BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Remove-SsisFolder' {
    It 'is ConfirmImpact High' {
        $metadata = [System.Management.Automation.CommandMetadata]::new((Get-Command Remove-SsisFolder))
        $metadata.ConfirmImpact | Should -Be 'High'
    }

    It 'deletes an empty folder with -Force' {
        New-SsisFolder '\File System\Empty' | Out-Null
        Remove-SsisFolder '\File System\Empty' -Force
        (Get-SsisFolder '\File System').Name | Should -Not -Contain 'Empty'
    }

    It 'refuses a folder that is not empty without -Recurse (ResourceBusy)' {
        Remove-SsisFolder '\File System\Sales' -Force -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.NotEmpty*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        (Get-SsisFolder '\File System').Name | Should -Contain 'Sales'
    }

    It 'deletes a folder and its packages with -Recurse' {
        Remove-SsisFolder '\File System\Maintenance' -Recurse -Confirm:$false
        (Get-SsisFolder '\File System').Name | Should -Not -Contain 'Maintenance'
    }

    It 'changes nothing with -WhatIf' {
        Remove-SsisFolder '\File System\Sales' -Recurse -WhatIf
        (Get-SsisFolder '\File System').Name | Should -Contain 'Sales'
    }
}
