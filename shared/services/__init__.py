"""Use cases behind the recruiter API: validation beyond the schema, rules, and calls to the data layer."""
