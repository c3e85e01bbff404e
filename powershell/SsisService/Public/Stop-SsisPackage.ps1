function Stop-SsisPackage {
    <#
    .SYNOPSIS
    Stops running packages.

    .DESCRIPTION
    Asks the service to stop each execution: the package's process tree gets a graceful stop,
    then is killed after the service's grace period. The execution then ends with status
    Stopped. Asks for confirmation unless -Force or -Confirm:$false is given.

    .PARAMETER ExecutionId
    Ids of the executions to stop; bound from execution objects by ExecutionId.

    .PARAMETER Force
    Does not ask for confirmation.

    .PARAMETER PassThru
    Returns the executions (Status Stopping, or their final status if already ended).

    .PARAMETER Server
    The service to ask. Default: the default connection; bound from execution objects.

    .EXAMPLE
    Get-SsisExecution -Running | Stop-SsisPackage

    Stops every running package, asking for each.

    .EXAMPLE
    Get-SsisExecution -Running | Where-Object PackageName -eq 'Daily Load' | Stop-SsisPackage -Force -PassThru

    Stops the running Daily Load packages without asking.

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
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        foreach ($id in $ExecutionId) {
            if (-not $PSCmdlet.ShouldProcess(('execution {0} on {1}' -f $id, $connection.Server), 'Stop package')) { continue }
            $result = Invoke-SsisNative $PSCmdlet { Invoke-SsisNativeMethod -Name 'ExecutionStop' -CFunction 'ssis_execution_stop' -ArgumentList @($handle, $id); $true } -SsisTarget $id
            if ($null -eq $result -or -not $PassThru) { continue }
            $json = @($result | Where-Object { $_ -is [string] })
            if ($json.Count -gt 0) {
                ConvertFrom-SsisJson -Json $json[0] -TypeName 'SsisService.Execution' -Server $connection.Server
            }
            else {
                Invoke-SsisNative $PSCmdlet { Get-SsisExecutionById -Connection $connection -ExecutionId $id } -SsisTarget $id
            }
        }
    }
}
