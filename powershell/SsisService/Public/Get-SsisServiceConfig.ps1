function Get-SsisServiceConfig {
    <#
    .SYNOPSIS
    Gets the service configuration (MsDtsSrvr.ini.xml) as an object.

    .DESCRIPTION
    Returns the configuration in force on a server (the default connection when no -Server is
    given), or the one in a configuration file (-Path). The object has
    StopExecutingPackagesOnShutdown, TopLevelFolders (Type, Name, StorePath or ServerName),
    Extensions (StateDirectory, Executor, Grants, Listen, TokenStore, GracePeriodSeconds,
    OutputCapBytes, RetentionDays: what the file sets) and Path (the file it came from). Change it and
    pipe it to Set-SsisServiceConfig.

    .PARAMETER Path
    A configuration file to read instead of asking a server.

    .PARAMETER Default
    Reads the default configuration of this machine ($env:SSIS_SERVICE_CONFIG, else the
    platform's default file, else the built-in default) without a connection.

    .PARAMETER Server
    The server to ask. Default: the default connection.

    .EXAMPLE
    (Get-SsisServiceConfig).TopLevelFolders

    Shows the top-level folders of the default connection's configuration.

    .EXAMPLE
    Get-SsisServiceConfig -Path /etc/ssis-service/MsDtsSrvr.ini.xml | Format-List

    Reads a configuration file.

    .INPUTS
    System.String. Server names by the property name Server.

    .OUTPUTS
    SsisService.Config

    .LINK
    Set-SsisServiceConfig

    .LINK
    Test-SsisServiceConfig
    #>
    [CmdletBinding(DefaultParameterSetName = 'Server')]
    [OutputType('SsisService.Config')]
    param(
        [Parameter(ParameterSetName = 'File', Mandatory, Position = 0)]
        [string]$Path,

        [Parameter(ParameterSetName = 'Default', Mandatory)]
        [switch]$Default,

        [Parameter(ParameterSetName = 'Server', ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    process {
        if ($PSCmdlet.ParameterSetName -eq 'Server') {
            $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
            $handle = $connection.Handle
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::GetConfig($handle) } -SsisTarget $connection.Server
            if ($null -ne $json) { ConvertFrom-SsisConfigJson -Json $json -Server $connection.Server }
            return
        }
        $file = $null
        if ($PSCmdlet.ParameterSetName -eq 'File') { $file = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path) }
        $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ConfigRead($file) } -SsisTarget $file
        if ($null -ne $json) { ConvertFrom-SsisConfigJson -Json $json -Server $null }
    }
}
