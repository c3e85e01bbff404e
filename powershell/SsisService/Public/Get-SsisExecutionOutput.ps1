function Get-SsisExecutionOutput {
    <#
    .SYNOPSIS
    Gets what a package execution wrote (its output log).

    .DESCRIPTION
    Reads the output the package's executor wrote (dtexec-style messages and, for the built-in
    runner, its event lines), from the start or from -Offset, up to what has been written so
    far. Returns one string per line, or the whole text with -Raw. A log that reached the
    service's size cap is marked so and a warning is written.

    .PARAMETER ExecutionId
    Ids of the executions; bound from execution objects by ExecutionId.

    .PARAMETER Offset
    Byte offset to start reading from. Default: 0.

    .PARAMETER Raw
    Returns the text as one string instead of lines.

    .PARAMETER Server
    The service to ask. Default: the default connection; bound from execution objects.

    .EXAMPLE
    Get-SsisExecution -Status Failed -Last 1 | Get-SsisExecutionOutput

    Shows the output of the last failed execution.

    .EXAMPLE
    Get-SsisExecutionOutput 3f2c1c9e-2d0b-4a8e-9b61-0c4a3e7d9f10 | Select-String -Pattern 'Error'

    Finds the error lines of one execution.

    .INPUTS
    SsisService.Execution, or objects with the properties ExecutionId and Server.

    .OUTPUTS
    System.String

    .LINK
    Get-SsisExecution
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [string[]]$ExecutionId,

        [ValidateScript({ $_ -ge 0 })]
        [long]$Offset = 0,

        [switch]$Raw,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $idFromCommandLine = $PSBoundParameters.ContainsKey('ExecutionId')
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        foreach ($id in (Get-SsisPipelineString -Caller $PSCmdlet -Value $ExecutionId -PipelineObject $_ -FromCommandLine $idFromCommandLine -Parameter 'ExecutionId' -Required)) {
            $text = New-Object System.Text.StringBuilder
            $at = $Offset
            $failed = $false
            $truncated = $false
            while ($true) {
                $options = ConvertTo-SsisRequestJson -Request ([ordered]@{ Offset = $at })
                $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::ExecutionOutput($handle, $id, $options) } -SsisTarget $id
                if ($null -eq $json) { $failed = $true; break }
                $chunk = ConvertFrom-Json -InputObject $json
                [void]$text.Append([string]$chunk.Text)
                if ($chunk.Truncated) { $truncated = $true }
                if ($chunk.Complete -or [long]$chunk.NextOffset -le $at) { break }
                $at = [long]$chunk.NextOffset
            }
            if ($failed) { continue }
            if ($truncated) { Write-Warning ('The output of execution {0} reached the service''s size cap; later output was dropped.' -f $id) }
            $all = $text.ToString()
            if ($Raw) { $all; continue }
            if ($all.Length -eq 0) { continue }
            $lines = $all -split '\r?\n'
            if ($lines.Count -gt 0 -and $lines[$lines.Count - 1] -eq '') { $lines = $lines[0..($lines.Count - 2)] }
            $lines
        }
    }
}
