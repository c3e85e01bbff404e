BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Remove-SsisPackage' {
    It 'is ConfirmImpact High' {
        [System.Management.Automation.CommandMetadata]::new((Get-Command Remove-SsisPackage)).ConfirmImpact | Should -Be 'High'
    }

    It 'deletes nothing with -WhatIf' {
        Remove-SsisPackage '\File System\Hello' -WhatIf
        Test-SsisPackage '\File System\Hello' | Should -BeTrue
    }

    It 'deletes a package with -Force' {
        Remove-SsisPackage '\File System\Hello' -Force
        Test-SsisPackage '\File System\Hello' | Should -BeFalse
    }

    It 'deletes piped packages' {
        Get-SsisPackage '\File System\Sales\*' | Remove-SsisPackage -Confirm:$false
        @(Get-SsisPackage '\File System\Sales').Count | Should -Be 0
    }

    It 'reports a missing package as ObjectNotFound and goes on' {
        Remove-SsisPackage '\File System\Nope', '\File System\Maintenance\Cleanup' -Force -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be '\File System\Nope'
        Test-SsisPackage '\File System\Maintenance\Cleanup' | Should -BeFalse
    }
}
