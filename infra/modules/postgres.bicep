// PostgreSQL Flexible Server, the system of record. Entra ID authentication only (no passwords anywhere):
// the app's managed identity is an Entra administrator and connects with a token; so, optionally, is the
// identity that deploys (it runs the migrations, see docs/deploy.md). TLS is enforced by the server.
param name string
param location string
param tags object = {}
param databaseName string = 'interviewai'
@allowed(['14', '15', '16'])
param version string = '16'
param skuName string = 'Standard_B1ms'
@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
param skuTier string = 'Burstable'
@minValue(32)
param storageSizeGB int = 32
@description('Days of point-in-time restore.')
@minValue(7)
@maxValue(35)
param backupRetentionDays int = 7
@description('Copies backups to the paired region. Can only be chosen when the server is created.')
@allowed(['Enabled', 'Disabled'])
param geoRedundantBackup string = 'Enabled'
@allowed(['Disabled', 'SameZone', 'ZoneRedundant'])
param highAvailabilityMode string = 'Disabled'

@description('Name of the app\'s user-assigned identity: its PostgreSQL role name and DATABASE_URL user.')
param appIdentityName string
@description('Object (principal) id of the app\'s user-assigned identity.')
param appIdentityPrincipalId string
@description('Object id of the deploying user or service principal, made an Entra admin so it can run migrations. Empty: none.')
param deployerPrincipalId string = ''
@description('Its PostgreSQL role name: the user principal name of a user, the display name of a service principal.')
param deployerPrincipalName string = ''
@allowed(['User', 'ServicePrincipal', 'Group'])
param deployerPrincipalType string = 'ServicePrincipal'
@description('Single IPv4 addresses allowed through the firewall (a developer running migrations). The app reaches the server through the Azure-services rule.')
param allowedIpAddresses array = []

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: version
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: subscription().tenantId
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: geoRedundantBackup
    }
    highAvailability: {
      mode: highAvailabilityMode
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// The server rejects non-TLS connections (it is the default; stated so a portal change shows up as drift).
resource requireSecureTransport 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'require_secure_transport'
  properties: {
    value: 'ON'
    source: 'user-override'
  }
  dependsOn: [database]
}

resource minimumTlsVersion 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'ssl_min_protocol_version'
  properties: {
    value: 'TLSv1.2'
    source: 'user-override'
  }
  dependsOn: [requireSecureTransport]
}

// Server-level operations run one at a time: each step waits for the previous one, or ARM reports a conflict.
resource appIdentityAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: server
  name: appIdentityPrincipalId
  properties: {
    principalType: 'ServicePrincipal'
    principalName: appIdentityName
    tenantId: subscription().tenantId
  }
  dependsOn: [minimumTlsVersion]
}

resource deployerAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = if (!empty(deployerPrincipalId)) {
  parent: server
  name: empty(deployerPrincipalId) ? 'unused' : deployerPrincipalId
  properties: {
    principalType: deployerPrincipalType
    principalName: deployerPrincipalName
    tenantId: subscription().tenantId
  }
  dependsOn: [appIdentityAdmin]
}

// 0.0.0.0 is Azure's convention for "connections from Azure services": the Flex Consumption app has no fixed
// outbound address without VNet integration. Every connection still needs an Entra token and TLS.
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
  dependsOn: [deployerAdmin]
}

@batchSize(1)
resource allowedIps 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = [
  for ip in allowedIpAddresses: {
    parent: server
    name: 'allow-${replace(ip, '.', '-')}'
    properties: {
      startIpAddress: ip
      endIpAddress: ip
    }
    dependsOn: [allowAzureServices]
  }
]

output name string = server.name
output fullyQualifiedDomainName string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
