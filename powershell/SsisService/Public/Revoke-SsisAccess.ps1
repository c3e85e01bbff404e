function Revoke-SsisAccess {
    <#
    .SYNOPSIS
    Takes rights on the service from a user or a group.

    .DESCRIPTION
    Takes the rights named (every right when -Right is not given) from the principal's grant,
    writes the service configuration and applies it at once, to open connections too. Returns
    what the principal keeps (Rights empty when the grant is gone). A principal without a
    grant is an ObjectNotFound error (Ssis.NotFound). Asks for confirmation unless -Force or
    -Confirm:$false is given. Needs the Administer right.

    .PARAMETER Principal
    Whose rights are taken: 'user:NAME' or 'group:NAME'.

    .PARAMETER Right
    The rights to take: Connect, Read, Write, Execute, Operate, Administer, All. Default: every right
    (the grant is removed).

    .PARAMETER Force
    Does not ask for confirmation.

    .PARAMETER Server
    The server to work on. Default: the default connection.

    .EXAMPLE
    Revoke-SsisAccess 'user:alice' -Right Write

    Takes the Write right from alice after confirmation; she keeps her other rights.

    .EXAMPLE
    Revoke-SsisAccess 'user:bob' -Force

    Removes bob's grant without asking.

    .EXAMPLE
    Get-SsisAccess 'user:*' | Revoke-SsisAccess -WhatIf

    Shows which user grants would be removed.

    .INPUTS
    SsisService.AccessGrant, or objects with the properties Principal and Server.

    .OUTPUTS
    SsisService.AccessGrant. What the principal keeps.

    .LINK
    Get-SsisAccess

    .LINK
    Grant-SsisAccess
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('SsisService.AccessGrant')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string[]]$Principal,

        [Parameter(Position = 1)]
        [ValidateSet('Connect', 'Read', 'Write', 'Execute', 'Operate', 'Administer', 'All')]
        [string[]]$Right,

        [switch]$Force,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $rights = $null
        $action = 'Revoke every right'
        if ($Right) {
            $rights = $Right -join ','
            $action = 'Revoke {0}' -f $rights
        }
        foreach ($each in $Principal) {
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $each, $connection.Server), $action)) { continue }
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::AccessRevoke($handle, $each, $rights) } -SsisTarget $each
            if ($null -ne $json) {
                ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.AccessGrant' -Server $connection.Server
            }
        }
    }
}
