function Start-SsisPackage {
    <#
    .SYNOPSIS
    Runs packages on the service: stored packages, or package files.

    .DESCRIPTION
    Asks the service to run each package and returns its execution at once (Status Running).
    Packages are named by store path (-Path), or given as package files with -File (as dtexec
    /F; the service reads the file, so it must be a path the service can open). -Set overrides
    variables or properties for this run, as dtexec's /SET does. With -Wait, waits until the
    package ends (showing its status and current task as progress; Ctrl+C stops waiting, not
    the package) and returns the finished execution; an execution that did not succeed is also
    reported as an error (Ssis.PackageFailed), so -ErrorAction Stop makes a script stop on it.

    .PARAMETER Path
    Store paths of the packages to run; bound from package objects by Path.

    .PARAMETER File
    Package files (.dtsx) to run instead of stored packages; relative paths are resolved from
    the current location. Bound from file objects by FullName (Get-ChildItem *.dtsx).

    .PARAMETER Set
    Variable overrides: keys are variable names ('Count', 'User::Count') or property paths
    ('\Package.Variables[User::Count].Properties[Value]'); values are sent as text (dates as
    ISO 8601).

    .PARAMETER Wait
    Waits until each package ends.

    .PARAMETER Timeout
    With -Wait, gives up waiting after this many seconds (OperationTimeout error; the package
    goes on running). Default: no limit.

    .PARAMETER Server
    The service to run on. Default: the default connection; bound from package objects.

    .EXAMPLE
    Start-SsisPackage '\File System\Sales\Daily Load'

    Starts the package and returns its execution while it runs.

    .EXAMPLE
    Start-SsisPackage '\File System\Sales\Daily Load' -Set @{ LoadDate = (Get-Date).Date; Region = 'EU' } -Wait -ErrorAction Stop

    Runs the package with two variables set, waits for it, and stops the script if it fails.

    .EXAMPLE
    Get-SsisPackage '\File System\Nightly\*' | Start-SsisPackage -Wait | Format-Table PackageName, Status, Duration

    Runs every package of a folder, one after the other.

    .EXAMPLE
    Start-SsisPackage -File ./build/Load.dtsx -Wait -Timeout 600 -Server .

    Runs a package file that is not in the store, waiting ten minutes at most.

    .EXAMPLE
    Get-ChildItem ./build -Filter *.dtsx | Start-SsisPackage -Wait

    Runs every package file of a folder (files bind to -File by their FullName).

    .INPUTS
    SsisService.Package, objects with the properties Path and Server, or files (FullName)
    with -File.

    .OUTPUTS
    SsisService.Execution. ExecutionId, PackageName, PackagePath, PackageFile, Store, Status,
    StartedBy, StartTime, EndTime, Duration, ExitCode, CurrentTask, CommandLine, Server.

    .LINK
    Stop-SsisPackage

    .LINK
    Wait-SsisExecution
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Path')]
    [OutputType('SsisService.Execution')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'File', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [string[]]$File,

        [System.Collections.IDictionary]$Set,

        [switch]$Wait,

        [ValidateRange(0, 2147483)]
        [int]$Timeout = 0,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $isFile = $PSCmdlet.ParameterSetName -eq 'File'
        $options = ConvertTo-SsisRequestJson -Request ([ordered]@{ Set = (ConvertTo-SsisSetList -Set $Set); File = $isFile })
        $targets = $Path
        if ($isFile) { $targets = $File }
        foreach ($each in $targets) {
            if ($isFile) {
                $target = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($each)
                $action = 'Run package file'
            }
            else {
                $target = ConvertTo-SsisStorePath -Path $each
                $action = 'Run package'
            }
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $target, $connection.Server), $action)) { continue }
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageRun($handle, $target, $options) } -SsisTarget $target
            if ($null -eq $json) { continue }
            $execution = ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Execution' -Server $connection.Server
            if (-not $Wait) { $execution; continue }
            $id = $execution.ExecutionId
            $final = Invoke-SsisNative $PSCmdlet { Wait-SsisExecutionEnd -Connection $connection -ExecutionId $id -TimeoutSeconds $Timeout } -SsisTarget $id
            if ($null -eq $final) { continue }
            $final
            if ($final.Status -ne 'Succeeded') {
                $message = "Package '{0}' ended with status {1} (exit code {2}) in execution {3}." -f $target, $final.Status, $final.ExitCode, $id
                if ($final.Message) { $message = $message + ' ' + $final.Message }
                $record = New-SsisUsageError -Kind 'PackageFailed' -TargetObject $final -Message $message -Category InvalidResult
                $PSCmdlet.WriteError($record)
            }
        }
    }
}
