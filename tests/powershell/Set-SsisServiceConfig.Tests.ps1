BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $config = New-SsisTestStore
    Connect-SsisServer -ConfigPath $config | Out-Null
}

AfterAll {
    Disconnect-SsisServer -All -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'Set-SsisServiceConfig' {
    It 'changes one setting on the server and in its file' {
        Set-SsisServiceConfig -StopExecutingPackagesOnShutdown $false
        (Get-SsisServiceConfig).StopExecutingPackagesOnShutdown | Should -BeFalse
        (Get-SsisServiceConfig -Path $config).StopExecutingPackagesOnShutdown | Should -BeFalse
        Get-Content -Raw $config | Should -Match '<StopExecutingPackagesOnShutdown>false'
    }

    It 'writes a changed configuration object piped to it' {
        $changed = Get-SsisServiceConfig
        $archive = Join-Path (Split-Path $config) 'Archive'
        New-Item -ItemType Directory -Path $archive | Out-Null
        $changed.TopLevelFolders += [pscustomobject]@{ Type = 'FileSystemFolder'; Name = 'Archive'; StorePath = $archive }
        $written = $changed | Set-SsisServiceConfig -PassThru
        $written.TopLevelFolders.Name | Should -Contain 'Archive'
        (Get-SsisFolder).Name | Should -Contain 'Archive'
    }

    It 'writes a configuration file with -Path' {
        $copy = Join-Path $TestDrive 'copy.xml'
        Copy-Item $config $copy
        Set-SsisServiceConfig -Path $copy -StateDirectory '/var/tmp/ssis-state'
        (Get-SsisServiceConfig -Path $copy).Extensions.StateDirectory | Should -Be '/var/tmp/ssis-state'
    }

    It 'changes nothing when the configuration is invalid' {
        $before = Get-Content -Raw $config
        $bad = Get-SsisServiceConfig
        $bad.TopLevelFolders += [pscustomobject]@{ Type = 'FileSystemFolder'; Name = 'Sales\Bad'; StorePath = 'x' }
        $bad | Set-SsisServiceConfig -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -BeGreaterThan 0
        Get-Content -Raw $config | Should -Be $before
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-Content -Raw $config
        Set-SsisServiceConfig -StopExecutingPackagesOnShutdown $true -WhatIf
        Get-Content -Raw $config | Should -Be $before
    }

    Context 'keeps what it is not told to change (issue 15, defect 1)' {
        BeforeAll {
            $script:rich = New-SsisTestStore
            $text = (Get-Content -Raw $rich).Replace('</DtsServiceConfiguration>', @'
  <SsisService>
    <GracePeriodSeconds>5</GracePeriodSeconds>
    <OutputCapBytes>4096</OutputCapBytes>
    <RetentionDays>30</RetentionDays>
    <TokenStore>tokens.json</TokenStore>
    <Listen Address="127.0.0.1:8443" Certificate="c.pem" Key="k.pem" />
    <Grants>
      <Grant Principal="user:alice" Rights="Connect,Read" />
    </Grants>
    <Future Keep="1" />
  </SsisService>
</DtsServiceConfiguration>
'@)
            Set-Content -LiteralPath $rich -Value $text -NoNewline
            $script:richServer = (Connect-SsisServer -ConfigPath $rich).Server
        }

        It 'keeps grants, listeners and the other extensions when one setting changes on a server' {
            Set-SsisServiceConfig -Server $richServer -StopExecutingPackagesOnShutdown $false
            $now = Get-SsisServiceConfig -Server $richServer
            $now.StopExecutingPackagesOnShutdown | Should -BeFalse
            @($now.Extensions.Grants).Principal | Should -Be @('user:alice')
            @($now.Extensions.Listen).Address | Should -Be @('127.0.0.1:8443')
            $now.Extensions.GracePeriodSeconds | Should -Be 5
            $now.Extensions.OutputCapBytes | Should -Be 4096
            $now.Extensions.RetentionDays | Should -Be 30
            $now.Extensions.TokenStore | Should -Be 'tokens.json'
            Get-Content -Raw $rich | Should -Match '<Future Keep="1" />'
        }

        It 'keeps them when a configuration object is piped back' {
            $object = Get-SsisServiceConfig -Server $richServer
            $object.Extensions.RetentionDays = 7
            $object | Set-SsisServiceConfig
            $now = Get-SsisServiceConfig -Server $richServer
            $now.Extensions.RetentionDays | Should -Be 7
            @($now.Extensions.Grants).Principal | Should -Be @('user:alice')
            @($now.Extensions.Grants)[0].Rights | Should -Be @('Connect', 'Read')
        }

        It 'keeps them in a file with -Path' {
            $copy = Join-Path $TestDrive 'rich-copy.xml'
            Copy-Item -LiteralPath $rich -Destination $copy
            Set-SsisServiceConfig -Path $copy -Executor '/opt/dtexec' -RetentionDays 90
            $now = Get-SsisServiceConfig -Path $copy
            $now.Extensions.Executor | Should -Be '/opt/dtexec'
            $now.Extensions.RetentionDays | Should -Be 90
            @($now.Extensions.Grants).Principal | Should -Be @('user:alice')
            @($now.Extensions.Listen).Address | Should -Be @('127.0.0.1:8443')
        }

        It "removes a setting given ''" {
            $copy = Join-Path $TestDrive 'rich-copy2.xml'
            Copy-Item -LiteralPath $rich -Destination $copy
            Set-SsisServiceConfig -Path $copy -TokenStore ''
            (Get-SsisServiceConfig -Path $copy).Extensions.PSObject.Properties['TokenStore'] | Should -BeNullOrEmpty
        }
    }
}
