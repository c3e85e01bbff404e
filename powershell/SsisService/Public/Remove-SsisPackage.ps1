function Remove-SsisPackage {
    <#
    .SYNOPSIS
    Deletes packages from the package store.

    .DESCRIPTION
    Deletes each package named (wildcards allowed). Asks for confirmation unless -Force or
    -Confirm:$false is given. Each failure is reported and the next package follows.

    .PARAMETER Path
    Store paths of the packages; wildcards allowed ('`[' escapes a bracket). Strings piped in
    bind here.

    .PARAMETER LiteralPath
    Store paths used exactly as written: '[', ']', '*' and '?' are characters of the name,
    never wildcards. Aliases PSPath and LP. Package and folder objects piped in bind here (by
    their PSPath), so a pipeline never re-reads a name as a pattern.

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
    SsisService.Package (to -LiteralPath by PSPath, and -Server), or System.String (store
    paths, to -Path).

    .OUTPUTS
    None

    .LINK
    Get-SsisPackage
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline)]
        [SupportsWildcards()]
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
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $literal = $PSCmdlet.ParameterSetName -eq 'LiteralPath'
        $names = $LiteralPath
        if (-not $literal) { $names = @(Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path' -Required) }
        foreach ($each in $names) {
            foreach ($storePath in (Get-SsisSourcePackagePath -Caller $PSCmdlet -Connection $connection -Path $each -Literal:$literal)) {
                if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $storePath, $connection.Server), 'Delete package')) { continue }
                [void](Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageDelete($handle, $storePath) } -SsisTarget $storePath)
            }
        }
    }
}
