BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
    $sources = Join-Path $TestDrive 'sources'
    New-Item -ItemType Directory -Path $sources | Out-Null
    Copy-Item (Join-Path $RepoRoot 'examples/Packages/Sales/*.dtsx') $sources
    Copy-Item (Join-Path $RepoRoot 'examples/Packages/Hello.dtsx') (Join-Path $sources 'Grüße [1].dtsx')
    New-SsisFolder '\File System\Imported' | Out-Null
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Import-SsisPackage' {
    It 'imports files named by a wildcard and returns the packages' {
        $imported = @(Import-SsisPackage (Join-Path $sources '*Load.dtsx') -Destination '\File System\Imported')
        $imported.Path | Should -Be '\File System\Imported\Daily Load'
        $imported[0].PSObject.TypeNames | Should -Contain 'SsisService.Package'
    }

    It 'takes files from Get-ChildItem, names with brackets and non-ASCII included' {
        $imported = @(Get-ChildItem $sources -Filter *.dtsx | Import-SsisPackage -Destination '\File System\Imported' -Force)
        $imported.Name | Should -Contain 'Grüße [1]'
        $imported.Count | Should -Be 3
    }

    It 'refuses to replace without -Force (ResourceExists), and goes on' {
        $imported = @(Import-SsisPackage (Join-Path $sources 'Daily Load.dtsx'), (Join-Path $sources 'Monthly Close.dtsx') -Destination '\File System\Sales' -ErrorVariable failures -ErrorAction SilentlyContinue)
        $failures.Count | Should -Be 2
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $imported.Count | Should -Be 0
    }

    It 'imports under another name with -Name' {
        (Import-SsisPackage (Join-Path $sources 'Daily Load.dtsx') -Destination '\File System\Imported' -Name 'Nightly').Path | Should -Be '\File System\Imported\Nightly'
    }

    It 'imports nothing with -WhatIf' {
        Import-SsisPackage (Join-Path $sources 'Daily Load.dtsx') -Destination '\File System\Imported' -Name 'WhatIf' -WhatIf
        Test-SsisPackage '\File System\Imported\WhatIf' | Should -BeFalse
    }

    It 'reports a missing file as ObjectNotFound' {
        Import-SsisPackage (Join-Path $sources 'none.dtsx') -Destination '\File System\Imported' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reports a file that is not a package' {
        $bad = Join-Path $sources 'bad.dtsx'
        Set-Content -Path $bad -Value 'not xml'
        Import-SsisPackage $bad -Destination '\File System\Imported' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.*'
        Test-SsisPackage '\File System\Imported\bad' | Should -BeFalse
    }

    It 'refuses -Name for several piped files and imports none of them (issue 15, defect 6)' {
        $dir = Join-Path $TestDrive 'many'
        New-Item -ItemType Directory -Path $dir | Out-Null
        foreach ($n in 'A', 'B') { Copy-Item -LiteralPath (Join-Path $RepoRoot 'examples/Packages/Hello.dtsx') -Destination (Join-Path $dir "$n.dtsx") }
        { Get-ChildItem -LiteralPath $dir -Filter '*.dtsx' | Import-SsisPackage -Destination '\File System' -Name 'OnlyOne' -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-Name*'
        Test-SsisPackage -LiteralPath '\File System\OnlyOne' | Should -BeFalse
    }

    It 'takes file names with brackets literally with -LiteralPath' {
        $file = Join-Path $TestDrive 'Lit [3].dtsx'
        Copy-Item -LiteralPath (Join-Path $RepoRoot 'examples/Packages/Hello.dtsx') -Destination $file
        (Import-SsisPackage -LiteralPath $file -Destination '\File System' -Force).Name | Should -Be 'Lit [3]'
    }
}
