# The session's connections: every Connect-SsisServer adds one; the last becomes the default
# that cmdlets use when given no -Server.

$script:SsisConnections = New-Object System.Collections.Generic.List[object]
$script:SsisDefaultConnection = $null

function Get-SsisConnectionName {
    # The server name a connection is known by: '.' stays '.', 'embedded:<path>' gets an
    # absolute path (relative to the current PowerShell location).
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][AllowEmptyString()][string]$Server
    )
    $name = $Server.Trim()
    if ($name.StartsWith('embedded:', [System.StringComparison]::OrdinalIgnoreCase)) {
        $path = $name.Substring('embedded:'.Length).Trim()
        if ($path) {
            $path = $Caller.SessionState.Path.GetUnresolvedProviderPathFromPSPath($path)
        }
        return 'embedded:' + $path
    }
    if (-not $name) { return '.' }
    return $name
}

function Test-SsisSameConnection {
    # Whether two connection objects are the same connection (by Id; $null matches nothing).
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowNull()][object]$Left, [AllowNull()][object]$Right)
    return ($null -ne $Left -and $null -ne $Right -and $Left.Id -eq $Right.Id)
}

function Find-SsisConnection {
    # The open connection with this server name, or nothing.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)][string]$Name)
    foreach ($connection in $script:SsisConnections) {
        if ([string]::Equals($connection.Server, $Name, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $connection
        }
    }
}

function Select-SsisConnection {
    # The open connections a -Server value names: the one with exactly that name first (as
    # Get-SsisConnectionName writes it; 'tls://[::1]:8443' has brackets but is a name, not a
    # pattern), else, when the value has wildcards, those whose names match it.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][AllowEmptyString()][string]$Name
    )
    $normalised = $Name
    try { $normalised = Get-SsisConnectionName -Caller $Caller -Server $Name } catch { $normalised = $Name }
    foreach ($candidate in @($Name, $normalised)) {
        $exact = Find-SsisConnection -Name $candidate
        if ($null -ne $exact) { return $exact }
    }
    if (-not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($Name)) { return }
    $pattern = New-Object System.Management.Automation.WildcardPattern($Name, [System.Management.Automation.WildcardOptions]::IgnoreCase)
    foreach ($connection in $script:SsisConnections) {
        if ($pattern.IsMatch($connection.Server)) { $connection }
    }
}

function Remove-SsisConnectionEntry {
    # Drops the connection from the list (by Id); does not close it.
    [CmdletBinding()]
    param([Parameter(Mandatory)][object]$Connection)
    for ($i = $script:SsisConnections.Count - 1; $i -ge 0; $i--) {
        if (Test-SsisSameConnection $script:SsisConnections[$i] $Connection) { $script:SsisConnections.RemoveAt($i) }
    }
}

function Open-SsisConnection {
    # Opens a session on the server (a name from Get-SsisConnectionName), records it and returns
    # its connection object. Throws the library's error (as an exception) on failure.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][string]$Name,
        [AllowNull()][string]$OptionsJson
    )
    $handle = [SsisService.SsisNative]::Connect($Name, $OptionsJson)
    $mode = 'Service'
    $configPath = $null
    if ($Name.StartsWith('embedded:', [System.StringComparison]::OrdinalIgnoreCase)) {
        $mode = 'Embedded'
        $configPath = $Name.Substring('embedded:'.Length)
        if (-not $configPath) { $configPath = $null }
    }
    $connection = [pscustomobject]@{
        PSTypeName  = 'SsisService.Connection'
        Id          = [guid]::NewGuid()
        Server      = $Name
        Mode        = $mode
        ConfigPath  = $configPath
        ConnectedAt = [DateTime]::UtcNow
        IsDefault   = $false
        Handle      = $handle
    }
    $existing = Find-SsisConnection -Name $Name
    if ($null -ne $existing) {
        Remove-SsisConnectionEntry -Connection $existing
        if (Test-SsisSameConnection $script:SsisDefaultConnection $existing) { $script:SsisDefaultConnection = $null }
        $existing.Handle.Dispose()
    }
    $script:SsisConnections.Add($connection)
    return $connection
}

