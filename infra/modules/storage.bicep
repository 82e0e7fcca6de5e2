// One storage account for the Functions host (AzureWebJobsStorage: leases, the Durable Functions task hub's
// queues and tables, the deployment package) and the app's data (resumes, conversation log, audit trail).
// Shared keys are off: everything, host included, authenticates with the managed identity.
param name string
param location string
param tags object = {}
@description('Private container Flex Consumption deploys the app package to.')
param deploymentContainerName string
@description('Private container for candidates\' resumes (RESUME_CONTAINER).')
param resumeContainerName string = 'resumes'
@description('Tables the app writes: the conversation log and the audit trail.')
param tableNames array = ['conversationlog', 'auditlog']
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_RAGRS', 'Standard_GZRS', 'Standard_RAGZRS'])
param skuName string = 'Standard_LRS'
@description('Days a deleted blob or container can be restored.')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int = 7

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  //checkov:skip=CKV_AZURE_59:The Flex Consumption app has no VNet integration here, so it reaches storage over the public endpoint; shared keys are off and every caller needs an Entra role.
  //checkov:skip=CKV_AZURE_35:Default action Allow for the same reason (the app's outbound addresses are not fixed); access is by Entra RBAC only.
  //checkov:skip=CKV_AZURE_206:Replication is a parameter (skuName): LRS for dev, ZRS/GZRS chosen per environment in the parameters file.
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    isLocalUserEnabled: false
    isSftpEnabled: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource resumeContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: resumeContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Durable Functions keeps its control and work-item queues here (created by the runtime on first start).
resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// Durable Functions' history and instance tables, plus the app's own tables.
resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output resumeContainerName string = resumeContainer.name
output deploymentContainerName string = deploymentContainer.name
