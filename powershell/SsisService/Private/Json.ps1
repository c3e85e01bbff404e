# The library's JSON as PowerShell objects: parsed once, one object per item, a PSTypeName,
# the Server they came from, and DateTime values for the RFC 3339 strings.

# Properties holding RFC 3339 UTC times, by type name.
$script:SsisDateProperties = @{
    'SsisService.Package'     = @('Modified')
    'SsisService.Execution'   = @('StartTime', 'EndTime')
    'SsisService.Event'       = @('Time')
    'SsisService.ServiceInfo' = @('StartTime', 'ConfigLoaded')
}

function ConvertTo-SsisDateTime {
    # An RFC 3339 string (or the DateTime PowerShell 7's ConvertFrom-Json already made of it)
    # as a UTC DateTime; $null stays $null.
    [CmdletBinding()]
    [OutputType([datetime])]
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [datetime]) {
        if ($Value.Kind -eq [System.DateTimeKind]::Local) { return $Value.ToUniversalTime() }
        return [DateTime]::SpecifyKind($Value, [System.DateTimeKind]::Utc)
    }
    $styles = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
    return [DateTime]::Parse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture, $styles)
}

function ConvertFrom-SsisJson {
    # Parses a library result and emits its objects: the items of {"Items": [...]} with
    # -Items, else the object itself. Each gets the PSTypeName and a Server property.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][AllowEmptyString()][string]$Json,
        [Parameter(Mandatory)][string]$TypeName,
        [AllowNull()][AllowEmptyString()][string]$Server,
        [switch]$Items
    )
    if (-not $Json -or $Json -eq 'null') { return }
    $parsed = ConvertFrom-Json -InputObject $Json
    $objects = @($parsed)
    if ($Items) { $objects = @($parsed.Items) }
    $dates = $script:SsisDateProperties[$TypeName]
    foreach ($object in $objects) {
        if ($null -eq $object) { continue }
        $object.PSObject.TypeNames.Insert(0, $TypeName)
        if ($null -ne $dates) {
            foreach ($name in $dates) {
                $property = $object.PSObject.Properties[$name]
                if ($null -ne $property) { $property.Value = ConvertTo-SsisDateTime -Value $property.Value }
            }
        }
        if ($PSBoundParameters.ContainsKey('Server')) {
            Add-Member -InputObject $object -MemberType NoteProperty -Name 'Server' -Value $Server -Force
        }
        if (($TypeName -eq 'SsisService.Package' -or $TypeName -eq 'SsisService.Folder') -and $null -ne $object.PSObject.Properties['Path']) {
            # Binds -LiteralPath by property name (alias PSPath): piped objects are never
            # re-read as wildcard patterns.
            Add-Member -InputObject $object -MemberType NoteProperty -Name 'PSPath' -Value ($script:SsisPSPathPrefix + $object.Path) -Force
        }
        $object
    }
}

function ConvertTo-SsisRequestJson {
    # A request object (hashtable) as compact JSON, deep enough for nested values; keys
    # whose value is $null are left out.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][System.Collections.IDictionary]$Request)
    $clean = [ordered]@{}
    foreach ($key in $Request.Keys) {
        if ($null -ne $Request[$key]) { $clean[$key] = $Request[$key] }
    }
    return ConvertTo-Json -InputObject $clean -Depth 20 -Compress
}

function Add-SsisPackageProperty {
    # Lifts the header fields people sort and filter on (Description, Version,
    # ProtectionLevelName, PackageId) from Metadata onto the package object, and returns it.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)][object]$Package)
    $metadata = $Package.Metadata
    $description = $null
    $version = $null
    $protection = $null
    $id = $null
    if ($null -ne $metadata) {
        $description = $metadata.Description
        $version = '{0}.{1}.{2}' -f $metadata.VersionMajor, $metadata.VersionMinor, $metadata.VersionBuild
        $protection = $metadata.ProtectionLevelName
        $id = $metadata.Id
    }
    Add-Member -InputObject $Package -MemberType NoteProperty -Name 'Description' -Value $description -Force
    Add-Member -InputObject $Package -MemberType NoteProperty -Name 'Version' -Value $version -Force
    Add-Member -InputObject $Package -MemberType NoteProperty -Name 'ProtectionLevelName' -Value $protection -Force
    Add-Member -InputObject $Package -MemberType NoteProperty -Name 'PackageId' -Value $id -Force
    return $Package
}

function ConvertTo-SsisTimeText {
    # A DateTime as the RFC 3339 UTC text the library takes (unspecified kind: local time).
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][datetime]$Value)
    if ($Value.Kind -ne [System.DateTimeKind]::Utc) { $Value = $Value.ToUniversalTime() }
    return $Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
}
