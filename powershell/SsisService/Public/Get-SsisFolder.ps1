function Get-SsisFolder {
    <#
    .SYNOPSIS
    Lists folders of the package store.

    .DESCRIPTION
    Lists the subfolders of a store folder: the top-level folders ('File System', 'MSDB', ...)
    when no path is given. A wildcard in the last part of the path selects folders by name
    ('\File System\S*'). With -Recurse, the subfolders of every folder returned follow too.

    .PARAMETER Path
    Store path of the folder whose subfolders are listed, or ending with a wildcard pattern
    of folder names ('`[' escapes a bracket). Default: the root ('\'). Strings piped in bind
    here.

    .PARAMETER LiteralPath
    Store paths of folders whose subfolders are listed, used exactly as written ('[' and ']'
    are characters of the name). Aliases PSPath and LP. Folder objects piped in bind here (by
    their PSPath).

    .PARAMETER Recurse
    Lists the whole tree below each folder returned. A top-level folder that cannot be listed
    now (a SQL Server folder without a login configured, or whose server does not answer) is
    a non-terminating error naming the folder and why (as with Get-SsisPackage -Recurse); the
    other folders are still listed.

    .PARAMETER Server
    The server to ask (a name given to Connect-SsisServer). Default: the default connection.

    .EXAMPLE
    Get-SsisFolder

    Lists the top-level folders.

    .EXAMPLE
    Get-SsisFolder '\File System' -Recurse

    Lists every folder below '\File System'.

    .EXAMPLE
    Get-SsisFolder '\File System\Old*' | Remove-SsisFolder -Recurse

    Removes the folders whose names start with Old (after confirmation).

    .INPUTS
    System.String (store paths, to -Path), or SsisService.Folder objects (to -LiteralPath by
    PSPath, and -Server).

    .OUTPUTS
    SsisService.Folder. Name, Path, FolderType, Server.

    .LINK
    New-SsisFolder
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('SsisService.Folder')]
    param(
        [Parameter(ParameterSetName = 'Path', Position = 0, ValueFromPipeline)]
        [SupportsWildcards()]
        [string[]]$Path = @('\'),

        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,

        [switch]$Recurse,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $pathFromCommandLine = $PSBoundParameters.ContainsKey('Path')
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        if ($PSCmdlet.ParameterSetName -eq 'LiteralPath') {
            foreach ($each in $LiteralPath) {
                $storePath = ConvertFrom-SsisLiteralPath -Caller $PSCmdlet -Path $each
                if ($null -ne $storePath) { Get-SsisFolderEntry -Caller $PSCmdlet -Connection $connection -Folder $storePath -Recurse:$Recurse }
            }
            return
        }
        # A connection piped from Get-SsisServer binds -Server; its string form is no path.
        $paths = @(Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path')
        if ($paths.Count -eq 0) { $paths = @('\') }
        foreach ($each in $paths) {
            $storePath = ConvertTo-SsisStorePath -Path $each
            $split = Split-SsisStorePath -Path $storePath
            if ($split.Leaf -and [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($split.Leaf)) {
                Get-SsisFolderEntry -Caller $PSCmdlet -Connection $connection -Folder $split.Parent -Pattern $split.Leaf -Recurse:$Recurse
            }
            else {
                $storePath = ConvertTo-SsisStorePath -Path ([System.Management.Automation.WildcardPattern]::Unescape($storePath))
                Get-SsisFolderEntry -Caller $PSCmdlet -Connection $connection -Folder $storePath -Recurse:$Recurse
            }
        }
    }
}
