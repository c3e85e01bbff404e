@{
    RootModule           = 'SsisService.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '631ce450-c6fa-4f1b-a73c-091854efadd0'
    Author               = 'ssis-service contributors'
    CompanyName          = 'ssis-service'
    Copyright            = '(c) ssis-service contributors. MIT License.'
    Description          = 'Cmdlets for ssis-service, an open re-implementation of the SQL Server Integration Services (SSIS) Service: package store folders and packages, package runs, the service configuration. Works over the native library libssis_service.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    FormatsToProcess     = @('SsisService.Format.ps1xml')
    FunctionsToExport    = @(
        'Connect-SsisServer'
        'Disconnect-SsisServer'
        'Get-SsisServer'
        'Get-SsisFolder'
        'New-SsisFolder'
        'Rename-SsisFolder'
        'Remove-SsisFolder'
        'Get-SsisPackage'
        'Import-SsisPackage'
        'Export-SsisPackage'
        'Copy-SsisPackage'
        'Move-SsisPackage'
        'Remove-SsisPackage'
        'Test-SsisPackage'
        'Start-SsisPackage'
        'Stop-SsisPackage'
        'Get-SsisExecution'
        'Wait-SsisExecution'
        'Get-SsisExecutionOutput'
        'Get-SsisEvent'
        'Get-SsisServiceConfig'
        'Set-SsisServiceConfig'
        'Test-SsisServiceConfig'
        'Get-SsisAccess'
        'Grant-SsisAccess'
        'Revoke-SsisAccess'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('SSIS', 'SqlServer', 'IntegrationServices', 'dtexec', 'ETL', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
