BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
    New-SsisFolder '\File System\Test' | Out-Null
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Copy-SsisPackage' {
    It 'copies into a folder, keeping the name; the source stays' {
        $copy = Copy-SsisPackage '\File System\Hello' -Destination '\File System\Test' -PassThru
        $copy.Path | Should -Be '\File System\Test\Hello'
        Test-SsisPackage '\File System\Hello' | Should -BeTrue
    }

    It 'copies to a new path (a new name)' {
        Copy-SsisPackage '\File System\Hello' -Destination '\File System\Test\Hello 2'
        Test-SsisPackage '\File System\Test\Hello 2' | Should -BeTrue
    }

    It 'copies piped packages and refuses to replace without -Force' {
        Get-SsisPackage '\File System\Sales\*' | Copy-SsisPackage -Destination '\File System\Test'
        @(Get-SsisPackage '\File System\Test\*').Count | Should -Be 4
        Copy-SsisPackage '\File System\Sales\Daily Load' -Destination '\File System\Test' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        { Copy-SsisPackage '\File System\Sales\Daily Load' -Destination '\File System\Test' -Force -ErrorAction Stop } | Should -Not -Throw
    }

    It 'copies nothing with -WhatIf' {
        Copy-SsisPackage '\File System\Hello' -Destination '\File System\Test\WhatIf' -WhatIf
        Test-SsisPackage '\File System\Test\WhatIf' | Should -BeFalse
    }

    It 'reports a missing source as ObjectNotFound' {
        { Copy-SsisPackage '\File System\Nope' -Destination '\File System\Test' -ErrorAction Stop } | Should -Throw -ErrorId 'Ssis.NotFound*'
    }

    It 'copies a piped package whose name has brackets (defect 3)' {
        $odd = Add-SsisBracketPackage -Server (Get-SsisServer | Where-Object IsDefault).Server
        $odd | Copy-SsisPackage -Destination '\File System\Sales' -Force
        Test-SsisPackage -LiteralPath ('\File System\Sales\' + $odd.Name) | Should -BeTrue
    }
}
