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
}
