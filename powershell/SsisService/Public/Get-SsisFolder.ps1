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
    of folder names. Default: the root ('\').

    .PARAMETER Recurse
    Lists the whole tree below each folder returned.

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
    System.String. Store paths, by value or by the property name Path.

    .OUTPUTS
    SsisService.Folder. Name, Path, FolderType, Server.

    .LINK
    New-SsisFolder
    #>
    [CmdletBinding()]
    [OutputType('SsisService.Folder')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [SupportsWildcards()]
        [string[]]$Path = @('\'),

        [switch]$Recurse,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        foreach ($each in $Path) {
            $storePath = ConvertTo-SsisStorePath -Path $each
            $split = Split-SsisStorePath -Path $storePath
            if ($split.Leaf -and [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($split.Leaf)) {
                Get-SsisFolderEntry -Caller $PSCmdlet -Connection $connection -Folder $split.Parent -Pattern $split.Leaf -Recurse:$Recurse
            }
            else {
                Get-SsisFolderEntry -Caller $PSCmdlet -Connection $connection -Folder $storePath -Pattern '*' -Recurse:$Recurse
            }
        }
    }
}
