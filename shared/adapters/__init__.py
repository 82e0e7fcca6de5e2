"""Adapters to the stores outside PostgreSQL: Blob Storage (resumes) and Table Storage (conversation log,
audit trail).

Each module imports its SDK inside the functions that need it, so importing an adapter (and so the function
app) loads no cloud SDK; clients are created on first use and cached per process (shared/adapters/storage.py).
Locally and in tests the same SDK code talks to Azurite.
"""
