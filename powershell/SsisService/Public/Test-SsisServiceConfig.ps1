function Test-SsisServiceConfig {
    <#
    .SYNOPSIS
    Checks a service configuration without applying it.

    .DESCRIPTION
    Validates a configuration file (-Path), a configuration object (-InputObject, for example
    one changed after Get-SsisServiceConfig), or, given neither, the default configuration of
    this machine. Returns $true when it is valid. With -Detailed, returns the report: Valid
    and Errors, each naming the file, line and column where it has them. The problems are
    also written to the verbose stream.

    .PARAMETER Path
    Configuration files to check.

    .PARAMETER InputObject
    A configuration object to check.

    .PARAMETER Detailed
    Returns an SsisService.ConfigTest object (Path, Valid, Errors) instead of a boolean.

    .EXAMPLE
    Test-SsisServiceConfig -Path /etc/ssis-service/MsDtsSrvr.ini.xml

    Returns $true when the file is a valid configuration.

    .EXAMPLE
    (Test-SsisServiceConfig -Path ./MsDtsSrvr.ini.xml -Detailed).Errors | Format-Table Message, @{ n = 'Line'; e = { $_.Details.Line } }

    Lists each problem with its line.

    .INPUTS
    System.String (file paths by the property name FullName) or SsisService.Config.

    .OUTPUTS
    System.Boolean, or SsisService.ConfigTest with -Detailed.

    .LINK
    Set-SsisServiceConfig
    #>
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    [OutputType([bool], 'SsisService.ConfigTest')]
    param(
        [Parameter(ParameterSetName = 'File', Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'Object', Mandatory, ValueFromPipeline)]
        [psobject]$InputObject,

        [switch]$Detailed
    )
    process {
        $checks = New-Object System.Collections.Generic.List[object]
        if ($PSCmdlet.ParameterSetName -eq 'File') {
            foreach ($each in $Path) {
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
            if ($Detailed) {
                [pscustomobject]@{
                    PSTypeName = 'SsisService.ConfigTest'
                    Path       = $file
                    Valid      = [bool]$report.Valid
                    Errors     = @($report.Errors | Where-Object { $null -ne $_ })
                }
            }
            else {
                [bool]$report.Valid
            }
        }
    }
}
