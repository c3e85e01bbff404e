BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-SsisTestModule
    $commands = @(Get-Command -Module SsisService | ForEach-Object { @{ Name = $_.Name } })
}

Describe 'Help of <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name\s"
        ($help.Description | Out-String) | Should -Not -BeNullOrEmpty
    }

    It 'has an example using the cmdlet' {
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        ($help.Examples.Example | ForEach-Object { $_.Code }) -join "`n" | Should -Match ([regex]::Escape($Name))
    }

    It 'documents every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented = $help.Parameters.Parameter | Where-Object Name -eq $parameter
            ($documented.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
    }

    It 'declares its output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty
        ($help.returnValues | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }
}

Describe 'about_SsisService' {
    It 'is found by Get-Help' {
        (Get-Help about_SsisService | Out-String) | Should -Match 'SSIS_SERVICE_LIB'
    }
}
