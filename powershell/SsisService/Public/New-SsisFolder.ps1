function New-SsisFolder {
    <#
    .SYNOPSIS
    Creates a folder in the package store.

    .DESCRIPTION
    Creates the folder named by its full store path. Its parent must exist, unless -Force is
    given: then missing parents are created too. Returns the new folder.

    .PARAMETER Path
    Store path of the new folder, for example '\File System\Sales\Archive'.

    .PARAMETER Force
    Creates missing parent folders too.

    .PARAMETER Server
    The server to work on. Default: the default connection.

    .EXAMPLE
    New-SsisFolder '\File System\Sales'

    Creates the folder Sales in the File System store.

    .EXAMPLE
    'Finance', 'HR' | ForEach-Object { "\File System\$_" } | New-SsisFolder -WhatIf

    Shows which folders would be created.

    .INPUTS
    System.String. Store paths, by value or by the property name Path.

    .OUTPUTS
    SsisService.Folder

    .LINK
    Remove-SsisFolder
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('SsisService.Folder')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$Path,

        [switch]$Force,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        foreach ($each in $Path) {
            $storePath = ConvertTo-SsisStorePath -Path $each
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $storePath, $connection.Server), 'Create folder')) { continue }
            if ($Force) {
                $segments = @(Get-SsisPathSegment -Path $storePath)
                for ($i = 2; $i -lt $segments.Count; $i++) {
                    $parent = '\' + ($segments[0..($i - 1)] -join '\')
                    $exists = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::Exists($handle, $parent) } -SsisTarget $parent
                    if ($null -ne $exists -and -not (ConvertFrom-Json -InputObject $exists).Folder) {
                        [void](Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::FolderCreate($handle, $parent) } -SsisTarget $parent)
                    }
                }
            }
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::FolderCreate($handle, $storePath) } -SsisTarget $storePath
            if ($null -ne $json) {
                ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Folder' -Server $connection.Server
            }
        }
    }
}
