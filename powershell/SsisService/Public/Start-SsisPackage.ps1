function Start-SsisPackage {
    <#
    .SYNOPSIS
    Runs packages on the service: stored packages, or package files.

    .DESCRIPTION
    Asks the service to run each package and returns its execution at once (Status Running).
    Packages are named by store path (-Path), or given as package files with -File (as dtexec
    /F; the service reads the file, so it must be a path the service can open). -Set overrides
    variables or properties for this run, as dtexec's /SET does. With -Wait, waits until the
    package ends (showing its status and current task as progress; Ctrl+C stops waiting, not
    the package) and returns the finished execution; an execution that did not succeed is also
    reported as an error (Ssis.PackageFailed), so -ErrorAction Stop makes a script stop on it.

    .PARAMETER Path
    Store paths of the packages to run, taken as written (no wildcards). Strings piped in bind
    here.

    .PARAMETER LiteralPath
    Store paths used exactly as written, like -Path. Aliases PSPath and LP. Package and folder
    objects piped in bind here (by their PSPath).

    .PARAMETER File
    Package files (.dtsx) to run instead of stored packages; relative paths are resolved from
    the current location. File objects piped in (Get-ChildItem *.dtsx) run as files too: they
    bind -LiteralPath by their PSPath, which names the FileSystem provider.

    .PARAMETER Project
    A project (.ispac, .dtproj, or a folder holding one or an unzipped .ispac) whose packages
    -Package names, run as dtexec /Project with /Package does: with the project's connection
    managers and parameters. Relative paths are resolved from the current location.

    .PARAMETER Package
    With -Project, the names of the project's packages to run (Load.dtsx).

    .PARAMETER Set
    Variable overrides: keys are variable names ('Count', 'User::Count') or property paths
    ('\Package.Variables[User::Count].Properties[Value]'); values are sent as text (dates as
    ISO 8601).

    .PARAMETER Password
    The password of packages or projects protected with one (EncryptAllWithPassword,
    EncryptSensitiveWithPassword), as dtexec's /DECRYPT. The service hands it to the package's
    executor in its environment; the execution's CommandLine shows a bare /DECRYPT.

    .PARAMETER Wait
    Waits until each package ends.

    .PARAMETER Timeout
    With -Wait, gives up waiting after this many seconds (OperationTimeout error; the package
    goes on running). Default: no limit.

    .PARAMETER Server
    The service to run on. Default: the default connection; bound from package objects.

    .EXAMPLE
    Start-SsisPackage '\File System\Sales\Daily Load'

    Starts the package and returns its execution while it runs.

    .EXAMPLE
    Start-SsisPackage '\File System\Sales\Daily Load' -Set @{ LoadDate = (Get-Date).Date; Region = 'EU' } -Wait -ErrorAction Stop

    Runs the package with two variables set, waits for it, and stops the script if it fails.

    .EXAMPLE
    Get-SsisPackage '\File System\Nightly\*' | Start-SsisPackage -Wait | Format-Table PackageName, Status, Duration

    Runs every package of a folder, one after the other.

    .EXAMPLE
    Start-SsisPackage '\File System\Finance\Payroll' -Password (Read-Host -AsSecureString 'Package password') -Wait

    Runs a package saved with a password (EncryptSensitiveWithPassword), asking for it.

    .EXAMPLE
    Start-SsisPackage -File ./build/Load.dtsx -Wait -Timeout 600 -Server .

    Runs a package file that is not in the store, waiting ten minutes at most.

    .EXAMPLE
    Start-SsisPackage -Project ./bin/Sales.ispac -Package 'Load Orders.dtsx' -Wait

    Runs a package of a project with the project's connection managers and parameters.

    .EXAMPLE
    Get-ChildItem ./build -Filter *.dtsx | Start-SsisPackage -Wait

    Runs every package file of a folder (files bind to -LiteralPath by their PSPath and run as
    package files).

    .INPUTS
    SsisService.Package (to -LiteralPath by PSPath, and -Server), System.String (store paths,
    to -Path), or files (System.IO.FileInfo, by PSPath: run as package files).

    .OUTPUTS
    SsisService.Execution. ExecutionId, PackageName, PackagePath, PackageFile, Store, Status,
    StartedBy, StartTime, EndTime, Duration, ExitCode, CurrentTask, CommandLine, Server.

    .LINK
    Stop-SsisPackage

    .LINK
    Wait-SsisExecution
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Path')]
    [OutputType('SsisService.Execution')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory, Position = 0, ValueFromPipeline)]
        [string[]]$Path,

        [Parameter(ParameterSetName = 'LiteralPath', Mandatory, ValueFromPipelineByPropertyName)]
        [Alias('PSPath', 'LP')]
        [string[]]$LiteralPath,

        [Parameter(ParameterSetName = 'File', Mandatory)]
        [string[]]$File,

        [Parameter(ParameterSetName = 'Project', Mandatory)]
        [string]$Project,

        [Parameter(ParameterSetName = 'Project', Mandatory, Position = 0)]
        [string[]]$Package,

        [System.Collections.IDictionary]$Set,

        [System.Security.SecureString]$Password,

        [switch]$Wait,

        [ValidateRange(0, 2147483)]
        [int]$Timeout = 0,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Server
    )
    begin {
        $pathFromCommandLine = $PSBoundParameters.ContainsKey('Path')
    }
    process {
        $connection = Resolve-SsisConnection -Caller $PSCmdlet -Server $Server
        $handle = $connection.Handle
        # Each target: a package file (-File, or a file object piped in, whose PSPath names
        # the FileSystem provider) or a store path (-Path, -LiteralPath, package objects).
        $targets = New-Object System.Collections.Generic.List[object]
        if ($PSCmdlet.ParameterSetName -eq 'File') {
            foreach ($each in $File) { $targets.Add([pscustomobject]@{ IsFile = $true; Text = $each }) }
        }
        elseif ($PSCmdlet.ParameterSetName -eq 'Project') {
            foreach ($each in $Package) { $targets.Add([pscustomobject]@{ IsFile = $false; Text = $each }) }
        }
        elseif ($PSCmdlet.ParameterSetName -eq 'LiteralPath') {
            foreach ($each in $LiteralPath) {
                if (Test-SsisProviderPath -Path $each) { $targets.Add([pscustomobject]@{ IsFile = $true; Text = $each }); continue }
                $storePath = ConvertFrom-SsisLiteralPath -Caller $PSCmdlet -Path $each
                if ($null -ne $storePath) { $targets.Add([pscustomobject]@{ IsFile = $false; Text = $storePath }) }
            }
        }
        else {
            foreach ($each in (Get-SsisPipelineString -Caller $PSCmdlet -Value $Path -PipelineObject $_ -FromCommandLine $pathFromCommandLine -Parameter 'Path' -Required)) {
                $targets.Add([pscustomobject]@{ IsFile = $false; Text = $each })
            }
        }
        $setList = ConvertTo-SsisSetList -Set $Set
        foreach ($item in $targets) {
            $isFile = $item.IsFile
            $each = $item.Text
            $request = [ordered]@{ Set = $setList; File = $isFile }
            if ($PSCmdlet.ParameterSetName -eq 'Project') {
                $request.Project = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Project)
            }
            if ($PSBoundParameters.ContainsKey('Password')) {
                $request.Password = [System.Net.NetworkCredential]::new('', $Password).Password
            }
            $options = ConvertTo-SsisRequestJson -Request $request
            if ($isFile) {
                $target = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($each)
                $action = 'Run package file'
            }
            elseif ($PSCmdlet.ParameterSetName -eq 'Project') {
                $target = $each
                $action = 'Run package of project {0}' -f $request.Project
            }
            else {
                $target = ConvertTo-SsisStorePath -Path $each
                $action = 'Run package'
            }
            if (-not $PSCmdlet.ShouldProcess(('{0} on {1}' -f $target, $connection.Server), $action)) { continue }
            $json = Invoke-SsisNative $PSCmdlet { [SsisService.SsisNative]::PackageRun($handle, $target, $options) } -SsisTarget $target
            if ($null -eq $json) { continue }
            $execution = ConvertFrom-SsisJson -Json $json -TypeName 'SsisService.Execution' -Server $connection.Server
            if (-not $Wait) { $execution; continue }
            $id = $execution.ExecutionId
            $final = Invoke-SsisNative $PSCmdlet { Wait-SsisExecutionEnd -Connection $connection -ExecutionId $id -TimeoutSeconds $Timeout } -SsisTarget $id
            if ($null -eq $final) { continue }
            $final
            if ($final.Status -ne 'Succeeded') {
                $message = "Package '{0}' ended with status {1} (exit code {2}) in execution {3}." -f $target, $final.Status, $final.ExitCode, $id
                if ($final.Message) { $message = $message + ' ' + $final.Message }
                $record = New-SsisUsageError -Kind 'PackageFailed' -TargetObject $final -Message $message -Category InvalidResult
                $PSCmdlet.WriteError($record)
            }
        }
    }
}
