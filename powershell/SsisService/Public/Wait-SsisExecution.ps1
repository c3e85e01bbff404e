function Wait-SsisExecution {
    <#
    .SYNOPSIS
    Waits until package executions end.

    .DESCRIPTION
    Waits for each execution in turn and returns it once ended (Succeeded, Failed, Stopped or
    Unknown), showing its status and current task as progress. Ctrl+C stops waiting (not the
    package). With -Timeout, an execution still running after that many seconds is reported
    as an OperationTimeout error (Ssis.Timeout) and the next one is waited for.

    .PARAMETER ExecutionId
    Ids of the executions; bound from execution objects by ExecutionId.

    .PARAMETER Timeout
    Seconds to wait for each execution at most. Default: no limit.

    .PARAMETER Server
    The service to ask. Default: the default connection; bound from execution objects.

    .EXAMPLE
    Start-SsisPackage '\File System\Sales\Daily Load' | Wait-SsisExecution

    Starts a package and waits until it ends.

    .EXAMPLE
    Get-SsisExecution -Running | Wait-SsisExecution -Timeout 600 | Where-Object Status -ne 'Succeeded'

    Waits up to ten minutes for each running package and shows those that did not succeed.

    .INPUTS
    SsisService.Execution, or objects with the properties ExecutionId and Server.

    .OUTPUTS
    SsisService.Execution

    .LINK
    Start-SsisPackage
    #>
    [CmdletBinding()]
    [OutputType('SsisService.Execution')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [string[]]$ExecutionId,

        [ValidateRange(0, 2147483)]
        [int]$Timeout = 0,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $idFromCommandLine = $PSBoundParameters.ContainsKey('ExecutionId')
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        foreach ($id in (Get-SsisPipelineString -Caller $PSCmdlet -Value $ExecutionId -PipelineObject $_ -FromCommandLine $idFromCommandLine -Parameter 'ExecutionId' -Required)) {
            Invoke-SsisNative $PSCmdlet { Wait-SsisExecutionEnd -Connection $connection -ExecutionId $id -TimeoutSeconds $Timeout } -SsisTarget $id
        }
    }
}
