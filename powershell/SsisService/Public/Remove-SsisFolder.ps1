function Remove-SsisFolder {
    <#
    .SYNOPSIS
    Deletes folders of the package store.

    .DESCRIPTION
    Deletes each folder named. A folder that holds packages or subfolders is deleted only with
    -Recurse (else the error is ResourceBusy, Ssis.NotEmpty). Asks for confirmation unless
    -Force or -Confirm:$false is given.

    .PARAMETER Path
    Store paths of the folders to delete.

    .PARAMETER Recurse
    Deletes the folder's packages and subfolders too.

    .PARAMETER Force
    Does not ask for confirmation.

    .PARAMETER Server
    The server to work on. Default: the default connection.

    .EXAMPLE
    Remove-SsisFolder '\File System\Scratch'

    Deletes the empty folder Scratch after confirmation.

    .EXAMPLE
    Remove-SsisFolder '\File System\Old' -Recurse -Force

    Deletes the folder Old and everything in it without asking.

    .INPUTS
    SsisService.Folder, or objects with the properties Path and Server.

    .OUTPUTS
    None

    .LINK
    New-SsisFolder
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$Path,

        [switch]$Recurse,

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
            $storePath = ConvertTo-SsisStorePath -Path $each
            $action = 'Delete folder'
            if ($Recurse) { $action = 'Delete folder and everything in it' }
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $storePath, $connection.Server), $action)) { continue }
            [void](Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::FolderDelete($handle, $storePath, [bool]$Recurse) } -SsisTarget $storePath)
        }
    }
}
