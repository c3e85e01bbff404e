BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Get-SsisPackage' {
    It 'returns every package without -Path' {
        (Get-SsisPackage).Path | Sort-Object | Should -Be @('\File System\Hello', '\File System\Maintenance\Cleanup', '\File System\Sales\Daily Load', '\File System\Sales\Monthly Close')
    }

    It 'returns typed objects with DateTime, identity and header properties' {
        $package = Get-SsisPackage '\File System\Hello'
        $package.PSObject.TypeNames | Should -Contain 'SsisService.Package'
        $package.Modified | Should -BeOfType [datetime]
        $package.Modified.Kind | Should -Be 'Utc'
        $package.Server | Should -Be $connection.Server
        $package.Description | Should -Be 'Says hello: the smallest runnable package'
        $package.Version | Should -Be '1.0.1'
        $package.ProtectionLevelName | Should -Be 'EncryptSensitiveWithUserKey'
    }

    It 'lists a folder, and its subfolders with -Recurse' {
        @(Get-SsisPackage '\File System').Path | Should -Be '\File System\Hello'
        @(Get-SsisPackage '\File System' -Recurse).Count | Should -Be 4
    }

    It 'matches wildcards by name, segment by segment' {
        (Get-SsisPackage '\File System\Sales\*').Name | Sort-Object | Should -Be @('Daily Load', 'Monthly Close')
        (Get-SsisPackage '\File System\*\D*').Name | Should -Be 'Daily Load'
        (Get-SsisPackage '\File System\S*').Name | Sort-Object | Should -Be @('Daily Load', 'Monthly Close')
        (Get-SsisPackage '\*\C*' -Recurse).Name | Should -Be 'Cleanup'
    }

    It 'takes -LiteralPath as written (no wildcard expansion)' {
        Get-SsisPackage -LiteralPath '\File System\Sales\*' -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Get-SsisPackage -LiteralPath '\File System\Hello').Name | Should -Be 'Hello'
    }

    It 'adds the contents with -Detailed' {
        $package = Get-SsisPackage '\File System\Hello' -Detailed
        $package.Details.Executables[0].Name | Should -Be 'Say hello'
    }

    It 'reports a missing path as ObjectNotFound and goes on' {
        $found = @(Get-SsisPackage '\File System\Nope', '\File System\Hello' -ErrorVariable failures -ErrorAction SilentlyContinue)
        $found.Name | Should -Be 'Hello'
        $failures[0].TargetObject | Should -Be '\File System\Nope'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Ssis.NotFound*'
    }

    It 'shows a compact default table' {
        $table = Get-SsisPackage '\File System\Hello' | Format-Table | Out-String
        $table | Should -Match 'ProtectionLevel'
        $table | Should -Not -Match 'Metadata'
    }

    Context 'names with brackets and piped objects (issue 15, defects 3 and 10)' {
        BeforeAll { $odd = Add-SsisBracketPackage -Server $connection.Server }

        It 'gives package objects a PSPath that binds -LiteralPath' {
            $odd.PSPath | Should -Be ('SsisService::' + $odd.Path)
            @(Get-SsisPackage -LiteralPath $odd.Path).Path | Should -Be @($odd.Path)
            @(Get-SsisPackage -LP $odd.PSPath).Path | Should -Be @($odd.Path)
            @($odd | Get-SsisPackage).Path | Should -Be @($odd.Path)
        }

        It 'reads brackets in -Path as a wildcard, and `[ as a bracket' {
            @(Get-SsisPackage -Path '\File System\Grüße `[1`]').Path | Should -Be @($odd.Path)
            @(Get-SsisPackage -Path '\File System\Grüße [1]') | Should -BeNullOrEmpty
        }

        It 'lists the packages of a connection piped from Get-SsisServer (not its string form)' {
            $all = @(Get-SsisServer -Server $connection.Server | Get-SsisPackage -ErrorVariable e)
            $e.Count | Should -Be 0
            $all.Path | Should -Contain '\File System\Hello'
            $all.Path | Should -Contain $odd.Path
        }

        It 'reads -Detailed for a package with an executable of no type (defect 5)' {
            $text = Get-Content -Raw (Join-Path $RepoRoot 'examples/Packages/Hello.dtsx')
            $text = $text -replace 'DTS:ExecutableType="Microsoft.ExecuteProcess"', ''
            $file = Join-Path $TestDrive 'Untyped.dtsx'
            [System.IO.File]::WriteAllText($file, $text)
            Import-SsisPackage -LiteralPath $file -Destination '\File System' -Force | Out-Null
            $package = Get-SsisPackage -LiteralPath '\File System\Untyped' -Detailed -ErrorAction Stop
            $package.Details.ExecutableCounts.PSObject.Properties.Name | Should -Not -Contain ''
        }
    }
}
