# Where Copy-SsisPackage and Move-SsisPackage put a package.

function Resolve-SsisPackageDestination {
    # The store path a package goes to: Destination\<name> when Destination is an existing
    # folder (and not a package), else Destination itself as the new package path.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][object]$Connection,
        [Parameter(Mandatory)][string]$Source,
        [Parameter(Mandatory)][string]$Destination
    )
    $handle = $Connection.Handle
    $dest = ConvertTo-SsisStorePath -Path $Destination
    $json = Invoke-SsisNative $Caller { [SsisService.SsisNative]::Exists($handle, $dest) } -SsisTarget $dest
    if ($null -ne $json) {
        $kind = ConvertFrom-Json -InputObject $json
        if ($kind.Folder -and -not $kind.Package) {
            return Join-SsisStorePath -Folder $dest -Name (Split-SsisStorePath -Path $Source).Leaf
        }
    }
    return $dest
}

function Get-SsisSourcePackagePath {
    # The store paths a -Path value names: itself, or the packages its wildcards match.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][object]$Connection,
        [Parameter(Mandatory)][string]$Path
    )
    if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($Path)) {
        Get-SsisPackageEntry -Caller $Caller -Connection $Connection -Path $Path | ForEach-Object { $_.Path }
        return
    }
    ConvertTo-SsisStorePath -Path $Path
}
