# SsisService: PowerShell cmdlets for the SSIS service (ssis-service) over its native library.
# This file only loads: the private helpers, the native library, then one file per cmdlet.
# See about_SsisService (en-US/about_SsisService.help.txt) for the library search order.

foreach ($file in @(Get-ChildItem -Path (Join-Path $PSScriptRoot 'Private') -Filter '*.ps1' | Sort-Object Name)) {
    . $file.FullName
}

$script:SsisLibrary = Import-SsisNativeLibrary -ModuleRoot $PSScriptRoot

foreach ($file in @(Get-ChildItem -Path (Join-Path $PSScriptRoot 'Public') -Filter '*.ps1' | Sort-Object Name)) {
    . $file.FullName
}

Register-SsisArgumentCompleter

$ExecutionContext.SessionState.Module.OnRemove = {
    foreach ($connection in @($script:SsisConnections)) {
        $connection.Handle.Dispose()
    }
    $script:SsisConnections.Clear()
}
