"""Pydantic models of the recruiter API: they validate requests, shape responses and generate OpenAPI."""
