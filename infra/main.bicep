// Interview AI: every Azure resource the backend needs, in one resource group per environment.
// `azd up` (azure.yaml, main.parameters.json) or the deploy workflow (main.<env>.bicepparam) deploys it.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Environment name (dev, prod, ...): names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name. Empty: rg-interviewai-<environmentName>.')
param resourceGroupName string = ''

// Twilio. The auth token is a secret: it goes to Key Vault, never to an app setting in clear.
@description('Twilio account SID (ACxxxxxxxx...).')
param twilioAccountSid string
@description('Twilio Messaging Service SID (MGxxxxxxxx...) the app sends from.')
param twilioMessagingServiceSid string
@description('Sender number, only when no Messaging Service is used. Optional.')
param twilioFromNumber string = ''
@secure()
@minLength(1)
@description('Twilio auth token. Stored in Key Vault.')
param twilioAuthToken string

// Gemini.
@secure()
@description('Gemini API key, stored in Key Vault. Empty: the app scores with its local, deterministic scorer.')
param geminiApiKey string = ''
param geminiModel string = 'gemini-2.5-flash'

@description('Region used to parse phone numbers written without a country code.')
param defaultPhoneRegion string = 'US'

// PostgreSQL sizing, backups and availability (differ between dev and prod).
param postgresSkuName string = 'Standard_B1ms'
@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
param postgresSkuTier string = 'Burstable'
@minValue(32)
param postgresStorageSizeGB int = 32
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 7
@description('Geo-redundant backups. Fixed when the server is created; switching later means a new server.')
@allowed(['Enabled', 'Disabled'])
param postgresGeoRedundantBackup string = 'Enabled'
@allowed(['Disabled', 'SameZone', 'ZoneRedundant'])
param postgresHighAvailabilityMode string = 'Disabled'
@description('Single IPv4 addresses allowed to reach PostgreSQL (for example a developer running migrations).')
param postgresAllowedIpAddresses array = []

// Who deploys: made a PostgreSQL Entra admin so it can run the migrations.
@description('Object id of the deploying user or service principal (azd: AZURE_PRINCIPAL_ID). Empty: not made a PostgreSQL admin.')
param deployerPrincipalId string = ''
@description('Its PostgreSQL role name: a user\'s UPN, a service principal\'s display name.')
param deployerPrincipalName string = ''
@allowed(['User', 'ServicePrincipal', 'Group'])
param deployerPrincipalType string = 'User'

@description('Object id of an operator (user or group) given read access to the conversation log and the scoring dead-letter queue. Optional.')
param operatorPrincipalId string = ''
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'User'

@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param storageSkuName string = 'Standard_LRS'
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30
@description('Function app scale-out limit (see DATABASE_POOL_MAX: instances x pool stays below PostgreSQL max_connections).')
param maximumInstanceCount int = 40
@description('PostgreSQL connections per function app instance (2 suits the default B1ms server, ~50 connections).')
param databasePoolMax int = 2

// The queue the orchestration sends finished interviews to and the scoring trigger listens on.
var scoringQueueName = 'interview-scoring'
// Deliveries before a scoring message dead-letters; the app gets the same number (SCORING_MAX_DELIVERY_COUNT).
var scoringMaxDeliveryCount = 5
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'interview-ai'
}
var names = {
  resourceGroup: !empty(resourceGroupName) ? resourceGroupName : 'rg-interviewai-${environmentName}'
  identity: 'id-iai-${resourceToken}'
  storage: 'stiai${resourceToken}'
  deploymentContainer: 'app-package-${take(resourceToken, 7)}'
  serviceBus: 'sb-iai-${resourceToken}'
  keyVault: 'kv-iai-${resourceToken}'
  postgres: 'psql-iai-${resourceToken}'
  logAnalytics: 'log-iai-${resourceToken}'
  applicationInsights: 'appi-iai-${resourceToken}'
  plan: 'asp-iai-${resourceToken}'
  functionApp: 'func-iai-${resourceToken}'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSkuName
    deploymentContainerName: names.deploymentContainer
    resumeContainerName: 'resumes'
    tableNames: ['conversationlog', 'auditlog']
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: names.serviceBus
    location: location
    tags: tags
    queueName: scoringQueueName
    maxDeliveryCount: scoringMaxDeliveryCount
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    twilioAuthToken: twilioAuthToken
    geminiApiKey: geminiApiKey
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    name: names.postgres
    location: location
    tags: tags
    databaseName: 'interviewai'
    skuName: postgresSkuName
    skuTier: postgresSkuTier
    storageSizeGB: postgresStorageSizeGB
    backupRetentionDays: postgresBackupRetentionDays
    geoRedundantBackup: postgresGeoRedundantBackup
    highAvailabilityMode: postgresHighAvailabilityMode
    appIdentityName: identity.outputs.name
    appIdentityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: !empty(deployerPrincipalName) ? deployerPrincipalId : ''
    deployerPrincipalName: deployerPrincipalName
    deployerPrincipalType: deployerPrincipalType
    allowedIpAddresses: postgresAllowedIpAddresses
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    resumeContainerName: storage.outputs.resumeContainerName
    serviceBusNamespaceName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityName: identity.outputs.name
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    resumeContainerName: storage.outputs.resumeContainerName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    scoringMaxDeliveryCount: serviceBus.outputs.maxDeliveryCount
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    postgresHost: postgres.outputs.fullyQualifiedDomainName
    postgresDatabase: postgres.outputs.databaseName
    databasePoolMax: databasePoolMax
    twilioAccountSid: twilioAccountSid
    twilioMessagingServiceSid: twilioMessagingServiceSid
    twilioFromNumber: twilioFromNumber
    twilioAuthTokenSecretUri: keyVault.outputs.twilioAuthTokenSecretUri
    geminiApiKeySecretUri: keyVault.outputs.geminiApiKeySecretUri
    geminiModel: geminiModel
    defaultPhoneRegion: defaultPhoneRegion
    maximumInstanceCount: maximumInstanceCount
  }
  // The host starts as soon as the app exists: its roles must be in place first, or the first start fails
  // to reach storage and Key Vault.
  dependsOn: [roles]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = functionApp.outputs.url
// Configure these on the Twilio Messaging Service (docs/deploy.md).
output TWILIO_INBOUND_WEBHOOK_URL string = '${functionApp.outputs.url}/api/sms/inbound'
output TWILIO_STATUS_CALLBACK_URL string = '${functionApp.outputs.url}/api/sms/status'
output APP_IDENTITY_NAME string = identity.outputs.name
output APP_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output POSTGRES_SERVER_NAME string = postgres.outputs.name
output POSTGRES_HOST string = postgres.outputs.fullyQualifiedDomainName
output POSTGRES_DATABASE string = postgres.outputs.databaseName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.name
output SCORING_QUEUE_NAME string = serviceBus.outputs.queueName
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
