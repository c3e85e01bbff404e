# Pipeline input that PowerShell converted to a string.
#
# When an object is piped to a cmdlet with a by-value [string] parameter (-Path, -Principal)
# and that parameter is not bound otherwise, PowerShell converts the object to its string
# form ('@{Id=...; Server=...}' for a connection from Get-SsisServer) and binds that. Such a
# value is not a path or a name: cmdlets drop it with Get-SsisPipelineString.

function Get-SsisPipelineString {
    # The values of a by-value string parameter the user really gave: all of them when the
    # parameter came from the command line (FromCommandLine, taken in the begin block) or
    # the piped object is a string; none when they are the string form of another piped
    # object. With -Required, that case is an error naming the object's type.
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Caller,
        [AllowNull()][AllowEmptyCollection()][string[]]$Value,
        [AllowNull()][object]$PipelineObject,
        [bool]$FromCommandLine,
        [Parameter(Mandatory)][string]$Parameter,
        [switch]$Required
    )
    if ($FromCommandLine -or -not $Caller.MyInvocation.ExpectingInput -or $null -eq $PipelineObject -or $PipelineObject -is [string]) {
        foreach ($each in $Value) { $each }
        return
    }
    $property = $PipelineObject.PSObject.Properties[$Parameter]
    if ($null -ne $property -and $null -ne $property.Value) {
        # The object has the property: that is the value, not the object's string form.
        foreach ($each in @($property.Value)) { [string]$each }
        return
    }
    if ($Required) {
        $typeName = @($PipelineObject.PSObject.TypeNames)[0]
        $message = "The piped object ({0}) has no {1}: pipe strings, or objects with a {1} or PSPath property (or use -LiteralPath)." -f $typeName, $Parameter
        $Caller.WriteError((New-SsisUsageError -Kind 'InvalidArgument' -TargetObject $PipelineObject -Message $message))
    }
}
