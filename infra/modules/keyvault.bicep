// Key Vault (RBAC authorization) holding the third-party secrets. The app reads them through app settings
// of the form @Microsoft.KeyVault(SecretUri=...) with the unversioned secret URI, so a new secret version is
// picked up on the next restart (see docs/operations.md).
param name string
param location string
param tags object = {}
@secure()
@description('Twilio auth token (signs webhooks, authenticates REST calls).')
param twilioAuthToken string
@secure()
@description('Gemini API key. Empty: no secret is stored and the app falls back to its local scorer.')
param geminiApiKey string = ''
// Outputs must not reference a secure parameter (linter: outputs-should-not-contain-secrets), so the
// output below keys off this flag rather than off geminiApiKey itself.
var storeGeminiApiKey = !empty(geminiApiKey)
@description('Days a deleted vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

var geminiApiKeySecretName = 'gemini-api-key'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  //checkov:skip=CKV_AZURE_109:The Flex Consumption app has no VNet integration here and App Service Key Vault references are not a trusted service for the firewall bypass; access is by Entra RBAC only.
  //checkov:skip=CKV_AZURE_189:Public endpoint needed for the same reason; no access policies, only RBAC (Key Vault Secrets User for the app).
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource twilioAuthTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  //checkov:skip=CKV_AZURE_41:Twilio decides when the token changes; an expiry date here would take the app down on that date instead of rotating anything (rotation: docs/operations.md).
  parent: vault
  name: 'twilio-auth-token'
  properties: {
    value: twilioAuthToken
    contentType: 'text/plain'
  }
}

resource geminiApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeGeminiApiKey) {
  //checkov:skip=CKV_AZURE_41:Google decides when the key changes; an expiry date here would stop scoring on that date instead of rotating anything (rotation: docs/operations.md).
  //checkov:skip=CKV_AZURE_114:contentType is set below; checkov does not read the properties of a conditional resource.
  parent: vault
  name: geminiApiKeySecretName
  properties: {
    value: geminiApiKey
    contentType: 'text/plain'
  }
}

output name string = vault.name
output id string = vault.id
// Unversioned URIs: the app always resolves the latest enabled version.
output twilioAuthTokenSecretUri string = twilioAuthTokenSecret.properties.secretUri
output geminiApiKeySecretUri string = !storeGeminiApiKey ? '' : '${vault.properties.vaultUri}secrets/${geminiApiKeySecretName}'
