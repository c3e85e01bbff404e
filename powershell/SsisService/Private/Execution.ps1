# Executions on a service: the calls the service's C functions make available
# (ssis_package_run, ssis_execution_*, ssis_events_read), made through
# Invoke-SsisNativeMethod so that a library without them gives a clear Unsupported error.

function Get-SsisExecutionById {
    # One execution (ssis_execution_get) as an SsisService.Execution object.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][object]$Connection,
        [Parameter(Mandatory)][string]$ExecutionId
    )
    $json = Invoke-SsisNativeMethod -Name 'ExecutionGet' -CFunction 'ssis_execution_get' -ArgumentList @($Connection.Handle, $ExecutionId)
    ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Execution' -Server $Connection.Server
}

function Test-SsisTimeoutError {
    # Whether an exception (or one it wraps) is the library's Timeout error.
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][System.Exception]$Exception)
    $inner = $Exception
    while ($null -ne $inner) {
        if ($inner -is [SsisService.SsisException]) { return $inner.Kind -eq 'Timeout' }
        $inner = $inner.InnerException
    }
    return $false
}

function Wait-SsisExecutionEnd {
    # Waits until the execution ends and returns it. Waits in slices of a second (so that
    # Ctrl+C stops the wait soon), showing the status and current task as progress. Throws
    # the library's Timeout error after TimeoutSeconds (0: no limit).
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][object]$Connection,
        [Parameter(Mandatory)][string]$ExecutionId,
        [int]$TimeoutSeconds = 0,
        [int]$ProgressId = 1
    )
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $activity = 'Waiting for execution {0}' -f $ExecutionId
    try {
        while ($true) {
            $slice = 1000
            if ($TimeoutSeconds -gt 0) {
                $left = [int]($TimeoutSeconds * 1000 - $clock.ElapsedMilliseconds)
                if ($left -le 0) {
                    $message = 'execution {0} did not end within {1} s' -f $ExecutionId, $TimeoutSeconds
                    throw (New-Object SsisService.SsisException([SsisService.SsisStatus]::Timeout, 'Timeout', $message, $ExecutionId, $null))
                }
                if ($left -lt $slice) { $slice = $left }
            }
            try {
                $json = Invoke-SsisNativeMethod -Name 'ExecutionWait' -CFunction 'ssis_execution_wait' -ArgumentList @($Connection.Handle, $ExecutionId, $slice)
                return (ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Execution' -Server $Connection.Server)
            }
            catch {
                if (-not (Test-SsisTimeoutError -Exception $_.Exception)) { throw }
            }
            $now = Get-SsisExecutionById -Connection $Connection -ExecutionId $ExecutionId
            $status = '{0}, {1:n0} s' -f $now.Status, $clock.Elapsed.TotalSeconds
            $operation = $now.CurrentTask
            if (-not $operation) { $operation = $now.PackageName }
            Write-Progress -Id $ProgressId -Activity $activity -Status $status -CurrentOperation $operation
        }
    }
    finally {
        Write-Progress -Id $ProgressId -Activity $activity -Completed
    }
}

function ConvertTo-SsisSetList {
    # -Set @{ Name = Value } as the service's variable overrides [{Name, Value}], values as
    # invariant-culture text (dates as ISO 8601).
    [CmdletBinding()]
    [OutputType([object[]])]
    param([AllowNull()][System.Collections.IDictionary]$Set)
    $list = New-Object System.Collections.Generic.List[object]
    if ($null -eq $Set) { return , $list.ToArray() }
    foreach ($key in $Set.Keys) {
        $value = $Set[$key]
        $text = ''
        if ($value -is [datetime]) { $text = $value.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture) }
        elseif ($null -ne $value) { $text = [System.Convert]::ToString($value, [System.Globalization.CultureInfo]::InvariantCulture) }
        $list.Add([ordered]@{ Name = [string]$key; Value = $text })
    }
    return , $list.ToArray()
}
