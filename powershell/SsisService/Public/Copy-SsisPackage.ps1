function Copy-SsisPackage {
    <#
    .SYNOPSIS
    Copies packages within the package store (or between folders of it).

    .DESCRIPTION
    Copies packages within the package store (or between folders of it). The source stays
    where it was. When -Destination is an existing folder, the package keeps its name in it;
    else -Destination is the package's new store path. An existing package there is replaced
    only with -Force. Each failure is reported and the next package follows.

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
    Copy-SsisPackage '\File System\Hello' -Destination '\File System\Sales'

    Copies the package Hello into the Sales folder.

    .EXAMPLE
    Get-SsisPackage '\File System\Sales\*' | Copy-SsisPackage -Destination '\File System\Sales (test)' -Force

    Copies every package of Sales into 'Sales (test)', replacing packages of the same name.

    .INPUTS
    SsisService.Package (to -LiteralPath by PSPath, and -Server), or System.String (store
    paths, to -Path).

    .OUTPUTS
    None, or SsisService.Package with -PassThru (the copies).

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
                if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $source, $connection.Server), ("Copy package to '{0}'" -f $dest))) { continue }
                $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageCopy($handle, $source, $dest, [bool]$Force) } -SsisTarget $source
                if ($null -ne $json -and $PassThru) {
                    ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Package' -Server $connection.Server | ForEach-Object { Add-SsisPackageProperty -Package $_ }
                }
            }
        }
    }
}
