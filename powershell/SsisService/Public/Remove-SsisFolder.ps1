function Remove-SsisFolder {
    <#
    .SYNOPSIS
    Deletes folders of the package store.

    .DESCRIPTION
    Deletes each folder named. A folder that holds packages or subfolders is deleted only with
    -Recurse (else the error is ResourceBusy, Ssis.NotEmpty). Asks for confirmation unless
    -Force or -Confirm:$false is given.

    .PARAMETER Path
    Store paths of the folders to delete, taken as written (no wildcards). Strings piped in
    bind here.

    .PARAMETER LiteralPath
    Store paths used exactly as written, like -Path. Aliases PSPath and LP. Package and folder
    objects piped in bind here (by their PSPath).

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
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline)]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,

        [switch]$Recurse,

        [switch]$Force,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $pathFromCommandLine = $PSBoundParameters.ContainsKey('Path')
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $literal = $PSCmdlet.ParameterSetName -eq 'LiteralPath'
        if ($literal) { $names = @(foreach ($each in $LiteralPath) { ConvertFrom-SsisLiteralPath -Caller $PSCmdlet -Path $each }) }
        else { $names = @(Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path' -Required) }
        foreach ($each in $names) {
            $storePath = ConvertTo-SsisStorePath -Path $each
            $action = 'Delete folder'
            if ($Recurse) { $action = 'Delete folder and everything in it' }
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $storePath, $connection.Server), $action)) { continue }
            [void](Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::FolderDelete($handle, $storePath, [bool]$Recurse) } -SsisTarget $storePath)
        }
    }
}
