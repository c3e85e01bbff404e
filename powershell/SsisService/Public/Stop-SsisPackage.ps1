function Stop-SsisPackage {
    <#
    .SYNOPSIS
    Stops running packages.

    .DESCRIPTION
    Asks the service to stop each execution and returns at once: the package's process tree
    gets a graceful stop, then is killed after the service's grace period, and the execution
    then ends with status Stopped (meanwhile its status is Stopping). Pipe the executions to
    Wait-SsisExecution to wait for the end. Asks for confirmation unless -Force or
    -Confirm:$false is given.

    .PARAMETER ExecutionId
    Ids of the executions to stop; bound from execution objects by ExecutionId.

    .PARAMETER Force
    Does not ask for confirmation.

    .PARAMETER PassThru
    Returns the executions as they are right after the request (Status Stopping, or their
    final status if already ended).

    .PARAMETER Server
    The service to ask. Default: the default connection; bound from execution objects.

    .EXAMPLE
    Get-SsisExecution -Running | Stop-SsisPackage

    Stops every running package, asking for each.

    .EXAMPLE
    Get-SsisExecution -Running | Where-Object PackageName -eq 'Daily Load' | Stop-SsisPackage -Force -PassThru | Wait-SsisExecution

    Stops the running Daily Load packages without asking, and waits until they have ended.

    .INPUTS
    SsisService.Execution, or objects with the properties ExecutionId and Server.

    .OUTPUTS
    None, or SsisService.Execution with -PassThru.

    .LINK
    Get-SsisExecution
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('SsisService.Execution')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [string[]]$ExecutionId,

        [switch]$Force,

        [switch]$PassThru,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $idFromCommandLine = $PSBoundParameters.ContainsKey('ExecutionId')
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        foreach ($id in (Get-SsisPipelineString -Caller $PSCmdlet -Value $ExecutionId -PipelineObject $_ -FromCommandLine $idFromCommandLine -Parameter 'ExecutionId' -Required)) {
            if (-not $PSCmdlet.ShouldProcess(('execution {0} on {1}' -f $id, $connection.Server), 'Stop package')) { continue }
            # ssis_execution_stop only asks: the stop is asynchronous (Wait-SsisExecution waits for it).
            $asked = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ExecutionStop($handle, $id); $true } -SsisTarget $id
            if ($true -ne $asked -or -not $PassThru) { continue }
            Invoke-SsisNative $PSCmdlet { Get-SsisExecutionById -Connection $connection -ExecutionId $id } -SsisTarget $id
        }
    }
}
