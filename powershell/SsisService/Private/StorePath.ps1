# Store paths ('\File System\Sales\Daily Load'): normalising, splitting, wildcard matching.

function ConvertTo-SsisStorePath {
    # '\'-separated, one leading '\', no trailing '\' ('/' accepted as a separator too).
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowEmptyString()][AllowNull()][string]$Path)
    $segments = @(Get-SsisPathSegment -Path $Path)
    return '\' + ($segments -join '\')
}

# The PSPath of the module's package and folder objects: 'SsisService::<store path>'. It lets
# objects bind -LiteralPath by property name (alias PSPath), and a provider cmdlet given one
# (Remove-Item) fails on the unknown provider instead of touching a file.
$script:SsisPSPathPrefix = 'SsisService::'

function ConvertFrom-SsisLiteralPath {
    # A -LiteralPath value as a store path: the PSPath prefix 'SsisService::' removed. A path
    # of another PowerShell provider (a file's PSPath) is not a store path: an error, nothing
    # returned.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][AllowEmptyString()][string]$Path
    )
    if ($Path.StartsWith($script:SsisPSPathPrefix, [System.StringComparison]::OrdinalIgnoreCase)) {
        return ConvertTo-SsisStorePath -Path $Path.Substring($script:SsisPSPathPrefix.Length)
    }
    if (Test-SsisProviderPath -Path $Path) {
        $Caller.WriteError((New-SsisUsageError -Kind 'InvalidArgument' -TargetObject $Path -Message ("'{0}' is a path of another PowerShell provider, not a package store path." -f $Path)))
        return
    }
    return ConvertTo-SsisStorePath -Path $Path
}

function Test-SsisProviderPath {
    # Whether the text is a provider-qualified PowerShell path ('FileSystem::/x',
    # 'Microsoft.PowerShell.Core\FileSystem::C:\x') of a provider other than this module's.
    [CmdletBinding()]
    [OutputType([bool])]
    param([AllowEmptyString()][string]$Path)
    if ($Path.StartsWith($script:SsisPSPathPrefix, [System.StringComparison]::OrdinalIgnoreCase)) { return $false }
    return ($Path -match '^[A-Za-z][A-Za-z0-9_.]*(\\[A-Za-z][A-Za-z0-9_.]*)?::')
}

function Get-SsisPathSegment {
    # The names along a store path, root first (none for the root).
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowEmptyString()][AllowNull()][string]$Path)
    if (-not $Path) { return }
    foreach ($segment in $Path.Split([char[]]@('\', '/'))) {
        if ($segment.Trim()) { $segment }
    }
}

function Split-SsisStorePath {
    # Parent folder and leaf name of a store path.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)][string]$Path)
    $segments = @(Get-SsisPathSegment -Path $Path)
    $leaf = ''
    $parent = '\'
    if ($segments.Count -gt 0) {
        $leaf = $segments[$segments.Count - 1]
        if ($segments.Count -gt 1) { $parent = '\' + ($segments[0..($segments.Count - 2)] -join '\') }
    }
    [pscustomobject]@{ Parent = $parent; Leaf = $leaf }
}

function Join-SsisStorePath {
    # A folder path and a name (or relative path) as one store path.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string]$Folder, [Parameter(Mandatory)][string]$Name)
    return ConvertTo-SsisStorePath -Path ($Folder + '\' + $Name)
}

function Test-SsisPathMatch {
    # Whether the package path (segments below the search base) matches the pattern segments:
    # exactly, or as a package directly in a folder the pattern matches (like Get-ChildItem);
    # with -Recurse also anywhere below a matching folder, or by name at any depth below the
    # pattern's folder part.
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)][AllowEmptyCollection()][string[]]$Relative,
        [Parameter(Mandatory)][string[]]$Pattern,
        [switch]$Recurse
    )
    $n = $Pattern.Count
    $prefixMatches = $Relative.Count -ge $n
    for ($i = 0; $prefixMatches -and $i -lt $n; $i++) {
        if (-not ($Relative[$i] -like $Pattern[$i])) { $prefixMatches = $false }
    }
    if ($prefixMatches) {
        if ($Relative.Count -eq $n -or $Relative.Count -eq $n + 1) { return $true }
        if ($Recurse) { return $true }
    }
    if ($Recurse -and $Relative.Count -gt $n) {
        for ($i = 0; $i -lt $n - 1; $i++) {
            if (-not ($Relative[$i] -like $Pattern[$i])) { return $false }
        }
        return ($Relative[$Relative.Count - 1] -like $Pattern[$n - 1])
    }
    return $false
}

