# Store paths ('\File System\Sales\Daily Load'): normalising, splitting; wildcard resolution
# is the library's (ssis_resolve_packages).

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

function Get-SsisPackageEntry {
    # The package entries a path names, as the library resolves it (ssis_resolve_packages):
    # with -Literal, the path as written; else a pattern when it has an unescaped wildcard
    # ('`[' escapes), else literal. A literal path: the package, or the packages of the
    # folder (-Recurse: and of its subfolders); naming nothing is a non-terminating
    # ObjectNotFound error. A pattern: the packages it matches, as Get-ChildItem would
    # (nothing, without error, when none matches). A top-level folder the library could not
    # list (an entry with FolderUnavailable and its Error) is a non-terminating error with the
    # folder as target; the other folders' packages still come.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][object]$Connection,
        [Parameter(Mandatory)][AllowEmptyString()][string]$Path,
        [switch]$Recurse,
        [switch]$Literal
    )
    $handle = $Connection.Handle
    $storePath = $Path
    if (-not $storePath) { $storePath = '\' }
    $json = Invoke-SsisNative $Caller { [SsisService.SsisNative]::ResolvePackages($handle, $storePath, [bool]$Literal, [bool]$Recurse) } -SsisTarget $storePath
    if ($null -eq $json) { return }
    foreach ($entry in (ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Package' -Server $Connection.Server -Items)) {
        if ($null -ne $entry.PSObject.Properties['FolderUnavailable'] -and $entry.FolderUnavailable) {
            $kind = 'Internal'
            if ($null -ne $entry.Error -and $null -ne $entry.Error.PSObject.Properties['Kind']) { $kind = $entry.Error.Kind }
            $message = "Folder '{0}' could not be listed: {1}" -f $entry.Path, (ConvertTo-SsisErrorText -ErrorObject $entry.Error)
            $Caller.WriteError((New-SsisUsageError -Kind $kind -TargetObject $entry.Path -Message $message))
            continue
        }
        $entry
    }
}

function Get-SsisFolderEntry {
    # The subfolders of Folder whose names match Pattern (all without one); with -Recurse,
    # each followed by its whole subtree. A folder that cannot be listed (a top-level SQL
    # Server folder whose server does not answer or has no login configured) is a
    # non-terminating error naming it; the other folders are still listed.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [Parameter(Mandatory)][object]$Connection,
        [Parameter(Mandatory)][string]$Folder,
        [string]$Pattern,
        [switch]$Recurse
    )
    $handle = $Connection.Handle
    $json = $null
    try {
        $json = [SsisService.SsisNative]::ListFolders($handle, $Folder)
    }
    catch {
        $Caller.WriteError((New-SsisErrorRecord -Exception $_.Exception -TargetObject $Folder))
        return
    }
    foreach ($entry in (ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Folder' -Server $Connection.Server -Items)) {
        if ($Pattern -and -not ($entry.Name -like $Pattern)) { continue }
        $entry
        if ($Recurse) { Get-SsisFolderEntry -Caller $Caller -Connection $Connection -Folder $entry.Path -Recurse }
    }
}
