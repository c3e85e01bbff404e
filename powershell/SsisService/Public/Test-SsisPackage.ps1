function Test-SsisPackage {
    <#
    .SYNOPSIS
    Tells whether a package exists in the store, and whether it can be read.

    .DESCRIPTION
    Returns $true when the store path names a package, else $false. With -Validate, the
    package must also be readable in full (identity and contents: executables, connection
    managers, variables). With -Detailed, returns an object per path saying what was found
    and why a package is not valid.

    .PARAMETER Path
    Store paths to test; bound from package objects by Path.

    .PARAMETER Validate
    Also reads the whole package and reports $false when it cannot be read.

    .PARAMETER Detailed
    Returns SsisService.PackageTest objects (Path, Exists, Valid, Error) instead of booleans.

    .PARAMETER Server
    The server to ask. Default: the default connection; bound from package objects.

    .EXAMPLE
    if (-not (Test-SsisPackage '\File System\Sales\Daily Load')) { Import-SsisPackage ./DailyLoad.dtsx -Destination '\File System\Sales' -Name 'Daily Load' }

    Imports the package only when it is missing.

    .EXAMPLE
    Get-SsisPackage -Recurse | Test-SsisPackage -Validate -Detailed | Where-Object { -not $_.Valid }

    Lists the packages that cannot be read, with the reason.

    .INPUTS
    System.String, or objects with the properties Path and Server.

    .OUTPUTS
    System.Boolean, or SsisService.PackageTest with -Detailed.

    .LINK
    Get-SsisPackage
    #>
    [CmdletBinding()]
    [OutputType([bool], 'SsisService.PackageTest')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$Path,

        [switch]$Validate,

        [switch]$Detailed,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        foreach ($each in $Path) {
            $storePath = ConvertTo-SsisStorePath -Path $each
            $exists = $false
            $valid = $false
            $problem = $null
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::Exists($handle, $storePath) } -SsisTarget $storePath
            if ($null -eq $json) { continue }
            $exists = [bool](ConvertFrom-Json -InputObject $json).Package
            if (-not $exists) { $problem = 'no package at this path' }
            elseif (-not $Validate) { $valid = $true }
            else {
                try {
                    $info = ConvertFrom-Json -InputObject ([SsisService.SsisNative]::PackageInfo($handle, $storePath))
                    if ($null -ne $info.Error) { $problem = ConvertTo-SsisErrorText -ErrorObject $info.Error }
                    elseif ($null -eq $info.Details) { $problem = 'the package could not be read in full' }
                    else { $valid = $true }
                }
                catch {
                    $record = New-SsisErrorRecord -Exception $_.Exception -TargetObject $storePath
                    $problem = $record.Exception.Message
                    if ($null -ne $record.ErrorDetails) { $problem = $record.ErrorDetails.Message }
                }
            }
            if ($problem) { Write-Verbose ('{0}: {1}' -f $storePath, $problem) }
            if ($Detailed) {
                [pscustomobject]@{
                    PSTypeName = 'SsisService.PackageTest'
                    Server     = $connection.Server
                    Path       = $storePath
                    Exists     = $exists
                    Valid      = $valid
                    Error      = $problem
                }
            }
            else {
                $valid
            }
        }
    }
}
