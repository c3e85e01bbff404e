function Disconnect-SsisServer {
    <#
    .SYNOPSIS
    Closes connections opened with Connect-SsisServer.

    .DESCRIPTION
    Closes the session of each connection named (wildcards allowed), or of the default
    connection when none is named. When the default connection is closed, the most recent
    remaining one becomes the default.

    .PARAMETER Server
    Server names of the connections to close, or wildcard patterns. A name that is exactly a
    connection's name is taken as written, even with brackets ('tls://[::1]:8443'). Default:
    the default connection.

    .PARAMETER All
    Closes every connection.

    .PARAMETER PassThru
    Returns the closed connection objects.

    .EXAMPLE
    Disconnect-SsisServer

    Closes the default connection.

    .EXAMPLE
    Get-SsisServer | Disconnect-SsisServer

    Closes every connection.

    .INPUTS
    SsisService.Connection, or any object with a Server property.

    .OUTPUTS
    None, or SsisService.Connection with -PassThru.

    .LINK
    Connect-SsisServer
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Server')]
    [OutputType('SsisService.Connection')]
    param(
        [Parameter(ParameterSetName = 'Server', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [SupportsWildcards()]
        [string[]]$Server,

        [Parameter(ParameterSetName = 'All', Mandatory)]
        [switch]$All,

        [switch]$PassThru
    )
    process {
        $targets = New-Object System.Collections.Generic.List[object]
        if ($All) {
            foreach ($connection in $script:SsisConnections) { $targets.Add($connection) }
        }
        elseif (-not $Server) {
            if ($null -ne $script:SsisDefaultConnection) { $targets.Add($script:SsisDefaultConnection) }
        }
        else {
            foreach ($pattern in $Server) {
                $found = @(Select-SsisConnection -Caller $PSCmdlet -Name $pattern)
                if ($found.Count -eq 0) {
                    $PSCmdlet.WriteError((New-SsisUsageError -Kind 'NotFound' -TargetObject $pattern -Message ("There is no connection to '{0}'." -f $pattern)))
                }
                foreach ($connection in $found) { $targets.Add($connection) }
            }
        }
        foreach ($connection in $targets) {
            if ($PSCmdlet.ShouldProcess($connection.Server, 'Disconnect')) {
                Close-SsisConnection -Connection $connection
                if ($PassThru) { $connection }
            }
        }
    }
}
