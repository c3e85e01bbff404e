function Get-SsisAccess {
    <#
    .SYNOPSIS
    Lists the access grants of the service.

    .DESCRIPTION
    Lists the grants in force: one object per principal ('user:NAME' or 'group:NAME') with
    the rights it holds (Connect, Read, Write, Execute, Operate, Administer). With -Principal, only the
    grants whose principal matches (wildcards allowed); a principal named without a wildcard
    that has no grant is an ObjectNotFound error (Ssis.NotFound). No grant at all means only
    the service account and administrators (root) have access. Needs the Administer right.

    .PARAMETER Principal
    Principals to list, 'user:NAME' or 'group:NAME', or wildcard patterns ('group:*').
    Default: every grant.

    .PARAMETER Server
    The server to ask (a name given to Connect-SsisServer). Default: the default connection.

    .EXAMPLE
    Get-SsisAccess

    Lists every grant on the default server.

    .EXAMPLE
    Get-SsisAccess 'group:*' -Server ssh://etl@db01

    Lists the grants held by groups on db01.

    .EXAMPLE
    Get-SsisAccess -Server ssh://etl@db01 | Grant-SsisAccess -Server ssh://etl@db02

    Copies the grants of db01 to db02 (the rights are added to db02's grants).

    .INPUTS
    System.String. Principals, by value or by the property name Principal.

    .OUTPUTS
    SsisService.AccessGrant. Principal, Rights, Server.

    .LINK
    Grant-SsisAccess

    .LINK
    Revoke-SsisAccess
    #>
    [CmdletBinding()]
    [OutputType('SsisService.AccessGrant')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [SupportsWildcards()]
        [string[]]$Principal = @('*'),

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $principalFromCommandLine = $PSBoundParameters.ContainsKey('Principal')
    }
    process {
        # A connection piped from Get-SsisServer binds -Server; its string form is no principal.
        $patterns = @(Get-SsisPipelineString -Caller $PSCmdlet -Value $Principal -PipelineObject $_ -FromCommandLine $principalFromCommandLine -Parameter 'Principal')
        if ($patterns.Count -eq 0) { $patterns = @('*') }
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::AccessList($handle) } -SsisTarget $connection.Server
        if ($null -eq $json) { return }
        $grants = @(ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.AccessGrant' -Server $connection.Server -Items)
        foreach ($pattern in $patterns) {
            $matched = @($grants | Where-Object { $_.Principal -like $pattern })
            if ($matched.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($pattern)) {
                $PSCmdlet.WriteError((New-SsisUsageError -Kind 'NotFound' -TargetObject $pattern -Message ("'{0}' holds no grant on {1}." -f $pattern, $connection.Server)))
                continue
            }
            $matched
        }
    }
}
