function Import-SsisPackage {
    <#
    .SYNOPSIS
    Imports package files (.dtsx) into the package store.

    .DESCRIPTION
    Copies each package file into a store folder, under the file's name without '.dtsx'
    (or -Name for a single file). An existing package is replaced only with -Force. Files
    piped from Get-ChildItem bind by their FullName. Shows progress while importing.
    Each failure is reported and the next file is imported.

    .PARAMETER Path
    Package files to import (file-system paths; wildcards allowed).

    .PARAMETER Destination
    Store path of the folder to import into, for example '\File System\Sales'.

    .PARAMETER Name
    The package name in the store (one file only). Default: the file name without '.dtsx'.

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
    System.String or System.IO.FileInfo (by the property name FullName).

    .OUTPUTS
    SsisService.Package. The imported packages.

    .LINK
    Export-SsisPackage
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('SsisService.Package')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [SupportsWildcards()]
        [string[]]$Path,

        [Parameter(Mandatory, Position = 1)]
        [string]$Destination,

        [string]$Name,

        [switch]$Force,

        [string]$Server
    )
    begin {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $folder = ConvertTo-SsisStorePath -Path $Destination
        $count = 0
        $activity = 'Importing packages into {0}' -f $folder
    }
    process {
        $files = New-Object System.Collections.Generic.List[string]
        foreach ($each in $Path) {
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
        if ($Name -and $files.Count -gt 1) {
            $PSCmdlet.ThrowTerminatingError((New-SsisUsageError -Kind 'InvalidArgument' -TargetObject $Name -Message '-Name can be given only when importing one file.'))
        }
        foreach ($file in $files) {
            $packageName = $Name
            if (-not $packageName) { $packageName = [System.IO.Path]::GetFileNameWithoutExtension($file) }
            $dest = Join-SsisStorePath -Folder $folder -Name $packageName
            $count++
            Write-Progress -Activity $activity -Status ('{0}: {1}' -f $count, $dest) -CurrentOperation $file
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $dest, $connection.Server), ("Import package from '{0}'" -f $file))) { continue }
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageImport($handle, $file, $dest, [bool]$Force) } -SsisTarget $file
            if ($null -ne $json) {
                ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Package' -Server $connection.Server | ForEach-Object { Add-SsisPackageProperty -Package $_ }
            }
        }
    }
    end {
        Write-Progress -Activity $activity -Completed
    }
}
