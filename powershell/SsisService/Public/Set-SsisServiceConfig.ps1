function Set-SsisServiceConfig {
    <#
    .SYNOPSIS
    Changes the service configuration (MsDtsSrvr.ini.xml).

    .DESCRIPTION
    Changes the configuration of a server (which saves it to its configuration file and
    applies it) or of a configuration file (-Path). Only the settings named change: the
    parameters and, when a configuration object is piped (or given as -InputObject), the
    settings that object holds. Everything else is kept as it is: access grants, network
    listeners, the token store, the other extension settings, and elements of the file this
    product does not know. The change is sent to the library as a JSON merge patch
    (ssis_config_patch / ssis_set_config_patch); the result is validated first, and an
    invalid one changes nothing. A setting set to $null on a piped object is removed (it
    takes its default).

    .PARAMETER InputObject
    A configuration (an SsisService.Config from Get-SsisServiceConfig, possibly changed):
    every setting it holds is written; settings it does not hold are kept.

    .PARAMETER StopExecutingPackagesOnShutdown
    Whether running packages are stopped when the service stops.

    .PARAMETER StateDirectory
    Where the service keeps execution history, output logs and its event log ('' for the default).

    .PARAMETER Executor
    The package executor (a dtexec-compatible program; '' for the built-in runner).

    .PARAMETER GracePeriodSeconds
    Seconds between asking a stopped package to end and killing it.

    .PARAMETER OutputCapBytes
    Size cap of one execution's output log, in bytes.

    .PARAMETER RetentionDays
    Days execution history and event-log entries are kept.

    .PARAMETER TokenStore
    The bearer-token store file ('' for the default, tokens.json in the state directory).

    .PARAMETER Path
    Changes this configuration file instead of a server's configuration (the file must
    exist, unless a whole configuration object is given).

    .PARAMETER PassThru
    Returns the configuration written.

    .PARAMETER Server
    The server to change. Default: the server the piped configuration came from, else the
    default connection.

    .EXAMPLE
    Set-SsisServiceConfig -StopExecutingPackagesOnShutdown $false

    Lets running packages go on when the service stops; grants and listeners stay.

    .EXAMPLE
    Set-SsisServiceConfig -Path /etc/ssis-service/MsDtsSrvr.ini.xml -RetentionDays 90 -StateDirectory ''

    Keeps 90 days of history and returns the state directory to its default, in a file.

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
        [PSTypeName('SsisService.Config')]
        [psobject]$InputObject,

        [bool]$StopExecutingPackagesOnShutdown,

        [AllowEmptyString()]
        [string]$StateDirectory,

        [AllowEmptyString()]
        [string]$Executor,

        [ValidateRange(0, 2147483647)]
        [int]$GracePeriodSeconds,

        [ValidateRange(0, 9007199254740991)]
        [long]$OutputCapBytes,

        [ValidateRange(0, 2147483647)]
        [int]$RetentionDays,

        [AllowEmptyString()]
        [string]$TokenStore,

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

        # Only what is named changes: '' for a text extension means "back to the default".
        $settings = [ordered]@{}
        if ($PSBoundParameters.ContainsKey('StopExecutingPackagesOnShutdown')) { $settings['StopExecutingPackagesOnShutdown'] = $StopExecutingPackagesOnShutdown }
        foreach ($name in @('StateDirectory', 'Executor', 'TokenStore', 'GracePeriodSeconds', 'OutputCapBytes', 'RetentionDays')) {
            if (-not $PSBoundParameters.ContainsKey($name)) { continue }
            $value = $PSBoundParameters[$name]
            if ($value -is [string] -and $value -eq '') { $value = $null }
            $settings['Extensions.' + $name] = $value
        }
        $patch = ConvertTo-SsisConfigPatch -Config $InputObject -Setting $settings
        Write-Verbose ('Configuration patch: {0}' -f $patch)
        if (-not $PSCmdlet.ShouldProcess($target, 'Change the service configuration')) { return }
        $written = $null
        if ($null -ne $connection) {
            $written = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::SetConfigPatch($handle, $patch) } -SsisTarget $target
        }
        elseif ($null -ne $InputObject -and -not (Test-Path -LiteralPath $file -PathType Leaf)) {
            # A new file from a whole configuration object: there is nothing to patch.
            $json = ConvertTo-SsisConfigJson -Config $InputObject
            $done = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ConfigWrite($file, $json); $true } -SsisTarget $target
            if ($done) { $written = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ConfigRead($file) } -SsisTarget $target }
        }
        else {
            $written = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ConfigPatch($file, $patch) } -SsisTarget $target
        }
        if ($null -eq $written -or -not $PassThru) { return }
        $origin = $null
        if ($null -ne $connection) { $origin = $connection.Server }
        ConvertFrom-SsisConfigJson -Json $written -Server $origin
    }
}
