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
    Store paths to test, taken as written (no wildcards). Strings piped in bind here.

    .PARAMETER LiteralPath
    Store paths used exactly as written, like -Path. Aliases PSPath and LP. Package and folder
    objects piped in bind here (by their PSPath).

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
    System.String (store paths, to -Path), or SsisService.Package / SsisService.Folder objects
    (to -LiteralPath by PSPath, and -Server).

    .OUTPUTS
    System.Boolean, or SsisService.PackageTest with -Detailed.

    .LINK
    Get-SsisPackage
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType([bool], 'SsisService.PackageTest')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline)]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,

        [switch]$Validate,

        [switch]$Detailed,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $pathFromCommandLine = $PSBoundParameters.ContainsKey('Path')
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $literal = $PSCmdlet.ParameterSetName -eq 'LiteralPath'
        if ($literal) { $names = @(foreach ($each in $LiteralPath) { ConvertFrom-SsisLiteralPath -Caller $PSCmdlet -Path $each }) }
        else { $names = @(Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path' -Required) }
        foreach ($each in $names) {
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
