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

function ConvertTo-SsisConfigJson {
    # The configuration JSON the library takes, from a configuration object (only the
    # settings: StopExecutingPackagesOnShutdown, TopLevelFolders, Extensions).
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][object]$Config)
    $folders = New-Object System.Collections.Generic.List[object]
    foreach ($folder in @($Config.TopLevelFolders)) {
        if ($null -eq $folder) { continue }
        if ($folder -is [System.Collections.IDictionary]) { $folder = [pscustomobject]$folder }
        $entry = [ordered]@{ Type = [string]$folder.Type; Name = [string]$folder.Name }
        foreach ($key in @('StorePath', 'ServerName')) {
            $property = $folder.PSObject.Properties[$key]
            if ($null -ne $property -and $null -ne $property.Value) { $entry[$key] = [string]$property.Value }
        }
        $folders.Add($entry)
    }
    $extensions = [ordered]@{}
    $source = $null
    if ($null -ne $Config.PSObject.Properties['Extensions']) { $source = $Config.Extensions }
    if ($source -is [System.Collections.IDictionary]) { $source = [pscustomobject]$source }
    if ($null -ne $source) {
        foreach ($key in @('StateDirectory', 'Executor')) {
            $property = $source.PSObject.Properties[$key]
            if ($null -ne $property -and $null -ne $property.Value) { $extensions[$key] = [string]$property.Value }
        }
    }
    $request = [ordered]@{
        StopExecutingPackagesOnShutdown = [bool]$Config.StopExecutingPackagesOnShutdown
        TopLevelFolders                 = $folders.ToArray()
        Extensions                      = $extensions
    }
    return ConvertTo-Json -InputObject $request -Depth 10 -Compress
}
