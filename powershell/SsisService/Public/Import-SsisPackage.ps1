function Import-SsisPackage {
    <#
    .SYNOPSIS
    Imports package files (.dtsx) into the package store.

    .DESCRIPTION
    Copies each package file into a store folder, under the file's name without '.dtsx'
    (or -Name for a single file). An existing package is replaced only with -Force. Files
    piped from Get-ChildItem bind to -LiteralPath by their PSPath, so names with brackets are
    never read as wildcards. Shows progress while importing. Each failure is reported and the
    next file is imported. With -Name, every input is collected first: more than one file
    (however they arrive, piped or not) is an error and nothing is imported.

    .PARAMETER Path
    Package files to import (file-system paths; wildcards allowed). Strings piped in bind
    here.

    .PARAMETER LiteralPath
    Package files to import, used exactly as written ('[' and ']' are characters of the
    name). Aliases PSPath and LP; files piped from Get-ChildItem bind here by PSPath.

    .PARAMETER Destination
    Store path of the folder to import into, for example '\File System\Sales'.

    .PARAMETER Name
    The package name in the store (one file only, also when files are piped). Default: the
    file name without '.dtsx'.

    .PARAMETER Force
    Replaces packages that already exist.

    .PARAMETER Server
    The server to work on. Default: the default connection.

    .EXAMPLE
    Import-SsisPackage ./build/*.dtsx -Destination '\File System\Sales'

    Imports every package file of ./build into the Sales folder.

    .EXAMPLE
    Get-ChildItem ./backup -Filter *.dtsx | Import-SsisPackage -Destination '\File System\Restored' -Force

    Restores a backup, replacing packages of the same name.

    .INPUTS
    System.String (to -Path) or System.IO.FileInfo (to -LiteralPath by the property name
    PSPath).

    .OUTPUTS
    SsisService.Package. The imported packages.

    .LINK
    Export-SsisPackage
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path', SupportsShouldProcess)]
    [OutputType('SsisService.Package')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline)]
        [SupportsWildcards()]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,

        [Parameter(Mandatory, Position = 1)]
        [string]$Destination,

        [string]$Name,

        [switch]$Force,

        [string]$Server
    )
    begin {
        $pathFromCommandLine = $PSBoundParameters.ContainsKey('Path')
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $folder = ConvertTo-SsisStorePath -Path $Destination
        $activity = 'Importing packages into {0}' -f $folder
        # With -Name, files are imported in end, once all inputs are known (issue 15, defect 6).
        $pending = New-Object System.Collections.Generic.List[string]

        $counter = @{ Value = 0 }
        $importOne = {
            param([string]$File, [string]$PackageName)
            $dest = Join-SsisStorePath -Folder $folder -Name $PackageName
            $counter.Value++
            Write-Progress -Activity $activity -Status ('{0}: {1}' -f $counter.Value, $dest) -CurrentOperation $File
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $dest, $connection.Server), ("Import package from '{0}'" -f $File))) { return }
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageImport($handle, $File, $dest, [bool]$Force) } -SsisTarget $File
            if ($null -ne $json) {
                ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Package' -Server $connection.Server | ForEach-Object { Add-SsisPackageProperty -Package $_ }
            }
        }
    }
    process {
        $files = New-Object System.Collections.Generic.List[string]
        if ($PSCmdlet.ParameterSetName -eq 'LiteralPath') {
            foreach ($each in $LiteralPath) {
                if (Test-Path -LiteralPath $each -PathType Leaf) { $files.Add($PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($each)) }
                else { $PSCmdlet.WriteError((New-SsisUsageError -Kind 'NotFound' -TargetObject $each -Message ("Package file '{0}' not found." -f $each))) }
            }
        }
        else {
            foreach ($each in (Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path' -Required)) {
                if (Test-Path -LiteralPath $each -PathType Leaf) {
                    $files.Add($PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($each))
                    continue
                }
                try {
                    foreach ($resolved in (Resolve-Path -Path $each -ErrorAction Stop)) { $files.Add($resolved.ProviderPath) }
                }
                catch {
                    $PSCmdlet.WriteError((New-SsisUsageError -Kind 'NotFound' -TargetObject $each -Message ("Package file '{0}' not found." -f $each)))
                }
            }
        }
        if ($Name) {
            $pending.AddRange($files)
            return
        }
        foreach ($file in $files) {
            & $importOne $file ([System.IO.Path]::GetFileNameWithoutExtension($file))
        }
    }
    end {
        if ($Name) {
            if ($pending.Count -gt 1) {
                $PSCmdlet.ThrowTerminatingError((New-SsisUsageError -Kind 'InvalidArgument' -TargetObject $Name -Message ("-Name can be given only when importing one file; {0} files were given ({1}). Nothing was imported." -f $pending.Count, ($pending -join ', '))))
            }
            foreach ($file in $pending) { & $importOne $file $Name }
        }
        Write-Progress -Activity $activity -Completed
    }
}
