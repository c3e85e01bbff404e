function Get-SsisPackage {
    <#
    .SYNOPSIS
    Lists packages of the package store.

    .DESCRIPTION
    Returns the package a path names, the packages of a folder (with -Recurse, of its
    subfolders too), or the packages matching wildcards ('\File System\Sales\*', '\*\Daily*').
    A wildcard that matches a folder lists that folder's packages, as Get-ChildItem does.
    Without -Path, returns every package of every top-level folder; a top-level folder that
    cannot be listed (a SQL Server that does not answer, no login configured) is a
    non-terminating error naming it, and the other folders' packages still come. Each package carries its
    identity (Name, Folder, Description, version, protection level from the file header) and,
    with -Detailed, its contents (executables, connection managers, variables, parameters).

    .PARAMETER Path
    Store paths of packages or folders; wildcards allowed ('`[' escapes a bracket). Default:
    every package. Strings piped in bind here.

    .PARAMETER LiteralPath
    Store paths used exactly as written: '[', ']', '*' and '?' are characters of the name,
    never wildcards. Aliases PSPath and LP. Package and folder objects piped in bind here (by
    their PSPath), so a pipeline never re-reads a name as a pattern.

    .PARAMETER Recurse
    Includes packages in subfolders.

    .PARAMETER Detailed
    Adds the package's contents (Details) by reading each package in full.

    .PARAMETER Server
    The server to ask. Default: the default connection.

    .EXAMPLE
    Get-SsisPackage '\File System\Sales\*'

    Lists the packages in the Sales folder.

    .EXAMPLE
    Get-SsisPackage -Recurse | Where-Object ProtectionLevelName -eq 'EncryptSensitiveWithUserKey'

    Finds every package protected with a user key (which only its creator can open).

    .EXAMPLE
    Get-SsisPackage '\File System\Sales\Daily Load' -Detailed | Select-Object -ExpandProperty Details

    Shows the executables, connection managers and variables of one package.

    .EXAMPLE
    Get-SsisPackage -LiteralPath '\File System\Grüße [1]'

    Gets a package whose name has brackets, which -Path would read as a wildcard.

    .INPUTS
    System.String (store paths, to -Path); SsisService.Package and SsisService.Folder objects
    (to -LiteralPath by PSPath, and -Server). A connection from Get-SsisServer binds -Server
    only.

    .OUTPUTS
    SsisService.Package. Name, Path, Folder, Size, Modified (DateTime, UTC), Metadata, Error,
    Server, plus Description, Version and ProtectionLevelName taken from Metadata.

    .LINK
    Export-SsisPackage

    .LINK
    Start-SsisPackage
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('SsisService.Package')]
    param(
        [Parameter(ParameterSetName = 'Path', Position = 0, ValueFromPipeline)]
        [SupportsWildcards()]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,

        [switch]$Recurse,

        [switch]$Detailed,

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
        $recursive = [bool]$Recurse
        if ($literal) {
            $paths = @(foreach ($each in $LiteralPath) { ConvertFrom-SsisLiteralPath -Caller $PSCmdlet -Path $each })
        }
        else {
            # A connection piped from Get-SsisServer binds -Server; its string form is no path.
            $paths = @(Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path')
            if ($paths.Count -eq 0) { $paths = @('\'); $recursive = $true }
        }
        foreach ($each in $paths) {
            foreach ($package in (Get-SsisPackageEntry -Caller $PSCmdlet -Connection $connection -Path $each -Recurse:$recursive -Literal:$literal)) {
                if ($Detailed) {
                    $packagePath = $package.Path
                    $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageInfo($handle, $packagePath) } -SsisTarget $packagePath
                    if ($null -eq $json) { continue }
                    $package = ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Package' -Server $connection.Server
                }
                Add-SsisPackageProperty -Package $package
            }
        }
    }
}
