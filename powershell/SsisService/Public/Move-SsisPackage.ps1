function Move-SsisPackage {
    <#
    .SYNOPSIS
    Moves packages to another folder of the package store, or renames them.

    .DESCRIPTION
    Moves packages to another folder of the package store, or renames them. The source is
    removed once the package is in place. When -Destination is an existing folder, the
    package keeps its name in it; else -Destination is the package's new store path. An
    existing package there is replaced only with -Force. Each failure is reported and the
    next package follows.

    .PARAMETER Path
    Store paths of the packages; wildcards allowed ('`[' escapes a bracket). Strings piped in
    bind here.

    .PARAMETER LiteralPath
    Store paths used exactly as written: '[', ']', '*' and '?' are characters of the name,
    never wildcards. Aliases PSPath and LP. Package and folder objects piped in bind here (by
    their PSPath), so a pipeline never re-reads a name as a pattern.

    .PARAMETER Destination
    A store folder, or the new store path of the package.

    .PARAMETER Force
    Replaces a package that already exists at the destination.

    .PARAMETER PassThru
    Returns the packages at their destination.

    .PARAMETER Server
    The server to work on. Default: the default connection; bound from package objects.

    .EXAMPLE
    Move-SsisPackage '\File System\Hello' -Destination '\File System\Sales'

    Moves the package Hello into the Sales folder.

    .EXAMPLE
    Move-SsisPackage '\File System\Sales\Daily Load' -Destination '\File System\Sales\Daily Load (old)' -PassThru

    Renames a package (a destination that is not an existing folder is the new path).

    .INPUTS
    SsisService.Package (to -LiteralPath by PSPath, and -Server), or System.String (store
    paths, to -Path).

    .OUTPUTS
    None, or SsisService.Package with -PassThru (the moved packages).

    .LINK
    Get-SsisPackage
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess)]
    [OutputType('SsisService.Package')]
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
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $literal = $PSCmdlet.ParameterSetName -eq 'LiteralPath'
        $names = $LiteralPath
        if (-not $literal) { $names = @(Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path' -Required) }
        foreach ($each in $names) {
            foreach ($source in (Get-SsisSourcePackagePath -Caller $PSCmdlet -Connection $connection -Path $each -Literal:$literal)) {
                $dest = Resolve-SsisPackageDestination -Caller $PSCmdlet -Connection $connection -Source $source -Destination $Destination
                if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $source, $connection.Server), ("Move package to '{0}'" -f $dest))) { continue }
                $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageMove($handle, $source, $dest, [bool]$Force) } -SsisTarget $source
                if ($null -ne $json -and $PassThru) {
                    ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Package' -Server $connection.Server | ForEach-Object { Add-SsisPackageProperty -Package $_ }
                }
            }
        }
    }
}
