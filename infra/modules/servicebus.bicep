// Service Bus namespace with the `interview-scoring` queue: one message per finished interview, consumed by
// the scoring function (Service Bus trigger). Local (SAS key) auth is off; the app uses its managed identity.
param name string
param location string
param tags object = {}
@description('Queue the app sends finished interviews to and the scoring trigger listens on.')
param queueName string = 'interview-scoring'
@description('Deliveries before a message goes to the dead-letter queue. The app reads the same number (SCORING_MAX_DELIVERY_COUNT) to record a final failure on the last delivery.')
@minValue(1)
@maxValue(100)
param maxDeliveryCount int = 5

resource namespace 'Microsoft.ServiceBus/namespaces@2021-11-01' = {
  name: name
  location: location
  tags: tags
  // Standard: duplicate detection needs Standard or Premium; Premium (CMK, private endpoints) is not needed
  // for a few messages an hour.
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource scoringQueue 'Microsoft.ServiceBus/namespaces/queues@2021-11-01' = {
  parent: namespace
  name: queueName
  properties: {
    // The scorer calls Gemini with a ~60 s timeout and retries once: up to ~2 minutes of model time plus
    // loading the transcript and storing the verdict. A 5-minute lock (the maximum) keeps the message locked
    // for the whole attempt, so a slow but healthy scoring is never handed to a second instance.
    lockDuration: 'PT5M'
    // Each delivery already includes one in-process retry; 5 deliveries ride out a model outage of several
    // minutes, then the message dead-letters (never a made-up score). Must equal SCORING_MAX_DELIVERY_COUNT.
    maxDeliveryCount: maxDeliveryCount
    // An interview nobody scored within two weeks is dead-lettered rather than silently dropped.
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    // The app sends with a message id (interview id + scoring request number): a repeated send, for example
    // from an activity retried after a host restart, is dropped by Service Bus.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'P1D'
    requiresSession: false
    enableBatchedOperations: true
  }
}

output name string = namespace.name
output id string = namespace.id
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output queueName string = scoringQueue.name
output maxDeliveryCount int = maxDeliveryCount
