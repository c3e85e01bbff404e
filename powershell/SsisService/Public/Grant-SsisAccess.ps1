function Grant-SsisAccess {
    <#
    .SYNOPSIS
    Grants rights on the service to a user or a group.

    .DESCRIPTION
    Adds the rights to the principal's grant (creating the grant when it has none), writes the
    service configuration and applies it at once, to open connections too. Returns the grant
    as it is now. Rights: Connect (needed for any use), Read, Write, Execute, Operate, Administer, or
    All. A bad principal or right is an InvalidArgument error naming it. Needs the Administer
    right.

    .PARAMETER Principal
    Who gets the rights: 'user:NAME' or 'group:NAME'.

    .PARAMETER Right
    The rights to add: Connect, Read, Write, Execute, Operate, Administer, All.

    .PARAMETER Server
    The server to work on. Default: the default connection.

    .EXAMPLE
    Grant-SsisAccess 'group:etl' -Right Connect, Read, Execute

    Lets the members of the group etl connect, read the store and run packages.

    .EXAMPLE
    Grant-SsisAccess 'user:alice' -Right Connect, Read -WhatIf

    Shows what would be granted, changing nothing.

    .EXAMPLE
    Get-SsisAccess -Server ssh://etl@db01 | Grant-SsisAccess -Server ssh://etl@db02

    Copies the grants of db01 to db02.

    .INPUTS
    SsisService.AccessGrant, or objects with the properties Principal, Rights (or Right) and Server.

    .OUTPUTS
    SsisService.AccessGrant. The principal's grant after the change.

    .LINK
    Get-SsisAccess

    .LINK
    Revoke-SsisAccess
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('SsisService.AccessGrant')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string[]]$Principal,

        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [Alias('Rights')]
        [ValidateSet('Connect', 'Read', 'Write', 'Execute', 'Operate', 'Administer', 'All')]
        [string[]]$Right,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $rights = $Right -join ','
        foreach ($each in $Principal) {
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $each, $connection.Server), ('Grant {0}' -f $rights))) { continue }
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::AccessGrant($handle, $each, $rights) } -SsisTarget $each
            if ($null -ne $json) {
                ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.AccessGrant' -Server $connection.Server
            }
        }
    }
}
