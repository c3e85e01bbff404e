BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
    New-SsisFolder '\File System\Archive' | Out-Null
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Move-SsisPackage' {
    It 'moves into a folder; the source is gone' {
        $moved = Move-SsisPackage '\File System\Hello' -Destination '\File System\Archive' -PassThru
        $moved.Path | Should -Be '\File System\Archive\Hello'
        Test-SsisPackage '\File System\Hello' | Should -BeFalse
    }

    It 'renames when the destination is not a folder' {
        Move-SsisPackage '\File System\Archive\Hello' -Destination '\File System\Archive\Hi'
        Test-SsisPackage '\File System\Archive\Hi' | Should -BeTrue
    }

    It 'moves piped packages' {
        Get-SsisPackage '\File System\Sales\*' | Move-SsisPackage -Destination '\File System\Archive'
        @(Get-SsisPackage '\File System\Sales' -ErrorAction SilentlyContinue).Count | Should -Be 0
        @(Get-SsisPackage '\File System\Archive\*').Count | Should -Be 3
    }

    It 'moves nothing with -WhatIf' {
        Move-SsisPackage '\File System\Archive\Hi' -Destination '\File System' -WhatIf
        Test-SsisPackage '\File System\Archive\Hi' | Should -BeTrue
    }

    It 'reports a missing source as ObjectNotFound' {
        { Move-SsisPackage '\File System\Nope' -Destination '\File System\Archive' -ErrorAction Stop } | Should -Throw -ErrorId 'Ssis.NotFound*'
    }

    It 'moves a piped package whose name has brackets (defect 3)' {
        $odd = Add-SsisBracketPackage -Server (Get-SsisServer | Where-Object IsDefault).Server -Name 'Move [2]'
        $odd | Move-SsisPackage -Destination '\File System\Sales' -Force
        Test-SsisPackage -LiteralPath '\File System\Sales\Move [2]' | Should -BeTrue
        Test-SsisPackage -LiteralPath $odd.Path | Should -BeFalse
    }
}
