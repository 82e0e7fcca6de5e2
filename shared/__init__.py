"""Interview AI core: everything the Functions entry points call, importable without the Functions host."""
