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
    # The store paths a -Path value names (itself, or the packages its wildcards match; '`['
    # escapes), or a -LiteralPath value (-Literal: exactly itself, never a pattern).
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][object]$Connection,
        [Parameter(Mandatory)][AllowEmptyString()][string]$Path,
        [switch]$Literal
    )
    if ($Literal) {
        ConvertFrom-SsisLiteralPath -Caller $Caller -Path $Path
        return
    }
    if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($Path)) {
        $matched = @(Get-SsisPackageEntry -Caller $Caller -Connection $Connection -Path $Path | ForEach-Object { $_.Path })
        if ($matched.Count -gt 0) {
            $matched
            return
        }
        # A pattern that matches nothing is not an error, unless it is the exact name of a
        # package ('Sales [1]'): then say so instead of doing nothing.
        $handle = $Connection.Handle
        $exact = ConvertTo-SsisStorePath -Path $Path
        $json = $null
        try { $json = [SsisService.SsisNative]::Exists($handle, $exact) } catch { $json = $null }
        if ($null -ne $json -and (ConvertFrom-Json -InputObject $json).Package) {
            $message = "No package matches the wildcard pattern '{0}', but a package has exactly this name: use -LiteralPath '{0}' (or escape the brackets with a backtick)." -f $exact
            $Caller.WriteError((New-SsisUsageError -Kind 'NotFound' -TargetObject $exact -Message $message))
        }
        return
    }
    ConvertTo-SsisStorePath -Path ([System.Management.Automation.WildcardPattern]::Unescape($Path))
}
