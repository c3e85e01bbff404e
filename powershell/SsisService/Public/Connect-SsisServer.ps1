function Connect-SsisServer {
    <#
    .SYNOPSIS
    Connects to an SSIS service, or opens a service configuration in-process.

    .DESCRIPTION
    Opens a session on each server given and returns a connection object for it. The last
    connection opened becomes the default: cmdlets given no -Server use it. Servers are '.',
    '(local)' or 'localhost' for the local service, 'unix:<socket path>' for a service on
    another socket, or 'embedded:<path to MsDtsSrvr.ini.xml>' (or -ConfigPath) to open a
    configuration and its package store in this process without a service. Connecting again
    to a server already connected replaces that connection.

    .PARAMETER Server
    One or more server names. Default: '.' (the local service).

    .PARAMETER ConfigPath
    One or more service configuration files (MsDtsSrvr.ini.xml) to open in-process; relative
    paths are resolved against the current location.

    .EXAMPLE
    Connect-SsisServer

    Connects to the local service and makes it the default.

    .EXAMPLE
    Connect-SsisServer -ConfigPath ./MsDtsSrvr.ini.xml
    Get-SsisPackage

    Opens a configuration in-process (no service needed) and lists its packages.

    .EXAMPLE
    $etl = Connect-SsisServer -Server 'unix:/run/ssis-service/ssis.sock', '.'

    Opens two connections; the last one ('.') becomes the default.

    .INPUTS
    System.String. Server names, by value or by the property name Server.

    .OUTPUTS
    SsisService.Connection. Server, Mode (Embedded or Service), ConfigPath, ConnectedAt, IsDefault.

    .LINK
    Disconnect-SsisServer

    .LINK
    Get-SsisServer
    #>
    [CmdletBinding(DefaultParameterSetName = 'Server')]
    [OutputType('SsisService.Connection')]
    param(
        [Parameter(ParameterSetName = 'Server', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]]$Server = @('.'),

        [Parameter(ParameterSetName = 'Embedded', Mandatory)]
        [Alias('Config')]
        [ValidateNotNullOrEmpty()]
        [string[]]$ConfigPath
    )
    process {
        $names = $Server
        if ($PSCmdlet.ParameterSetName -eq 'Embedded') {
            $names = foreach ($file in $ConfigPath) { 'embedded:' + $file }
        }
        foreach ($each in $names) {
            $name = Get-SsisConnectionName -Caller $PSCmdlet -Server $each
            Write-Verbose ('Connecting to {0}' -f $name)
            $connection = Invoke-SsisNative $PSCmdlet { Open-SsisConnection -Name $name } -SsisTarget $name
            if ($null -eq $connection) { continue }
            Use-SsisDefaultConnection -Connection $connection
            $connection
        }
    }
}
