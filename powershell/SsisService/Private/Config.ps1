# Service configuration objects <-> the library's configuration JSON.

function ConvertFrom-SsisConfigJson {
    # A configuration as an SsisService.Config object; Origin tells where it came from
    # ('Server' with Server set, or 'File').
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][string]$Json,
        [AllowNull()][string]$Server
    )
    $config = ConvertFrom-SsisJson -Json $Json -TypeName 'SsisService.Config'
    $origin = 'File'
    if ($Server) { $origin = 'Server' }
    Add-Member -InputObject $config -MemberType NoteProperty -Name 'Server' -Value $Server -Force
    Add-Member -InputObject $config -MemberType NoteProperty -Name 'Origin' -Value $origin -Force
    if ($null -eq $config.PSObject.Properties['Path']) {
        Add-Member -InputObject $config -MemberType NoteProperty -Name 'Path' -Value $null
    }
    foreach ($folder in @($config.TopLevelFolders)) {
        if ($null -ne $folder) { $folder.PSObject.TypeNames.Insert(0, 'SsisService.ConfigFolder') }
    }
    return $config
}

function ConvertTo-SsisConfigSetting {
    # The settings of a configuration object as an ordered dictionary: every property of
    # StopExecutingPackagesOnShutdown, TopLevelFolders and Extensions as the library gave
    # them (Grants, Listen, TokenStore, GracePeriodSeconds, ... included), without the
    # module's own properties (Server, Origin, Path).
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param([Parameter(Mandatory)][object]$Config)
    if ($Config -is [System.Collections.IDictionary]) { $Config = [pscustomobject]$Config }
    $settings = [ordered]@{}
    foreach ($name in @('StopExecutingPackagesOnShutdown', 'TopLevelFolders', 'Extensions')) {
        $property = $Config.PSObject.Properties[$name]
        if ($null -eq $property) { continue }
        $value = $property.Value
        if ($name -eq 'TopLevelFolders') {
            # Always a JSON array, even for one folder or none.
            $folders = New-Object System.Collections.Generic.List[object]
            foreach ($folder in @($value)) {
                if ($null -eq $folder) { continue }
                $folders.Add((ConvertTo-SsisPlainValue -Value $folder))
            }
            $settings[$name] = $folders.ToArray()
            continue
        }
        if ($name -eq 'Extensions' -and $null -ne $value) {
            $value = ConvertTo-SsisPlainValue -Value $value
        }
        $settings[$name] = $value
    }
    return $settings
}

function ConvertTo-SsisPlainValue {
    # An object from ConvertFrom-Json (or a hashtable) as ordered dictionaries and arrays,
    # keeping every property, so that ConvertTo-Json writes it back as it came.
    [CmdletBinding()]
    [OutputType([object])]
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [string] -or $Value -is [ValueType]) { return $Value }
    if ($Value -is [System.Collections.IDictionary]) {
        $result = [ordered]@{}
        foreach ($key in $Value.Keys) { $result[[string]$key] = ConvertTo-SsisPlainValue -Value $Value[$key] }
        return $result
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = New-Object System.Collections.Generic.List[object]
        foreach ($item in $Value) { $items.Add((ConvertTo-SsisPlainValue -Value $item)) }
        return , $items.ToArray()
    }
    $result = [ordered]@{}
    foreach ($property in $Value.PSObject.Properties) {
        if ($property.MemberType -ne 'NoteProperty' -and $property.MemberType -ne 'Property') { continue }
        $result[$property.Name] = ConvertTo-SsisPlainValue -Value $property.Value
    }
    return $result
}

function ConvertTo-SsisConfigJson {
    # The configuration JSON the library takes, from a configuration object: all of its
    # settings (see ConvertTo-SsisConfigSetting), so nothing the object holds is dropped.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][object]$Config)
    return ConvertTo-Json -InputObject (ConvertTo-SsisConfigSetting -Config $Config) -Depth 20 -Compress
}

function ConvertTo-SsisConfigPatch {
    # A JSON merge patch (RFC 7396) for ssis_config_patch / ssis_set_config_patch: the whole
    # settings of -Config when given (a configuration object piped in), then the single
    # settings named in -Setting (Extensions.<name> keys go under Extensions; $null removes
    # a setting, giving it its default). Settings not named are left as they are.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowNull()][object]$Config,
        [System.Collections.IDictionary]$Setting = @{}
    )
    $patch = [ordered]@{}
    if ($null -ne $Config) { $patch = ConvertTo-SsisConfigSetting -Config $Config }
    foreach ($key in $Setting.Keys) {
        $name = [string]$key
        if ($name.StartsWith('Extensions.')) {
            if (-not ($patch['Extensions'] -is [System.Collections.IDictionary])) { $patch['Extensions'] = [ordered]@{} }
            $patch['Extensions'][$name.Substring('Extensions.'.Length)] = $Setting[$key]
        }
        else {
            $patch[$name] = $Setting[$key]
        }
    }
    return ConvertTo-Json -InputObject $patch -Depth 20 -Compress
}
