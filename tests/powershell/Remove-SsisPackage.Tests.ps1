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

    It 'deletes a piped package whose name has brackets, and -LiteralPath takes it as written (defect 3)' {
        $server = (Get-SsisServer | Where-Object IsDefault).Server
        $odd = Add-SsisBracketPackage -Server $server
        $odd | Remove-SsisPackage -Force
        Test-SsisPackage -LiteralPath $odd.Path | Should -BeFalse
        $odd = Add-SsisBracketPackage -Server $server
        Remove-SsisPackage -LiteralPath $odd.Path -Force
        Test-SsisPackage -LiteralPath $odd.Path | Should -BeFalse
    }

    It 'says so when a -Path pattern matches nothing but names a package exactly (defect 3)' {
        $odd = Add-SsisBracketPackage -Server (Get-SsisServer | Where-Object IsDefault).Server
        Remove-SsisPackage -Path $odd.Path -Force -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $e[0].Exception.Message | Should -Match 'LiteralPath'
        Test-SsisPackage -LiteralPath $odd.Path | Should -BeTrue
    }
}
