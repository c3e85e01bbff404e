BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $config = New-SsisTestStore
    Set-Content -Path (Join-Path (Split-Path $config) 'Packages/Broken.dtsx') -Value '<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts"'
    Connect-SsisServer -ConfigPath $config | Out-Null
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Test-SsisPackage' {
    It 'returns $true for a package, $false for a folder or nothing' {
        Test-SsisPackage '\File System\Hello' | Should -BeTrue
        Test-SsisPackage '\File System\Sales' | Should -BeFalse
        Test-SsisPackage '\File System\Nope' | Should -BeFalse
    }

    It 'validates the whole package with -Validate' {
        Test-SsisPackage '\File System\Hello' -Validate | Should -BeTrue
        Test-SsisPackage '\File System\Broken' | Should -BeTrue
        Test-SsisPackage '\File System\Broken' -Validate | Should -BeFalse
    }

    It 'tells why with -Detailed' {
        $result = Test-SsisPackage '\File System\Broken' -Validate -Detailed
        $result.PSObject.TypeNames | Should -Contain 'SsisService.PackageTest'
        $result.Exists | Should -BeTrue
        $result.Valid | Should -BeFalse
        $result.Error | Should -Not -BeNullOrEmpty
    }

    It 'takes packages from the pipeline' {
        @(Get-SsisPackage -Recurse | Test-SsisPackage -Validate | Where-Object { -not $_ }).Count | Should -Be 1
    }

    It 'takes -LiteralPath and piped packages with brackets (defect 3)' {
        $odd = Add-SsisBracketPackage -Server (Get-SsisServer | Where-Object IsDefault).Server
        Test-SsisPackage -LiteralPath $odd.Path | Should -BeTrue
        $odd | Test-SsisPackage | Should -BeTrue
    }

    It 'tells why a package is not valid as text, not as @{Kind=...} (defect 8)' {
        $file = Join-Path $TestDrive 'Broken.dtsx'
        $text = (Get-Content -Raw (Join-Path $RepoRoot 'examples/Packages/Hello.dtsx'))
        [System.IO.File]::WriteAllText($file, $text.Substring(0, [int]($text.Length * 0.8)))
        Import-SsisPackage -LiteralPath $file -Destination '\File System' -Force -ErrorAction SilentlyContinue | Out-Null
        if (-not (Test-SsisPackage -LiteralPath '\File System\Broken')) { Set-ItResult -Skipped -Because 'the library refused to import a truncated package' }
        $report = Test-SsisPackage -LiteralPath '\File System\Broken' -Validate -Detailed
        $report.Valid | Should -BeFalse
        $report.Error | Should -Not -Match '^@\{'
        $report.Error | Should -Not -BeNullOrEmpty
    }

    It "runs the README's admin script unchanged on a package whose name has brackets" {
        $odd = Add-SsisBracketPackage -Server (Get-SsisServer | Where-Object IsDefault).Server
        $dir = Join-Path $TestDrive 'readme-backup'
        Get-SsisPackage '\File System' -Recurse | Export-SsisPackage -Destination $dir -Force
        Test-Path -LiteralPath (Join-Path $dir ($odd.Name + '.dtsx')) | Should -BeTrue
        $report = @(Get-SsisPackage -Recurse | Test-SsisPackage -Validate -Detailed)
        ($report | Where-Object Path -eq $odd.Path).Valid | Should -BeTrue
    }
}
