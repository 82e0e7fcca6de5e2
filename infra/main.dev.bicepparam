// Development environment, deployed by .github/workflows/deploy.yml (environment "dev").
// Values that differ per deployment or are secret come from the workflow's environment variables.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'eastus2')

param twilioAccountSid = readEnvironmentVariable('TWILIO_ACCOUNT_SID')
param twilioMessagingServiceSid = readEnvironmentVariable('TWILIO_MESSAGING_SERVICE_SID')
param twilioFromNumber = readEnvironmentVariable('TWILIO_FROM_NUMBER', '')
param twilioAuthToken = readEnvironmentVariable('TWILIO_AUTH_TOKEN')
param geminiApiKey = readEnvironmentVariable('GEMINI_API_KEY', '')
param geminiModel = 'gemini-2.5-flash'

// The workflow's service principal: a PostgreSQL Entra admin, so it can run the migrations.
param deployerPrincipalId = readEnvironmentVariable('DEPLOYER_PRINCIPAL_ID', '')
param deployerPrincipalName = readEnvironmentVariable('DEPLOYER_PRINCIPAL_NAME', '')
param deployerPrincipalType = 'ServicePrincipal'
param operatorPrincipalId = readEnvironmentVariable('OPERATOR_PRINCIPAL_ID', '')

// Small and cheap: a burstable server, a week of point-in-time restore, no geo copies (dev data is
// disposable). B1ms allows ~50 connections, hence 2 per instance.
param postgresSkuName = 'Standard_B1ms'
param postgresSkuTier = 'Burstable'
param postgresStorageSizeGB = 32
param postgresBackupRetentionDays = 7
param postgresGeoRedundantBackup = 'Disabled'
param postgresHighAvailabilityMode = 'Disabled'
param databasePoolMax = 2
param maximumInstanceCount = 40

param storageSkuName = 'Standard_LRS'
param logRetentionInDays = 30
