function Set-SsisServiceConfig {
    <#
    .SYNOPSIS
    Changes the service configuration (MsDtsSrvr.ini.xml).

    .DESCRIPTION
    Writes a configuration to a server (which saves it to its configuration file and applies
    it) or to a configuration file (-Path). Start from an object returned by
    Get-SsisServiceConfig (piped or -InputObject), or from the current configuration, and
    change single settings with the parameters. The configuration is validated first: an
    invalid one changes nothing. Elements of the file this product does not know are kept.

    .PARAMETER InputObject
    The whole configuration to write (an SsisService.Config, possibly changed).

    .PARAMETER StopExecutingPackagesOnShutdown
    Whether running packages are stopped when the service stops.

    .PARAMETER StateDirectory
    Where the service keeps execution history, output logs and its event log ('' for the default).

    .PARAMETER Executor
    The package executor (a dtexec-compatible program; '' for the built-in runner).

    .PARAMETER Path
    Writes this configuration file instead of a server's configuration.

    .PARAMETER PassThru
    Returns the configuration written.

    .PARAMETER Server
    The server to change. Default: the server the piped configuration came from, else the
    default connection.

    .EXAMPLE
    Set-SsisServiceConfig -StopExecutingPackagesOnShutdown $false

    Lets running packages go on when the service stops.

    .EXAMPLE
    $config = Get-SsisServiceConfig
    $config.TopLevelFolders += [pscustomobject]@{ Type = 'FileSystemFolder'; Name = 'Archive'; StorePath = '/srv/ssis/archive' }
    $config | Set-SsisServiceConfig -PassThru

    Adds a top-level folder.

    .INPUTS
    SsisService.Config

    .OUTPUTS
    None, or SsisService.Config with -PassThru.

    .LINK
    Get-SsisServiceConfig
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('SsisService.Config')]
    param(
        [Parameter(ValueFromPipeline)]
        [psobject]$InputObject,

        [bool]$StopExecutingPackagesOnShutdown,

        [AllowEmptyString()]
        [string]$StateDirectory,

        [AllowEmptyString()]
        [string]$Executor,

        [string]$Path,

        [switch]$PassThru,

        [string]$Server
    )
    process {
        $file = $null
        $connection = $null
        if ($Path) {
            $file = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
        }
        elseif ($Server) {
            $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        }
        elseif ($null -ne $InputObject -and $InputObject.PSObject.Properties['Origin'] -and $InputObject.Origin -eq 'File' -and $InputObject.Path) {
            $file = [string]$InputObject.Path
        }
        elseif ($null -ne $InputObject -and $InputObject.PSObject.Properties['Server'] -and $InputObject.Server) {
            $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $InputObject.Server
        }
        else {
            $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $null
        }
        $handle = $null
        $target = $file
        if ($null -ne $connection) { $handle = $connection.Handle; $target = $connection.Server }

        $config = $InputObject
        if ($null -eq $config) {
            $current = $null
            if ($null -ne $connection) {
                $current = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::GetConfig($handle) } -SsisTarget $target -SsisTerminating
            }
            else {
                $current = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ConfigRead($file) } -SsisTarget $target -SsisTerminating
            }
            $config = ConvertFrom-Json -InputObject $current
        }
        $config = $config.PSObject.Copy()
        if ($PSBoundParameters.ContainsKey('StopExecutingPackagesOnShutdown')) {
            $config.StopExecutingPackagesOnShutdown = $StopExecutingPackagesOnShutdown
        }
        if ($PSBoundParameters.ContainsKey('StateDirectory') -or $PSBoundParameters.ContainsKey('Executor')) {
            $extensions = [ordered]@{ StateDirectory = $null; Executor = $null }
            if ($config.PSObject.Properties['Extensions'] -and $null -ne $config.Extensions) {
                foreach ($key in @('StateDirectory', 'Executor')) {
                    if ($config.Extensions.PSObject.Properties[$key]) { $extensions[$key] = $config.Extensions.$key }
                }
            }
            if ($PSBoundParameters.ContainsKey('StateDirectory')) { $extensions['StateDirectory'] = $StateDirectory }
            if ($PSBoundParameters.ContainsKey('Executor')) { $extensions['Executor'] = $Executor }
            Add-Member -InputObject $config -MemberType NoteProperty -Name 'Extensions' -Value ([pscustomobject]$extensions) -Force
        }
        $json = ConvertTo-SsisConfigJson -Config $config
        Write-Verbose ('Configuration JSON: {0}' -f $json)
        if (-not $PSCmdlet.ShouldProcess($target, 'Write the service configuration')) { return }
        if ($null -ne $connection) {
            $done = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::SetConfig($handle, $json); $true } -SsisTarget $target
            if (-not $done -or -not $PassThru) { return }
            $written = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::GetConfig($handle) } -SsisTarget $target
            if ($null -ne $written) { ConvertFrom-SsisConfigJson -Json $written -Server $connection.Server }
        }
        else {
            $done = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ConfigWrite($file, $json); $true } -SsisTarget $target
            if ($done -and $PassThru) {
                $written = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ConfigRead($file) } -SsisTarget $target
                if ($null -ne $written) { ConvertFrom-SsisConfigJson -Json $written -Server $null }
            }
        }
    }
}
