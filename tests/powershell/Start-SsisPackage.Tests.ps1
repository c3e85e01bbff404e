BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $skip = -not (Test-SsisExported 'Start-SsisPackage')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    if (Test-SsisExported 'Start-SsisPackage') {
        $service = Start-SsisTestService
        Connect-SsisServer -Server $service.Server | Out-Null
    }
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
    if ($service) { Stop-SsisTestService $service }
}

Describe 'Start-SsisPackage' -Skip:$skip {
    It 'starts a package and returns the running execution' {
        $execution = Start-SsisPackage '\File System\Hello'
        $execution.PSObject.TypeNames | Should -Contain 'SsisService.Execution'
        $execution.ExecutionId | Should -Match '^[0-9a-f-]{36}$'
        $execution.StartTime | Should -BeOfType [datetime]
        $execution.Server | Should -Be $service.Server
    }

    It 'waits for the end with -Wait' {
        $execution = Start-SsisPackage '\File System\Hello' -Wait
        $execution.Status | Should -Be 'Succeeded'
        $execution.EndTime | Should -BeOfType [datetime]
        (Get-SsisExecutionOutput -ExecutionId $execution.ExecutionId) -join "`n" | Should -Match 'DTSER_SUCCESS'
    }

    It 'passes -Set overrides as the options Set array' {
        # Hello declares no variable Count: the runner refuses the override and says so.
        $execution = Start-SsisPackage '\File System\Hello' -Set @{ Count = 5 } -Wait -ErrorAction SilentlyContinue
        ($execution.CommandLine -join ' ') | Should -Match 'Count\]\.Properties\[Value\];5'
        $execution.Status | Should -Be 'Failed'
        ($execution | Get-SsisExecutionOutput) -join "`n" | Should -Match 'User::Count'
    }

    It 'runs package files with -File, by name and from Get-ChildItem' {
        $file = Join-Path $TestDrive 'Hallo Welt €.dtsx'
        Copy-Item -LiteralPath (Join-Path $RepoRoot 'examples/Packages/Hello.dtsx') -Destination $file
        $execution = Start-SsisPackage -File $file -Wait
        $execution.Status | Should -Be 'Succeeded'
        $execution.Store | Should -Be 'File'
        $execution.PackageName | Should -Be 'Hallo Welt €'
        $execution.PackagePath | Should -BeNullOrEmpty
        $piped = @(Get-Item -LiteralPath $file | Start-SsisPackage -Wait)
        $piped.Count | Should -Be 1
        $piped[0].PackageFile | Should -Be $execution.PackageFile
        { Start-SsisPackage -File (Join-Path $TestDrive 'none.dtsx') -ErrorAction Stop } | Should -Throw -ErrorId 'Ssis.NotFound*'
    }

    It 'opens a package protected with a password with -Password, which no record shows' -Skip:$SsisTestIsWindows {
        # The fixture writes its secret through /bin/sh to the file User::Out names.
        $package = Join-Path $RepoRoot 'tests/fixtures/password/secret-sensitive.dtsx'
        $out = Join-Path $TestDrive 'secret.out'
        $password = ConvertTo-SecureString "Zugang $([char]0xF6)ffnen 1" -AsPlainText -Force
        $execution = Start-SsisPackage -File $package -Set @{ Out = $out } -Password $password -Wait
        $execution.Status | Should -Be 'Succeeded'
        Get-Content -LiteralPath $out -Raw | Should -Be "geheim-w$([char]0xF6)rt"
        ($execution.CommandLine -join ' ') | Should -Match '/DECRYPT$'
        ($execution.CommandLine -join ' ') | Should -Not -Match 'Zugang'
        $wrong = ConvertTo-SecureString 'wrong' -AsPlainText -Force
        $failed = Start-SsisPackage -File $package -Set @{ Out = $out } -Password $wrong -Wait -ErrorAction SilentlyContinue
        $failed.Status | Should -Be 'Failed'
        ($failed | Get-SsisExecutionOutput) -join "`n" | Should -Match 'does not decrypt'
    }

    It 'runs a package of a project with -Project and -Package' -Skip:$SsisTestIsWindows {
        $project = Join-Path $RepoRoot 'tests/fixtures/password/project'
        $out = Join-Path $TestDrive 'project.out'
        $password = ConvertTo-SecureString "Zugang $([char]0xF6)ffnen 1" -AsPlainText -Force
        $execution = Start-SsisPackage -Project $project -Package 'Secret.dtsx' -Set @{ Out = $out } -Password $password -Wait
        $execution.Status | Should -Be 'Succeeded'
        $execution.Store | Should -Be 'Project'
        $execution.PackageName | Should -Be 'Secret'
        Get-Content -LiteralPath $out -Raw | Should -Be "tok&en-42|geheim-w$([char]0xF6)rt"
    }

    It 'honours -WhatIf' {
        $before = @(Get-SsisExecution -Last 10000).Count
        Start-SsisPackage '\File System\Hello' -WhatIf
        @(Get-SsisExecution -Last 10000).Count | Should -Be $before
    }

    It 'reports a package that fails as Ssis.PackageFailed with -Wait' {
        Start-SsisPackage '\File System\Sales\Daily Load' -Wait -ErrorVariable failures -ErrorAction SilentlyContinue | Out-Null
        $failures | Where-Object FullyQualifiedErrorId -like 'Ssis.PackageFailed*' | Should -Not -BeNullOrEmpty
    }

    It 'gives up waiting after -Timeout with OperationTimeout' {
        Import-SsisSleepPackage -Server $service.Server | Out-Null
        Start-SsisPackage '\File System\Sleep' -Wait -Timeout 1 -ErrorVariable failures -ErrorAction SilentlyContinue | Out-Null
        $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        Get-SsisExecution -Running | Stop-SsisPackage -Force
    }

    It 'starts piped packages and reports a missing one' {
        $runs = @(Get-SsisPackage '\File System\Hello' | Start-SsisPackage)
        $runs.Count | Should -Be 1
        { Start-SsisPackage '\File System\Nope' -ErrorAction Stop } | Should -Throw -ErrorId 'Ssis.NotFound*'
    }
}
