function Get-SsisServer {
    <#
    .SYNOPSIS
    Lists the open connections, or describes the services behind them.

    .DESCRIPTION
    Returns the connection objects opened with Connect-SsisServer (the default one has
    IsDefault set). With -Detailed, asks each service connection for its information
    (version, process id, start time, configuration, state directory, running executions).

    .PARAMETER Server
    Server names to return, or wildcard patterns. A name that is exactly a connection's name is
    taken as written, even with brackets ('tls://[::1]:8443'). Default: every connection.

    .PARAMETER Detailed
    Returns the service's own description (SsisService.ServiceInfo) for service connections.

    .EXAMPLE
    Get-SsisServer

    Lists the connections of this session.

    .EXAMPLE
    Get-SsisServer -Server . -Detailed | Format-List

    Shows the local service's version, start time and running executions.

    .INPUTS
    System.String. Server names, by value or by the property name Server.

    .OUTPUTS
    SsisService.Connection, or SsisService.ServiceInfo with -Detailed.

    .LINK
    Connect-SsisServer
    #>
    [CmdletBinding()]
    [OutputType('SsisService.Connection', 'SsisService.ServiceInfo')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [SupportsWildcards()]
        [string[]]$Server = @('*'),

        [switch]$Detailed
    )
    process {
        foreach ($pattern in $Server) {
            $found = @(Select-SsisConnection -Caller $PSCmdlet -Name $pattern)
            if ($found.Count -eq 0 -and $pattern -ne '*') {
                $PSCmdlet.WriteError((New-SsisUsageError -Kind 'NotFound' -TargetObject $pattern -Message ("There is no connection to '{0}'." -f $pattern)))
            }
            foreach ($connection in $found) {
                if (-not $Detailed) { $connection; continue }
                $handle = $connection.Handle
                $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ServiceInfo($handle) } -SsisTarget $connection.Server
                if ($null -ne $json) {
                    ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.ServiceInfo' -Server $connection.Server
                }
            }
        }
    }
}
