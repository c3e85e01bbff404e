function New-SsisFolder {
    <#
    .SYNOPSIS
    Creates a folder in the package store.

    .DESCRIPTION
    Creates the folder named by its full store path. Its parent must exist, unless -Force is
    given: then missing parents are created too. Returns the new folder.

    .PARAMETER Path
    Store path of the new folder, for example '\File System\Sales\Archive', taken as
    written. Strings piped in bind here.

    .PARAMETER LiteralPath
    Store paths used exactly as written, like -Path. Aliases PSPath and LP. Package and folder
    objects piped in bind here (by their PSPath).

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
    System.String (store paths, to -Path), or SsisService.Package / SsisService.Folder objects
    (to -LiteralPath by PSPath, and -Server).

    .OUTPUTS
    SsisService.Folder

    .LINK
    Remove-SsisFolder
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess)]
    [OutputType('SsisService.Folder')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline)]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,

        [switch]$Force,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $pathFromCommandLine = $PSBoundParameters.ContainsKey('Path')
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $literal = $PSCmdlet.ParameterSetName -eq 'LiteralPath'
        if ($literal) { $names = @(foreach ($each in $LiteralPath) { ConvertFrom-SsisLiteralPath -Caller $PSCmdlet -Path $each }) }
        else { $names = @(Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path' -Required) }
        foreach ($each in $names) {
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
