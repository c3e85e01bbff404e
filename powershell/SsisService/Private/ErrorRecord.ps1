# Library errors as PowerShell ErrorRecords: category from the error Kind,
# FullyQualifiedErrorId Ssis.<Kind>, TargetObject the item at fault.

$script:SsisErrorCategory = @{
    NotFound        = 'ObjectNotFound'
    AlreadyExists   = 'ResourceExists'
    AccessDenied    = 'PermissionDenied'
    InvalidArgument = 'InvalidArgument'
    Connection      = 'ConnectionError'
    Configuration   = 'InvalidData'
    Package         = 'InvalidData'
    Io              = 'ResourceUnavailable'
    Unsupported     = 'NotImplemented'
    Internal        = 'NotSpecified'
    Timeout         = 'OperationTimeout'
    Canceled        = 'OperationStopped'
    NotEmpty        = 'ResourceBusy'
    Protocol        = 'ProtocolError'
}

function Get-SsisErrorCategory {
    # The ErrorCategory for a library error Kind (NotSpecified for kinds not known here).
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorCategory])]
    param([AllowEmptyString()][string]$Kind)
    $name = $script:SsisErrorCategory[$Kind]
    if (-not $name) { $name = 'NotSpecified' }
    return [System.Management.Automation.ErrorCategory]$name
}

function New-SsisErrorRecord {
    # An ErrorRecord for a failure: a library error (SsisException, found inside the wrapping
    # exceptions PowerShell adds) keeps its Kind, and its file, line, column and target go into
    # ErrorDetails (the message shown) and TargetObject; argument errors are InvalidArgument;
    # anything else is Internal.
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)][System.Exception]$Exception,
        [AllowNull()][object]$TargetObject
    )
    $inner = $Exception
    while ($null -ne $inner -and -not ($inner -is [SsisService.SsisException]) -and -not ($inner -is [System.ArgumentException])) {
        $inner = $inner.InnerException
    }
    if ($inner -is [SsisService.SsisException]) {
        $kind = $inner.Kind
        if ($null -eq $TargetObject -and $inner.Target) { $TargetObject = $inner.Target }
    }
    elseif ($inner -is [System.ArgumentException]) {
        $kind = 'InvalidArgument'
    }
    else {
        $kind = 'Internal'
        $inner = $Exception
        while ($inner -is [System.Management.Automation.MethodInvocationException] -or $inner -is [System.Reflection.TargetInvocationException]) {
            if ($null -eq $inner.InnerException) { break }
            $inner = $inner.InnerException
        }
    }
    $category = Get-SsisErrorCategory -Kind $kind
    if ($inner -is [SsisService.SsisException] -and $null -eq $TargetObject -and $inner.File) { $TargetObject = $inner.File }
    $record = New-Object System.Management.Automation.ErrorRecord($inner, ('Ssis.' + $kind), $category, $TargetObject)
    if ($inner -is [SsisService.SsisException]) {
        # The library's location (file, line, column) and target reach the message people see
        # (ErrorDetails) and the category line; the full error JSON stays on the exception
        # (ErrorJson, File, Line, Column).
        $record.ErrorDetails = New-Object System.Management.Automation.ErrorDetails($inner.DetailedMessage)
        if ($inner.Location) { $record.CategoryInfo.Reason = $inner.Location }
        if ($inner.Target) { $record.CategoryInfo.TargetName = $inner.Target }
    }
    return $record
}

function ConvertTo-SsisErrorText {
    # A library error object from a result's JSON ({Kind, Message, Target, Details}) as one
    # line for people: the message, then where (file, line, column) when known. A plain string
    # stays as it is; never the object's '@{Kind=...}' form.
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowNull()][object]$ErrorObject)
    if ($null -eq $ErrorObject) { return $null }
    if ($ErrorObject -is [string]) { return $ErrorObject }
    $text = $null
    if ($null -ne $ErrorObject.PSObject.Properties['Message']) { $text = [string]$ErrorObject.Message }
    if (-not $text) { $text = ConvertTo-Json -InputObject $ErrorObject -Depth 5 -Compress }
    $details = $null
    if ($null -ne $ErrorObject.PSObject.Properties['Details']) { $details = $ErrorObject.Details }
    if ($null -ne $details) {
        $where = New-Object System.Collections.Generic.List[string]
        if ($details.PSObject.Properties['File'] -and $details.File) { $where.Add([string]$details.File) }
        if ($details.PSObject.Properties['Line'] -and $null -ne $details.Line) {
            $position = 'line {0}' -f $details.Line
            if ($details.PSObject.Properties['Column'] -and $null -ne $details.Column) { $position += (', column {0}' -f $details.Column) }
            $where.Add($position)
        }
        if ($where.Count -gt 0) { $text = '{0} (at {1})' -f $text, ($where -join ', ') }
    }
    return $text
}

function New-SsisUsageError {
    # An ErrorRecord for a mistake found by the module itself (not by the library).
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)][string]$Message,
        [Parameter(Mandatory)][string]$Kind,
        [AllowNull()][object]$TargetObject,
        [System.Management.Automation.ErrorCategory]$Category = [System.Management.Automation.ErrorCategory]::NotSpecified
    )
    if (-not $PSBoundParameters.ContainsKey('Category')) { $Category = Get-SsisErrorCategory -Kind $Kind }
    $exception = New-Object System.InvalidOperationException($Message)
    return New-Object System.Management.Automation.ErrorRecord($exception, ('Ssis.' + $Kind), $Category, $TargetObject)
}

function Invoke-SsisNative {
    # Runs one library call (a script block calling [SsisService.SsisNative]) and returns its
    # result. On failure: WriteError on the calling cmdlet and return nothing (per-item
    # failures), or ThrowTerminatingError with -Terminating. The parameter variables carry an
    # Ssis prefix so that they do not hide the caller's variables the script block reads.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)][System.Management.Automation.PSCmdlet]$SsisCaller,
        [Parameter(Mandatory, Position = 1)][scriptblock]$SsisCall,
        [AllowNull()][object]$SsisTarget,
        [switch]$SsisTerminating
    )
    try {
        & $SsisCall
    }
    catch {
        $record = New-SsisErrorRecord -Exception $_.Exception -TargetObject $SsisTarget
        if ($SsisTerminating) {
            $SsisCaller.ThrowTerminatingError($record)
        }
        $SsisCaller.WriteError($record)
    }
}
