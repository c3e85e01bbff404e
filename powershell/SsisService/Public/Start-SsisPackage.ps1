function Start-SsisPackage {
    <#
    .SYNOPSIS
    Runs stored packages on the service.

    .DESCRIPTION
    Asks the service to run each package (by store path) and returns its execution at once
    (Status Running). -Set overrides variables or properties for this run, as dtexec's /SET
    does. With -Wait, waits until the package ends (showing its status and current task as
    progress; Ctrl+C stops waiting, not the package) and returns the finished execution; an
    execution that did not succeed is also reported as an error (Ssis.PackageFailed), so
    -ErrorAction Stop makes a script stop on it.

    .PARAMETER Path
    Store paths of the packages to run; bound from package objects by Path.

    .PARAMETER Set
    Variable overrides: keys are variable names ('Count', 'User::Count') or property paths
    ('\Package.Variables[User::Count].Properties[Value]'); values are sent as text.

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

    .INPUTS
    SsisService.Package, or objects with the properties Path and Server.

    .OUTPUTS
    SsisService.Execution. ExecutionId, PackageName, PackagePath, Status, StartedBy,
    StartTime, EndTime, Duration, ExitCode, CurrentTask, Server.

    .LINK
    Stop-SsisPackage

    .LINK
    Wait-SsisExecution
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('SsisService.Execution')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [string[]]$Path,

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
        $options = ConvertTo-SsisRequestJson -Request @{ Set = (ConvertTo-SsisSetList -Set $Set) }
        foreach ($each in $Path) {
            $storePath = ConvertTo-SsisStorePath -Path $each
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $storePath, $connection.Server), 'Run package')) { continue }
            $json = Invoke-SsisNative $PSCmdlet { Invoke-SsisNativeMethod -Name 'PackageRun' -CFunction 'ssis_package_run' -ArgumentList @($handle, $storePath, $options) } -SsisTarget $storePath
            if ($null -eq $json) { continue }
            $execution = ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Execution' -Server $connection.Server
            if (-not $Wait) { $execution; continue }
            $id = $execution.ExecutionId
            $final = Invoke-SsisNative $PSCmdlet { Wait-SsisExecutionEnd -Connection $connection -ExecutionId $id -TimeoutSeconds $Timeout } -SsisTarget $id
            if ($null -eq $final) { continue }
            $final
            if ($final.Status -ne 'Succeeded') {
                $message = "Package '{0}' ended with status {1} (exit code {2}) in execution {3}." -f $storePath, $final.Status, $final.ExitCode, $id
                if ($final.Message) { $message = $message + ' ' + $final.Message }
                $record = New-SsisUsageError -Kind 'PackageFailed' -TargetObject $final -Message $message -Category InvalidResult
                $PSCmdlet.WriteError($record)
            }
        }
    }
}
