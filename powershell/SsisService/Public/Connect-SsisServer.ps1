function Connect-SsisServer {
    <#
    .SYNOPSIS
    Connects to an SSIS service, or opens a service configuration in-process.

    .DESCRIPTION
    Opens a session on each server given and returns a connection object for it. The last
    connection opened becomes the default: cmdlets given no -Server use it. Servers are '.',
    '(local)' or 'localhost' for the local service, 'unix:<socket path>' for a service on
    another socket, or 'embedded:<path to MsDtsSrvr.ini.xml>' (or -ConfigPath) to open a
    configuration and its package store in this process without a service. A service on
    another machine is 'ssh://[user@]host[:port]' or 'tls://host:port'; -Token, -Credential,
    -CaFile, -SshConfig and -RemoteProgram pass the library's connection options for them.
    Connecting again to a server already connected replaces that connection.

    .PARAMETER Server
    One or more server names. Default: '.' (the local service).

    .PARAMETER ConfigPath
    One or more service configuration files (MsDtsSrvr.ini.xml) to open in-process; relative
    paths are resolved against the current location.

    .PARAMETER Token
    The bearer token for a 'tls://host:port' service (issued with ssis service token), as a
    SecureString (Read-Host -AsSecureString). Passed to the library as the Token connection
    option; default: $env:SSIS_SERVICE_TOKEN.

    .PARAMETER Credential
    For 'tls://': the password is the bearer token (like -Token). For 'ssh://host': the user
    name is the ssh login when the server names none (ssh authenticates with its keys or
    agent; the password is not used for ssh).

    .PARAMETER CaFile
    For 'tls://': a PEM file of the certificate authorities to trust (the CaFile option);
    default: $env:SSIS_SERVICE_CA, else the system's.

    .PARAMETER SshConfig
    For 'ssh://': an ssh configuration file (ssh -F; the SshConfig option); default:
    $env:SSIS_SSH_CONFIG.

    .PARAMETER RemoteProgram
    For 'ssh://': the ssis program on the remote host (the RemoteProgram option); default:
    $env:SSIS_REMOTE_PROGRAM, else 'ssis'.

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

    .EXAMPLE
    Connect-SsisServer -Server 'tls://etl01:8443' -Token (Read-Host -AsSecureString 'Token') -CaFile ./ca.pem

    Connects over TLS with a bearer token, trusting the certificate authority in ca.pem.

    .EXAMPLE
    Connect-SsisServer -Server 'ssh://db01' -Credential etl -SshConfig ~/.ssh/config.etl

    Connects through ssh as the user etl, with another ssh configuration file.

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
        [string[]]$ConfigPath,

        [Parameter(ParameterSetName = 'Server')]
        [System.Security.SecureString]$Token,

        [Parameter(ParameterSetName = 'Server')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string]$CaFile,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string]$SshConfig,

        [Parameter(ParameterSetName = 'Server')]
        [ValidateNotNullOrEmpty()]
        [string]$RemoteProgram
    )
    process {
        $names = $Server
        if ($PSCmdlet.ParameterSetName -eq 'Embedded') {
            $names = foreach ($file in $ConfigPath) { 'embedded:' + $file }
        }
        $credentialGiven = $null
        if ($null -ne $Credential -and $Credential -ne [System.Management.Automation.PSCredential]::Empty) { $credentialGiven = $Credential }
        foreach ($each in $names) {
            $name = Get-SsisConnectionName -Caller $PSCmdlet -Server (Add-SsisSshUser -Server $each -Credential $credentialGiven)
            $optionsJson = $null
            $tokenCredential = $null
            if ($name.StartsWith('tls://', [System.StringComparison]::OrdinalIgnoreCase)) { $tokenCredential = $credentialGiven }
            $optionsJson = ConvertTo-SsisConnectOption -Caller $PSCmdlet -Token $Token -Credential $tokenCredential -CaFile $CaFile -SshConfig $SshConfig -RemoteProgram $RemoteProgram
            Write-Verbose ('Connecting to {0}' -f $name)
            $connection = Invoke-SsisNative $PSCmdlet { Open-SsisConnection -Name $name -OptionsJson $optionsJson } -SsisTarget $name
            if ($null -eq $connection) { continue }
            Use-SsisDefaultConnection -Connection $connection
            $connection
        }
    }
}
