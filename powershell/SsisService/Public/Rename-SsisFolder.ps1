function Rename-SsisFolder {
    <#
    .SYNOPSIS
    Renames a folder of the package store.

    .DESCRIPTION
    Gives the folder a new name in the same parent folder. The packages and subfolders it
    holds move with it.

    .PARAMETER Path
    Store path of the folder to rename, always taken as written: '[' and ']' are characters of
    the name, never wildcards (aliases LiteralPath and LP, like the other store-path cmdlets).
    Folder objects bind it by their Path.

    .PARAMETER NewName
    The new name (a name, not a path).

    .PARAMETER PassThru
    Returns the renamed folder.

    .PARAMETER Server
    The server to work on. Default: the default connection.

    .EXAMPLE
    Rename-SsisFolder '\File System\Sales' -NewName 'Sales (old)'

    Renames the folder Sales.

    .EXAMPLE
    Get-SsisFolder '\File System\Tmp*' | Rename-SsisFolder -NewName { $_.Name -replace '^Tmp', 'Scratch' } -PassThru

    Renames several folders, computing each new name from the old one.

    .INPUTS
    SsisService.Folder, or objects with the properties Path and Server.

    .OUTPUTS
    None, or SsisService.Folder with -PassThru.

    .LINK
    Get-SsisFolder
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('SsisService.Folder')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('LiteralPath', 'LP')]
        [string]$Path,

        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$NewName,

        [switch]$PassThru,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $storePath = ConvertFrom-SsisLiteralPath -Caller $PSCmdlet -Path $Path
        if ($null -eq $storePath) { return }
        if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $storePath, $connection.Server), ("Rename folder to '{0}'" -f $NewName))) { return }
        $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::FolderRename($handle, $storePath, $NewName) } -SsisTarget $storePath
        if ($null -ne $json -and $PassThru) {
            ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Folder' -Server $connection.Server
        }
    }
}
