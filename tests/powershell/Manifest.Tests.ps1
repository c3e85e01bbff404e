BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $manifestPath = Join-Path $RepoRoot 'powershell/SsisService/SsisService.psd1'
    $manifest = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
    Import-SsisTestModule
}

Describe 'SsisService manifest' {
    It 'has the version of Cargo.toml' {
        $cargo = Get-Content -Raw (Join-Path $RepoRoot 'Cargo.toml')
        $version = [regex]::Match($cargo, '(?m)^version\s*=\s*"([^"]+)"').Groups[1].Value
        $manifest.Version.ToString() | Should -Be $version
    }

    It 'runs on Core and Desktop, from PowerShell 5.1' {
        $manifest.CompatiblePSEditions | Should -Contain 'Core'
        $manifest.CompatiblePSEditions | Should -Contain 'Desktop'
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
    }

    It 'exports exactly the functions it lists' {
        $listed = @($manifest.ExportedFunctions.Keys | Sort-Object)
        $exported = @((Get-Command -Module SsisService).Name | Sort-Object)
        $exported | Should -Be $listed
    }

    It 'exports no private helper' {
        Get-Command -Module SsisService -Name 'Invoke-SsisNative' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'imports twice in one session (Add-Type guarded)' {
        { Import-SsisTestModule } | Should -Not -Throw
        { Import-SsisTestModule } | Should -Not -Throw
    }
}

Describe 'Loading the native library' {
    It 'names every place tried when the library is missing' {
        $script = "`$env:SSIS_SERVICE_LIB = '$(Join-Path $TestDrive 'nowhere')'; Import-Module '$manifestPath' -ErrorAction Stop"
        $out = & (Get-Process -Id $PID).Path -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
        $out | Should -Match 'nowhere'
        $out | Should -Match 'runtimes'
        $out | Should -Match 'system search path'
        $out | Should -Match 'ssis_service'
    }
}
