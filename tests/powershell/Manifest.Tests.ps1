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

Describe 'SsisService loading (issue 15, defect 12)' {
    It 'loads the compiled SsisNative.dll when the module folder has one, else compiles SsisNative.cs' {
        $module = Get-Module SsisService
        $binding = InModuleScope SsisService { $script:SsisLibrary.Binding }
        if (Test-Path -LiteralPath (Join-Path $module.ModuleBase 'SsisNative.dll')) {
            $binding | Should -BeIn @((Join-Path $module.ModuleBase 'SsisNative.dll'), 'already loaded')
        }
        else {
            $binding | Should -BeIn @((Join-Path $module.ModuleBase 'SsisNative.cs'), 'already loaded')
        }
        if ($PSVersionTable.PSEdition -eq 'Core') {
            [SsisService.NativeLoader]::AbiVersionOf([SsisService.NativeLoader]::Library) | Should -Be 1 -Because 'the resolver hands out the loaded library'
        }
    }

    It 'can be imported again after a failed load, and then works' {
        $good = $env:SSIS_SERVICE_LIB
        $source = Join-Path $RepoRoot 'powershell/SsisService/SsisService.psd1'
        try {
            $env:SSIS_SERVICE_LIB = Join-Path $TestDrive 'missing/libssis_service.so'
            { Import-Module $source -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage '*missing*'
        }
        finally {
            $env:SSIS_SERVICE_LIB = $good
        }
        Import-SsisTestModule
        $connection = Connect-SsisTestStore
        @(Get-SsisFolder -Server $connection.Server).Name | Should -Contain 'File System'
        Disconnect-SsisServer -Server $connection.Server -Confirm:$false
    }

    It 'names the file Windows PowerShell 5.1 needs when the library has another name' -Skip:($PSVersionTable.PSEdition -ne 'Desktop') {
        $other = Join-Path $TestDrive 'libssis_service-x64.dll'
        Copy-Item -LiteralPath $env:SSIS_SERVICE_LIB -Destination $other
        $good = $env:SSIS_SERVICE_LIB
        try {
            $env:SSIS_SERVICE_LIB = $other
            { Import-Module (Join-Path $RepoRoot 'powershell/SsisService/SsisService.psd1') -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage "*ssis_service.dll*"
        }
        finally {
            $env:SSIS_SERVICE_LIB = $good
            Import-SsisTestModule
        }
    }
}

