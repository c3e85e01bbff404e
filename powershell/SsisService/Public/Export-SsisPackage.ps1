function Export-SsisPackage {
    <#
    .SYNOPSIS
    Exports packages from the package store to .dtsx files.

    .DESCRIPTION
    Writes each package to a file. When -Destination is a folder (an existing directory, or
    a path not ending in '.dtsx', which is created), the file is named after the package.
    Existing files are replaced only with -Force. Files are written atomically: a failed
    export leaves no partial file. Shows progress while exporting; each failure is reported
    and the next package is exported.

    .PARAMETER Path
    Store paths of the packages; wildcards allowed ('`[' escapes a bracket). Strings piped in
    bind here.

    .PARAMETER LiteralPath
    Store paths used exactly as written: '[', ']', '*' and '?' are characters of the name,
    never wildcards. Aliases PSPath and LP. Package and folder objects piped in bind here (by
    their PSPath), so a pipeline never re-reads a name as a pattern.

    .PARAMETER Destination
    A directory, or a file path ending in '.dtsx' for one package.

    .PARAMETER Force
    Replaces existing files.

    .PARAMETER PassThru
    Returns an object per file written (Path, File, Size).

    .PARAMETER Server
    The server to work on. Default: the default connection; bound from package objects.

    .EXAMPLE
    Get-SsisPackage '\File System\Sales\*' | Export-SsisPackage -Destination ./backup

    Backs up the Sales folder's packages into ./backup.

    .EXAMPLE
    Export-SsisPackage '\File System\Hello' -Destination ./hello.dtsx -Force -PassThru

    Exports one package to a file, replacing it, and shows the file written.

    .INPUTS
    SsisService.Package (to -LiteralPath by PSPath, and -Server), or System.String (store
    paths, to -Path).

    .OUTPUTS
    None, or SsisService.ExportResult with -PassThru.

    .LINK
    Import-SsisPackage
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess)]
    [OutputType('SsisService.ExportResult')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline)]
        [SupportsWildcards()]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,

        [Parameter(Mandatory, Position = 1)]
        [string]$Destination,

        [switch]$Force,

        [switch]$PassThru,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $pathFromCommandLine = $PSBoundParameters.ContainsKey('Path')
        $target = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Destination)
        $toFile = $target.EndsWith('.dtsx', [System.StringComparison]::OrdinalIgnoreCase) -and -not (Test-Path -LiteralPath $target -PathType Container)
        $count = 0
        $activity = 'Exporting packages to {0}' -f $target
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $literal = $PSCmdlet.ParameterSetName -eq 'LiteralPath'
        $names = $LiteralPath
        if (-not $literal) { $names = @(Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path' -Required) }
        foreach ($each in $names) {
            foreach ($storePath in (Get-SsisSourcePackagePath -Caller $PSCmdlet -Connection $connection -Path $each -Literal:$literal)) {
                $file = $target
                if (-not $toFile) {
                    $file = Join-Path $target ((Split-SsisStorePath -Path $storePath).Leaf + '.dtsx')
                }
                $count++
                Write-Progress -Activity $activity -Status ('{0}: {1}' -f $count, $storePath) -CurrentOperation $file
                if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $storePath, $connection.Server), ("Export package to '{0}'" -f $file))) { continue }
                if (-not $toFile -and -not (Test-Path -LiteralPath $target -PathType Container)) {
                    [void](New-Item -ItemType Directory -Path $target -Force -WhatIf:$false -Confirm:$false)
                }
                $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageExport($handle, $storePath, $file, [bool]$Force) } -SsisTarget $storePath
                if ($null -ne $json -and $PassThru) {
                    ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.ExportResult' -Server $connection.Server
                }
            }
        }
    }
    end {
        Write-Progress -Activity $activity -Completed
    }
}
