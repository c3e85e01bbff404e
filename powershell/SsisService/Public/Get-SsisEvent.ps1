function Get-SsisEvent {
    <#
    .SYNOPSIS
    Reads the service's event log.

    .DESCRIPTION
    Returns entries of the service's event log, oldest first (the newest -Last that match):
    service start and stop, configuration loads, client connections, packages started,
    succeeded, failed and stopped, store changes. Event ids follow the original service where
    it has them (256-336) and docs/PROTOCOL.md for the others.

    .PARAMETER Since
    Entries at or after this time.

    .PARAMETER Level
    This level or more severe: Information, Warning or Error.

    .PARAMETER Message
    Entries whose message contains this text (case-insensitive).

    .PARAMETER ExecutionId
    Entries about this execution; bound from execution objects by ExecutionId.

    .PARAMETER EventId
    Entries with this event id.

    .PARAMETER AfterSequence
    Entries after this sequence number (to read on from a previous call).

    .PARAMETER Last
    At most this many entries (the newest that match). Default: 1000.

    .PARAMETER Server
    The service to ask. Default: the default connection.

    .PARAMETER StateDirectory
    Reads the log from this state directory instead of asking a service, so the entries that
    explain why a service stopped or refused to start can be read while it is down. Needs read
    access to the directory's state.db (the service's account or an administrator).

    .EXAMPLE
    Get-SsisEvent -Level Warning -Since (Get-Date).AddHours(-1)

    Shows the warnings and errors of the last hour.

    .EXAMPLE
    Get-SsisEvent -StateDirectory /var/lib/ssis-service -Level Error

    Reads the errors of a service that is not running.

    .EXAMPLE
    Get-SsisExecution -Status Failed -Last 1 | Get-SsisEvent

    Shows the log entries about the last failed execution.

    .INPUTS
    SsisService.Execution, or objects with the properties ExecutionId and Server.

    .OUTPUTS
    SsisService.Event. Sequence, Time, Level, EventId, Source (SQLISService), Category, User,
    Message, Data, ExecutionId.

    .LINK
    Get-SsisExecution
    #>
    [CmdletBinding(DefaultParameterSetName = 'Service')]
    [OutputType('SsisService.Event')]
    param(
        [datetime]$Since,

        [ValidateSet('Information', 'Warning', 'Error')]
        [string]$Level,

        [string]$Message,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$ExecutionId,

        [int]$EventId,

        [long]$AfterSequence,

        [ValidateRange(1, 10000)]
        [int]$Last = 1000,

        [Parameter(ParameterSetName = 'Service', ValueFromPipelineByPropertyName)]
        [string]$Server,

        [Parameter(Mandatory, ParameterSetName = 'State')]
        [ValidateNotNullOrEmpty()]
        [string]$StateDirectory
    )
    process {
        $filter = [ordered]@{}
        if ($PSBoundParameters.ContainsKey('Since')) { $filter['Since'] = ConvertTo-SsisTimeText -Value $Since }
        if ($Level) { $filter['Level'] = $Level }
        if ($Message) { $filter['Text'] = $Message }
        if ($ExecutionId) { $filter['ExecutionId'] = $ExecutionId }
        if ($PSBoundParameters.ContainsKey('EventId')) { $filter['EventId'] = $EventId }
        if ($PSBoundParameters.ContainsKey('AfterSequence')) { $filter['AfterSequence'] = $AfterSequence }
        $filter['Limit'] = $Last
        $filterJson = ConvertTo-SsisRequestJson -Request $filter
        if ($PSCmdlet.ParameterSetName -eq 'State') {
            $dir = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($StateDirectory)
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::EventsReadState($dir, $filterJson) } -SsisTarget $dir
            if ($null -ne $json) {
                ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Event' -Server $dir -Items
            }
            return
        }
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::EventsRead($handle, $filterJson) } -SsisTarget $connection.Server
        if ($null -ne $json) {
            ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Event' -Server $connection.Server -Items
        }
    }
}
