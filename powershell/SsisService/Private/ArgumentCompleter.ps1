# Tab completion of store paths (folders and packages) for -Path, -LiteralPath and
# -Destination, through the connection named by -Server or the default one (never connecting
# while completing). Completions are quoted ('' for a quote); for -Path, which reads
# wildcards, '[', ']', '*' and '?' are escaped with a backtick so the name stays literal.

function Get-SsisPathCompletion {
    # Completions for a store path being typed: the folders and packages of its parent
    # folder whose names start with what follows the last separator.
    [CmdletBinding()]
    [OutputType([System.Management.Automation.CompletionResult])]
    param(
        [AllowEmptyString()][string]$WordToComplete,
        [System.Collections.IDictionary]$FakeBoundParameters,
        [switch]$FoldersOnly,
        [switch]$Literal
    )
    $connection = $script:SsisDefaultConnection
    if ($null -ne $FakeBoundParameters -and $FakeBoundParameters.Contains('Server') -and $FakeBoundParameters['Server']) {
        $connection = Find-SsisConnection -Name ([string]$FakeBoundParameters['Server'])
    }
    if ($null -eq $connection) { return }
    $word = $WordToComplete.Trim([char[]]@('''', '"'))
    if (-not $Literal) { $word = [System.Management.Automation.WildcardPattern]::Unescape($word) }
    $cut = $word.LastIndexOfAny([char[]]@('\', '/'))
    $parent = '\'
    $prefix = $word
    if ($cut -ge 0) {
        $parent = ConvertTo-SsisStorePath -Path $word.Substring(0, $cut)
        $prefix = $word.Substring($cut + 1)
    }
    $handle = $connection.Handle
    $items = New-Object System.Collections.Generic.List[object]
    try {
        foreach ($folder in @((ConvertFrom-Json -InputObject ([SsisService.SsisNative]::ListFolders($handle, $parent))).Items)) {
            if ($null -ne $folder) { $items.Add([pscustomobject]@{ Name = $folder.Name; Path = $folder.Path + '\'; Type = 'ProviderContainer' }) }
        }
        if (-not $FoldersOnly -and $parent -ne '\') {
            foreach ($package in @((ConvertFrom-Json -InputObject ([SsisService.SsisNative]::ListPackages($handle, $parent, $false))).Items)) {
                if ($null -ne $package) { $items.Add([pscustomobject]@{ Name = $package.Name; Path = $package.Path; Type = 'ProviderItem' }) }
            }
        }
    }
    catch {
        return
    }
    foreach ($item in $items) {
        if (-not $item.Name.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        $insert = $item.Path
        if (-not $Literal) { $insert = [System.Management.Automation.WildcardPattern]::Escape($insert) }
        $text = "'" + $insert.Replace("'", "''") + "'"
        New-Object System.Management.Automation.CompletionResult($text, $item.Path, $item.Type, $item.Path)
    }
}

function Register-SsisArgumentCompleter {
    # Registers the store path completers for the module's cmdlets.
    [CmdletBinding()]
    param()
    $packageCommands = @('Get-SsisPackage', 'Export-SsisPackage', 'Copy-SsisPackage', 'Move-SsisPackage', 'Remove-SsisPackage', 'Test-SsisPackage', 'Start-SsisPackage')
    $folderCommands = @('Get-SsisFolder', 'New-SsisFolder', 'Rename-SsisFolder', 'Remove-SsisFolder')
    $anyPath = {
        param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
        Get-SsisPathCompletion -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters
    }
    $folderPath = {
        param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
        Get-SsisPathCompletion -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters -FoldersOnly
    }
    $anyLiteralPath = {
        param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
        Get-SsisPathCompletion -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters -Literal
    }
    $folderLiteralPath = {
        param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
        Get-SsisPathCompletion -WordToComplete $wordToComplete -FakeBoundParameters $fakeBoundParameters -FoldersOnly -Literal
    }
    Register-ArgumentCompleter -CommandName $packageCommands -ParameterName 'Path' -ScriptBlock $anyPath
    Register-ArgumentCompleter -CommandName $packageCommands -ParameterName 'LiteralPath' -ScriptBlock $anyLiteralPath
    # -Destination is a store path taken as written (never a pattern).
    Register-ArgumentCompleter -CommandName @('Copy-SsisPackage', 'Move-SsisPackage', 'Import-SsisPackage') -ParameterName 'Destination' -ScriptBlock $anyLiteralPath
    Register-ArgumentCompleter -CommandName $folderCommands -ParameterName 'Path' -ScriptBlock $folderPath
    Register-ArgumentCompleter -CommandName $folderCommands -ParameterName 'LiteralPath' -ScriptBlock $folderLiteralPath
    $serverNames = {
        param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
        foreach ($connection in $script:SsisConnections) {
            # A prefix match, not -like: server names may hold brackets ('tls://[::1]:8443').
            if ($connection.Server.StartsWith($wordToComplete.Trim([char[]]@('''', '"')), [System.StringComparison]::OrdinalIgnoreCase)) {
                New-Object System.Management.Automation.CompletionResult(("'" + $connection.Server.Replace("'", "''") + "'"), $connection.Server, 'ParameterValue', $connection.Server)
            }
        }
    }
    $allCommands = $packageCommands + $folderCommands + @('Import-SsisPackage', 'Get-SsisServer', 'Disconnect-SsisServer', 'Get-SsisServiceConfig', 'Set-SsisServiceConfig', 'Get-SsisExecution', 'Wait-SsisExecution', 'Stop-SsisPackage', 'Get-SsisExecutionOutput', 'Get-SsisEvent', 'Get-SsisAccess', 'Grant-SsisAccess', 'Revoke-SsisAccess')
    Register-ArgumentCompleter -CommandName $allCommands -ParameterName 'Server' -ScriptBlock $serverNames
}
