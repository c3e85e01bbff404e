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
    # exceptions PowerShell adds) keeps its Kind; argument errors are InvalidArgument; anything
    # else is Internal.
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
    return New-Object System.Management.Automation.ErrorRecord($inner, ('Ssis.' + $kind), $category, $TargetObject)
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

function Invoke-SsisNativeMethod {
    # Calls [SsisService.SsisNative]::<Name>(arguments) when this build of the binding has it,
    # else fails with an Unsupported error naming the C function. Used for the functions
    # the service adds (executions, events, service information).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Name,
        [Parameter(Mandatory)][string]$CFunction,
        [object[]]$ArgumentList = @()
    )
    $method = [SsisService.SsisNative].GetMethod($Name)
    if ($null -eq $method) {
        $version = [SsisService.SsisNative]::Version()
        $exception = New-Object SsisService.SsisException([SsisService.SsisStatus]::Unsupported, 'Unsupported', ("this build of libssis_service ({0}) has no {1}: it needs a library with the service's execution functions" -f $version, $CFunction), $CFunction, $null)
        throw $exception
    }
    $parameters = $method.GetParameters()
    if ($parameters.Count -ne $ArgumentList.Count) {
        $exception = New-Object SsisService.SsisException([SsisService.SsisStatus]::Unsupported, 'Unsupported', ("SsisNative.{0} takes {1} arguments, this module passes {2}: the module and its library do not match" -f $Name, $parameters.Count, $ArgumentList.Count), $CFunction, $null)
        throw $exception
    }
    $converted = New-Object object[] $parameters.Count
    for ($i = 0; $i -lt $parameters.Count; $i++) {
        if ($null -ne $ArgumentList[$i]) {
            $converted[$i] = [System.Management.Automation.LanguagePrimitives]::ConvertTo($ArgumentList[$i], $parameters[$i].ParameterType)
        }
    }
    return $method.Invoke($null, $converted)
}
