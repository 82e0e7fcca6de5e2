// Production environment, deployed by .github/workflows/deploy.yml (environment "prod").
// Values that differ per deployment or are secret come from the workflow's environment variables.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'prod')
param location = readEnvironmentVariable('AZURE_LOCATION', 'eastus2')

param twilioAccountSid = readEnvironmentVariable('TWILIO_ACCOUNT_SID')
param twilioMessagingServiceSid = readEnvironmentVariable('TWILIO_MESSAGING_SERVICE_SID')
param twilioFromNumber = readEnvironmentVariable('TWILIO_FROM_NUMBER', '')
param twilioAuthToken = readEnvironmentVariable('TWILIO_AUTH_TOKEN')
// Required in production: without a key the app would fall back to the local scorer.
param geminiApiKey = readEnvironmentVariable('GEMINI_API_KEY')
param geminiModel = 'gemini-2.5-flash'

// The workflow's service principal: a PostgreSQL Entra admin, so it can run the migrations.
param deployerPrincipalId = readEnvironmentVariable('DEPLOYER_PRINCIPAL_ID')
param deployerPrincipalName = readEnvironmentVariable('DEPLOYER_PRINCIPAL_NAME')
param deployerPrincipalType = 'ServicePrincipal'
param operatorPrincipalId = readEnvironmentVariable('OPERATOR_PRINCIPAL_ID', '')
param operatorPrincipalType = 'Group'

// The system of record: general-purpose compute, the longest point-in-time restore window, backups copied
// to the paired region (chosen at creation; cannot be switched on later). D2ds_v5 allows ~850 connections:
// 100 instances x 4 stays well below.
param postgresSkuName = 'Standard_D2ds_v5'
param postgresSkuTier = 'GeneralPurpose'
param postgresStorageSizeGB = 64
param postgresBackupRetentionDays = 35
param postgresGeoRedundantBackup = 'Enabled'
param postgresHighAvailabilityMode = 'Disabled'
param databasePoolMax = 4
param maximumInstanceCount = 100

param storageSkuName = 'Standard_ZRS'
param logRetentionInDays = 90
