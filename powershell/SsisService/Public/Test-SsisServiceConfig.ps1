function Test-SsisServiceConfig {
    <#
    .SYNOPSIS
    Checks a service configuration without applying it.

    .DESCRIPTION
    Validates configuration files (-Path, with wildcards, or -LiteralPath), a configuration
    object (-InputObject, for example one changed after Get-SsisServiceConfig: every setting
    it holds is checked, grants and listeners included), or, given none, the default
    configuration of this machine. Files piped from Get-ChildItem bind to -LiteralPath (by
    their PSPath); strings piped bind to -Path; only SsisService.Config objects bind to
    -InputObject. Returns $true when it is valid. With -Detailed, returns the report: Valid
    and Errors, each naming the file, line and column where it has them. The problems are
    also written to the verbose stream.

    .PARAMETER Path
    Configuration files to check; wildcards are expanded (a pattern that matches nothing is
    an error).

    .PARAMETER LiteralPath
    Configuration files to check, used exactly as written (no wildcards: '[' and ']' are
    characters of the name). Aliases PSPath and LP; bound from file objects by PSPath.

    .PARAMETER InputObject
    A configuration object to check.

    .PARAMETER Detailed
    Returns an SsisService.ConfigTest object (Path, Valid, Errors, Warnings) instead of a boolean.
    Warnings (also written with Write-Warning) name what is allowed but probably wrong, such as
    a File System folder whose StorePath does not exist.

    .EXAMPLE
    Test-SsisServiceConfig -Path /etc/ssis-service/MsDtsSrvr.ini.xml

    Returns $true when the file is a valid configuration.

    .EXAMPLE
    (Test-SsisServiceConfig -Path ./MsDtsSrvr.ini.xml -Detailed).Errors | Format-Table Message, @{ n = 'Line'; e = { $_.Details.Line } }

    Lists each problem with its line.

    .EXAMPLE
    Get-ChildItem /etc/ssis-service -Filter *.xml | Test-SsisServiceConfig -Detailed

    Checks every configuration file of a folder (files bind to -LiteralPath by PSPath).

    .INPUTS
    System.String (file paths, to -Path), file objects (to -LiteralPath by the property name
    PSPath), or SsisService.Config (to -InputObject).

    .OUTPUTS
    System.Boolean, or SsisService.ConfigTest with -Detailed.

    .LINK
    Set-SsisServiceConfig
    #>
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    [OutputType([bool], 'SsisService.ConfigTest')]
    param(
        [Parameter(ParameterSetName = 'File', Mandatory, Position = 0, ValueFromPipeline)]
        [SupportsWildcards()]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,

        [Parameter(ParameterSetName = 'Object', Mandatory, ValueFromPipeline)]
        [PSTypeName('SsisService.Config')]
        [psobject]$InputObject,

        [switch]$Detailed
    )
    begin {
        $pathFromCommandLine = $PSBoundParameters.ContainsKey('Path')
    }
    process {
        $checks = New-Object System.Collections.Generic.List[object]
        if ($PSCmdlet.ParameterSetName -eq 'File') {
            foreach ($each in (Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path' -Required)) {
                $files = @()
                try {
                    $provider = $null
                    $files = @($PSCmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath($each, [ref]$provider))
                }
                catch {
                    $PSCmdlet.WriteError((New-SsisUsageError -Kind 'NotFound' -TargetObject $each -Message ("Configuration file '{0}' not found: {1}" -f $each, $_.Exception.Message)))
                }
                foreach ($file in $files) { $checks.Add([pscustomobject]@{ File = $file; Json = $null }) }
            }
        }
        elseif ($PSCmdlet.ParameterSetName -eq 'LiteralPath') {
            foreach ($each in $LiteralPath) {
                $checks.Add([pscustomobject]@{ File = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($each); Json = $null })
            }
        }
        elseif ($PSCmdlet.ParameterSetName -eq 'Object') {
            $checks.Add([pscustomobject]@{ File = $null; Json = (ConvertTo-SsisConfigJson -Config $InputObject) })
        }
        else {
            $checks.Add([pscustomobject]@{ File = $null; Json = $null })
        }
        foreach ($check in $checks) {
            $file = $check.File
            $configJson = $check.Json
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ConfigValidate($file, $configJson) } -SsisTarget $file
            if ($null -eq $json) { continue }
            $report = ConvertFrom-Json -InputObject $json
            foreach ($problem in @($report.Errors)) {
                if ($null -ne $problem) { Write-Verbose $problem.Message }
            }
            foreach ($warning in @($report.Warnings)) {
                if ($null -ne $warning) { Write-Warning $warning }
            }
            if ($Detailed) {
                [pscustomobject]@{
                    PSTypeName = 'SsisService.ConfigTest'
                    Path       = $file
                    Valid      = [bool]$report.Valid
                    Errors     = @($report.Errors | Where-Object { $null -ne $_ })
                    Warnings   = @($report.Warnings | Where-Object { $null -ne $_ })
                }
            }
            else {
                [bool]$report.Valid
            }
        }
    }
}
