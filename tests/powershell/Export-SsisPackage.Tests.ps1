BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $connection = Connect-SsisTestStore
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Export-SsisPackage' {
    It 'exports piped packages into a folder it creates' {
        $backup = Join-Path $TestDrive 'backup'
        Get-SsisPackage '\File System\Sales\*' | Export-SsisPackage -Destination $backup
        (Get-ChildItem $backup).Name | Sort-Object | Should -Be @('Daily Load.dtsx', 'Monthly Close.dtsx')
        (Get-Item (Join-Path $backup 'Daily Load.dtsx')).Length | Should -Be (Get-SsisPackage '\File System\Sales\Daily Load').Size
    }

    It 'resolves a relative destination against the current location' {
        Push-Location $TestDrive
        try {
            Export-SsisPackage '\File System\Hello' -Destination './rel.dtsx'
            Test-Path (Join-Path $TestDrive 'rel.dtsx') | Should -BeTrue
            New-Item -ItemType Directory (Join-Path $TestDrive 'rel2') | Out-Null
            Export-SsisPackage '\File System\Hello' -Destination './rel2'
            Test-Path (Join-Path $TestDrive 'rel2/Hello.dtsx') | Should -BeTrue
        }
        finally {
            Pop-Location
        }
    }

    It 'writes one file and returns what it wrote with -PassThru' {
        $file = Join-Path $TestDrive 'one.dtsx'
        $result = Export-SsisPackage '\File System\Hello' -Destination $file -PassThru
        $result.File | Should -Be $file
        $result.Path | Should -Be '\File System\Hello'
        $result.PSObject.TypeNames | Should -Contain 'SsisService.ExportResult'
    }

    It 'refuses to replace a file without -Force, replaces it with -Force' {
        $file = Join-Path $TestDrive 'twice.dtsx'
        Export-SsisPackage '\File System\Hello' -Destination $file
        { Export-SsisPackage '\File System\Hello' -Destination $file -ErrorAction Stop } | Should -Throw -ErrorId 'Ssis.AlreadyExists*'
        { Export-SsisPackage '\File System\Hello' -Destination $file -Force -ErrorAction Stop } | Should -Not -Throw
    }

    It 'writes nothing with -WhatIf' {
        $file = Join-Path $TestDrive 'whatif.dtsx'
        Export-SsisPackage '\File System\Hello' -Destination $file -WhatIf
        Test-Path $file | Should -BeFalse
    }

    It 'exports piped packages whose names have brackets (issue 15, defect 3: the README backup pipeline)' {
        $odd = Add-SsisBracketPackage -Server (Get-SsisServer | Where-Object IsDefault).Server
        $backup = Join-Path $TestDrive 'backup-brackets'
        Get-SsisPackage -Recurse | Export-SsisPackage -Destination $backup
        Test-Path -LiteralPath (Join-Path $backup ($odd.Name + '.dtsx')) | Should -BeTrue
        Export-SsisPackage -LiteralPath $odd.Path -Destination (Join-Path $TestDrive 'one.dtsx') -Force
        Test-Path -LiteralPath (Join-Path $TestDrive 'one.dtsx') | Should -BeTrue
    }
}
