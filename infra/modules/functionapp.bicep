// The function app on a Flex Consumption (FC1) plan: Python 3.11, running as the user-assigned identity.
// Every connection is identity-based: no storage, Service Bus or Application Insights keys, no database
// password; the two third-party secrets are Key Vault references.
param name string
param planName string
param location string
param tags object = {}
@description('Value of the azd-service-name tag: the service in azure.yaml that deploys to this app.')
param serviceName string = 'api'

param identityId string
param identityName string
param identityClientId string

param storageAccountName string
param storageBlobEndpoint string
param deploymentContainerName string
param resumeContainerName string = 'resumes'
param serviceBusFullyQualifiedNamespace string
@description('Equals the queue\'s maxDeliveryCount, so the scorer knows which delivery is the last.')
param scoringMaxDeliveryCount int
param applicationInsightsConnectionString string
param postgresHost string
param postgresDatabase string
@description('Upper bound of PostgreSQL connections per instance (DATABASE_POOL_MAX).')
@minValue(1)
@maxValue(100)
param databasePoolMax int = 4

param twilioAccountSid string
param twilioMessagingServiceSid string
param twilioFromNumber string = ''
@description('Unversioned Key Vault URI of the Twilio auth token.')
param twilioAuthTokenSecretUri string
@description('Unversioned Key Vault URI of the Gemini API key; empty when no key is configured.')
param geminiApiKeySecretUri string = ''
param geminiModel string = 'gemini-2.5-flash'
param defaultPhoneRegion string = 'US'
@description('More app settings, merged last (they override the ones above).')
param extraAppSettings object = {}

@description('Memory per instance. 2048 MB is plenty for PDF and DOCX text extraction.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
@description('Scale-out limit. Every instance opens up to DATABASE_POOL_MAX PostgreSQL connections: keep instances x pool below the server\'s max_connections.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  //checkov:skip=CKV_AZURE_225:Flex Consumption zone redundancy depends on the region and needs always-ready instances; a few SMS interviews an hour do not justify it. Enable per environment where needed.
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  //checkov:skip=CKV_AZURE_222:Twilio posts webhooks from the internet; every route authenticates (Twilio signature or API bearer token).
  //checkov:skip=CKV_AZURE_17:Twilio cannot present client certificates; webhooks are verified by X-Twilio-Signature instead.
  //checkov:skip=CKV_AZURE_212:Flex Consumption scales from zero by design; the platform replaces failed instances.
  //checkov:skip=CKV_AZURE_213:Flex Consumption does not support the App Service health check; the Functions host is monitored by the platform and Application Insights.
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity (the default would be a system identity).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// Deployments authenticate with Entra ID (OIDC in the workflow, azd locally); basic-auth publishing is off.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

var appSettings = {
  // Functions host storage (leases, Durable Functions task hub) through the managed identity.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The Service Bus trigger's connection (`connection="ServiceBusConnection"`) and the app's sender.
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  // DefaultAzureCredential in the app (Blob, Table, PostgreSQL tokens) picks this identity.
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // No password: with DATABASE_AUTH=entra the app sends an Entra token for the identity as the password.
  DATABASE_URL: 'postgresql://${identityName}@${postgresHost}:5432/${postgresDatabase}?sslmode=require'
  DATABASE_AUTH: 'entra'
  DATABASE_POOL_MAX: string(databasePoolMax)
  RESUME_CONTAINER: resumeContainerName
  SCORING_MAX_DELIVERY_COUNT: string(scoringMaxDeliveryCount)
  PUBLIC_BASE_URL: 'https://${site.properties.defaultHostName}'
  TWILIO_ACCOUNT_SID: twilioAccountSid
  TWILIO_MESSAGING_SERVICE_SID: twilioMessagingServiceSid
  TWILIO_FROM_NUMBER: twilioFromNumber
  TWILIO_AUTH_TOKEN: '@Microsoft.KeyVault(SecretUri=${twilioAuthTokenSecretUri})'
  // Empty means "no key": the app then uses its local scorer and says so in every stored result.
  GEMINI_API_KEY: empty(geminiApiKeySecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${geminiApiKeySecretUri})'
  GEMINI_MODEL: geminiModel
  DEFAULT_PHONE_REGION: defaultPhoneRegion
}

resource siteAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  // checkov reads every sites/config resource as the web (siteConfig) config; this one holds app settings only.
  //checkov:skip=CKV_AZURE_13:App settings, not auth config; the app authenticates every route itself (Twilio signature, bearer tokens) and Easy Auth would reject Twilio.
  //checkov:skip=CKV_AZURE_63:App settings, not siteConfig; Flex Consumption has no App Service HTTP logs (requests go to Application Insights).
  //checkov:skip=CKV_AZURE_65:App settings, not siteConfig; detailed error pages do not apply to a Functions app.
  //checkov:skip=CKV_AZURE_66:App settings, not siteConfig; failed request tracing does not apply to Flex Consumption.
  //checkov:skip=CKV_AZURE_80:App settings, not siteConfig; a Python app has no .NET Framework version.
  //checkov:skip=CKV_AZURE_88:App settings, not siteConfig; Flex Consumption keeps its package in blob storage, not Azure Files.
  //checkov:skip=CKV_AZURE_222:App settings, not siteConfig; public access is covered on the site resource.
  parent: site
  name: 'appsettings'
  properties: union(appSettings, extraAppSettings)
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output url string = 'https://${site.properties.defaultHostName}'