function ConvertTo-SsisConnectOption {
    # The C API's connection options (ssis_connect's options_json: Token, CaFile, SshConfig,
    # RemoteProgram) from Connect-SsisServer's parameters, as compact JSON; $null when none is
    # given. The token comes from a SecureString (-Token) or a credential's password
    # (-Credential) and is in clear text only inside this JSON, which goes straight to the
    # library. Files are resolved against the current location.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [AllowNull()][System.Security.SecureString]$Token,
        [AllowNull()][System.Management.Automation.PSCredential]$Credential,
        [AllowNull()][string]$CaFile,
        [AllowNull()][string]$SshConfig,
        [AllowNull()][string]$RemoteProgram
    )
    $options = [ordered]@{}
    $secret = $Token
    if ($null -eq $secret -and $null -ne $Credential -and $Credential.Password.Length -gt 0) { $secret = $Credential.Password }
    if ($null -ne $secret) {
        $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($secret)
        try { $options['Token'] = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr) }
        finally { [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr) }
    }
    if ($CaFile) { $options['CaFile'] = $Caller.SessionState.Path.GetUnresolvedProviderPathFromPSPath($CaFile) }
    if ($SshConfig) { $options['SshConfig'] = $Caller.SessionState.Path.GetUnresolvedProviderPathFromPSPath($SshConfig) }
    if ($RemoteProgram) { $options['RemoteProgram'] = $RemoteProgram }
    if ($options.Count -eq 0) { return $null }
    return ConvertTo-Json -InputObject $options -Depth 2 -Compress
}

function Add-SsisSshUser {
    # 'ssh://host[:port]' with the credential's user name added ('ssh://user@host'), when the
    # server names no user; any other server as it is.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string]$Server, [AllowNull()][System.Management.Automation.PSCredential]$Credential)
    if ($null -eq $Credential -or -not $Credential.UserName) { return $Server }
    if (-not $Server.StartsWith('ssh://', [System.StringComparison]::OrdinalIgnoreCase)) { return $Server }
    $rest = $Server.Substring('ssh://'.Length)
    if ($rest.Contains('@')) { return $Server }
    return 'ssh://' + $Credential.UserName + '@' + $rest
}

function Use-SsisDefaultConnection {
    # Makes the connection the default one (or clears the default with $null). The public
    # cmdlet calling it has asked ShouldProcess already.
    [CmdletBinding()]
    param([AllowNull()][object]$Connection)
    foreach ($each in $script:SsisConnections) { $each.IsDefault = $false }
    $script:SsisDefaultConnection = $Connection
    if ($null -ne $Connection) { $Connection.IsDefault = $true }
}

function Close-SsisConnection {
    # Closes the connection's session and forgets it; the most recent remaining one becomes
    # the default when it was the default. The public cmdlet has asked ShouldProcess already.
    [CmdletBinding()]
    param([Parameter(Mandatory)][object]$Connection)
    Remove-SsisConnectionEntry -Connection $Connection
    $Connection.Handle.Dispose()
    if (Test-SsisSameConnection $script:SsisDefaultConnection $Connection) {
        $next = $null
        if ($script:SsisConnections.Count -gt 0) { $next = $script:SsisConnections[$script:SsisConnections.Count - 1] }
        Use-SsisDefaultConnection -Connection $next
    }
}

function Resolve-SsisConnection {
    # The connection a cmdlet works on: -Server names one (connected on first use, without
    # becoming the default), else the default. Terminating error when there is none.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [AllowNull()][AllowEmptyString()][string]$Server
    )
    if ($Server) {
        $name = Get-SsisConnectionName -Caller $Caller -Server $Server
        $connection = Find-SsisConnection -Name $name
        if ($null -ne $connection) { return $connection }
        $opened = Invoke-SsisNative $Caller { Open-SsisConnection -Name $name } -SsisTarget $name -SsisTerminating
        return $opened
    }
    if ($null -eq $script:SsisDefaultConnection) {
        $Caller.ThrowTerminatingError((New-SsisUsageError -Kind 'Connection' -TargetObject $null -Message 'Not connected to an SSIS service: run Connect-SsisServer first (for example Connect-SsisServer -Server . or Connect-SsisServer -ConfigPath ./MsDtsSrvr.ini.xml), or name one with -Server.'))
    }
    return $script:SsisDefaultConnection
}
