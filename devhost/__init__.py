"""devhost: the local Azure Functions host for development and tests (never deployed)."""