function Get-SsisPackageEntry {
    # The package entries a -Path names: a package, the packages of a folder (-Recurse: and of
    # its subfolders), or those matching wildcards. Writes a non-terminating error when a
    # path without wildcards names nothing.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][object]$Connection,
        [Parameter(Mandatory)][AllowEmptyString()][string]$Path,
        [switch]$Recurse,
        [switch]$Literal
    )
    $segments = @(Get-SsisPathSegment -Path $Path)
    $handle = $Connection.Handle
    $server = $Connection.Server
    $first = -1
    if (-not $Literal) {
        for ($i = 0; $i -lt $segments.Count; $i++) {
            if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($segments[$i])) { $first = $i; break }
        }
        if ($first -lt 0) {
            # No wildcard left: escaped characters ('`[') stand for themselves.
            $segments = @(foreach ($segment in $segments) { [System.Management.Automation.WildcardPattern]::Unescape($segment) })
        }
    }
    $storePath = '\' + ($segments -join '\')
    if ($first -lt 0) {
        $exists = Invoke-SsisNative $Caller { [SsisService.SsisNative]::Exists($handle, $storePath) } -SsisTarget $storePath
        if ($null -eq $exists) { return }
        $kind = (ConvertFrom-Json -InputObject $exists)
        if ($kind.Package) {
            $split = Split-SsisStorePath -Path $storePath
            $json = Invoke-SsisNative $Caller { [SsisService.SsisNative]::ListPackages($handle, $split.Parent, $false) } -SsisTarget $storePath
            if ($null -eq $json) { return }
            ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Package' -Server $server -Items | Where-Object { $_.Name -eq $split.Leaf }
            return
        }
        if ($kind.Folder) {
            $json = Invoke-SsisNative $Caller { [SsisService.SsisNative]::ListPackages($handle, $storePath, [bool]$Recurse) } -SsisTarget $storePath
            if ($null -eq $json) { return }
            ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Package' -Server $server -Items
            return
        }
        $Caller.WriteError((New-SsisUsageError -Kind 'NotFound' -TargetObject $storePath -Message ("There is no package or folder '{0}' on {1}." -f $storePath, $server)))
        return
    }
    $base = '\'
    if ($first -gt 0) {
        # The folders before the first wildcard are names ('`[' stands for '[').
        $names = @(foreach ($segment in $segments[0..($first - 1)]) { [System.Management.Automation.WildcardPattern]::Unescape($segment) })
        $base = '\' + ($names -join '\')
    }
    $pattern = [string[]]$segments[$first..($segments.Count - 1)]
    $json = Invoke-SsisNative $Caller { [SsisService.SsisNative]::ListPackages($handle, $base, $true) } -SsisTarget $base
    if ($null -eq $json) { return }
    $baseDepth = $first
    foreach ($package in (ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Package' -Server $server -Items)) {
        $all = @(Get-SsisPathSegment -Path $package.Path)
        $relative = [string[]]@()
        if ($all.Count -gt $baseDepth) { $relative = [string[]]$all[$baseDepth..($all.Count - 1)] }
        if (Test-SsisPathMatch -Relative $relative -Pattern $pattern -Recurse:$Recurse) { $package }
    }
}

function Get-SsisFolderEntry {
    # The subfolders of Folder whose names match Pattern (all without one); with -Recurse,
    # each followed by its whole subtree. Descending from the root, a top-level folder that
    # cannot be used now (Unsupported: no login configured; Connection: server unreachable)
    # is skipped with a verbose message, as the library's recursive package listing skips it.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][object]$Connection,
        [Parameter(Mandatory)][string]$Folder,
        [string]$Pattern,
        [switch]$Recurse,
        [switch]$SkipUnavailable
    )
    $handle = $Connection.Handle
    $json = $null
    try {
        $json = [SsisService.SsisNative]::ListFolders($handle, $Folder)
    }
    catch {
        $record = New-SsisErrorRecord -Exception $_.Exception -TargetObject $Folder
        $kind = $record.FullyQualifiedErrorId -replace '^Ssis\.', ''
        if ($SkipUnavailable -and ($kind -eq 'Unsupported' -or $kind -eq 'Connection')) {
            Write-Verbose ("Skipped '{0}': {1}" -f $Folder, $record.Exception.Message)
            return
        }
        $Caller.WriteError($record)
        return
    }
    $atRoot = $Folder -eq '\'
    foreach ($entry in (ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Folder' -Server $Connection.Server -Items)) {
        if ($Pattern -and -not ($entry.Name -like $Pattern)) { continue }
        $entry
        if ($Recurse) { Get-SsisFolderEntry -Caller $Caller -Connection $Connection -Folder $entry.Path -Recurse -SkipUnavailable:$atRoot }
    }
}
