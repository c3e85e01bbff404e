function Get-SsisExecution {
    <#
    .SYNOPSIS
    Lists package executions: running ones, or the history.

    .DESCRIPTION
    Returns the executions the service knows: with -Running, those not ended yet; else the
    history, newest first, filtered by package, status, user and start time (at most -Last,
    default 100). With -ExecutionId, returns those executions.

    .PARAMETER ExecutionId
    Ids of executions to return; bound from execution objects by ExecutionId.

    .PARAMETER Running
    Returns only the executions that have not ended.

    .PARAMETER Package
    History: package name or store path containing this text.

    .PARAMETER Status
    History: only executions with this status.

    .PARAMETER User
    History: only executions started by this user.

    .PARAMETER Since
    History: started at or after this time.

    .PARAMETER Until
    History: started before this time.

    .PARAMETER Last
    History: at most this many executions (newest first). Default: 100.

    .PARAMETER Server
    The service to ask. Default: the default connection.

    .EXAMPLE
    Get-SsisExecution -Running

    Lists the running packages.

    .EXAMPLE
    Get-SsisExecution -Status Failed -Since (Get-Date).AddDays(-1)

    Lists the executions that failed in the last day.

    .EXAMPLE
    Get-SsisExecution -Running | Stop-SsisPackage

    Stops every running package.

    .INPUTS
    System.String. Execution ids by the property name ExecutionId.

    .OUTPUTS
    SsisService.Execution

    .LINK
    Start-SsisPackage
    #>
    [CmdletBinding(DefaultParameterSetName = 'History')]
    [OutputType('SsisService.Execution')]
    param(
        [Parameter(ParameterSetName = 'Id', Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [string[]]$ExecutionId,

        [Parameter(ParameterSetName = 'Running', Mandatory)]
        [switch]$Running,

        [Parameter(ParameterSetName = 'History')]
        [string]$Package,

        [Parameter(ParameterSetName = 'History')]
        [ValidateSet('Created', 'Running', 'Succeeded', 'Failed', 'Stopping', 'Stopped', 'Unknown')]
        [string]$Status,

        [Parameter(ParameterSetName = 'History')]
        [string]$User,

        [Parameter(ParameterSetName = 'History')]
        [datetime]$Since,

        [Parameter(ParameterSetName = 'History')]
        [datetime]$Until,

        [Parameter(ParameterSetName = 'History')]
        [ValidateRange(1, 10000)]
        [int]$Last = 100,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $idFromCommandLine = $PSBoundParameters.ContainsKey('ExecutionId')
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        if ($PSCmdlet.ParameterSetName -eq 'Id') {
            foreach ($id in (Get-SsisPipelineString -Caller $PSCmdlet -Value $ExecutionId -PipelineObject $_ -FromCommandLine $idFromCommandLine -Parameter 'ExecutionId' -Required)) {
                Invoke-SsisNative $PSCmdlet { Get-SsisExecutionById -Connection $connection -ExecutionId $id } -SsisTarget $id
            }
            return
        }
        $filter = [ordered]@{}
        if ($Running) {
            $filter['Running'] = $true
        }
        else {
            if ($Package) { $filter['Package'] = $Package }
            if ($Status) { $filter['Status'] = $Status }
            if ($User) { $filter['User'] = $User }
            if ($PSBoundParameters.ContainsKey('Since')) { $filter['Since'] = ConvertTo-SsisTimeText -Value $Since }
            if ($PSBoundParameters.ContainsKey('Until')) { $filter['Until'] = ConvertTo-SsisTimeText -Value $Until }
            $filter['Limit'] = $Last
        }
        $filterJson = ConvertTo-SsisRequestJson -Request $filter
        $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ExecutionsList($handle, $filterJson) } -SsisTarget $connection.Server
        if ($null -ne $json) {
            ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Execution' -Server $connection.Server -Items
        }
    }
}
