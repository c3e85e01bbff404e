function Remove-SsisPackage {
    <#
    .SYNOPSIS
    Deletes packages from the package store.

    .DESCRIPTION
    Deletes each package named (wildcards allowed). Asks for confirmation unless -Force or
    -Confirm:$false is given. Each failure is reported and the next package follows.

    .PARAMETER Path
    Store paths of the packages (wildcards allowed); bound from package objects by Path.

    .PARAMETER Force
    Does not ask for confirmation.

    .PARAMETER Server
    The server to work on. Default: the default connection; bound from package objects.

    .EXAMPLE
    Remove-SsisPackage '\File System\Sales\Daily Load (old)'

    Deletes one package after confirmation.

    .EXAMPLE
    Get-SsisPackage '\File System\Scratch\*' | Remove-SsisPackage -Force

    Deletes every package of the Scratch folder without asking.

    .INPUTS
    SsisService.Package, or objects with the properties Path and Server.

    .OUTPUTS
    None

    .LINK
    Get-SsisPackage
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [SupportsWildcards()]
        [string[]]$Path,

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
        foreach ($each in $Path) {
            foreach ($storePath in (Get-SsisSourcePackagePath -Caller $PSCmdlet -Connection $connection -Path $each)) {
                if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $storePath, $connection.Server), 'Delete package')) { continue }
                [void](Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageDelete($handle, $storePath) } -SsisTarget $storePath)
            }
        }
    }
}
