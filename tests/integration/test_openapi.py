from __future__ import annotations

from openapi_spec_validator import validate

from tests.support.functions_host import call, http_functions


def test_openapi_document_is_valid_and_describes_every_route():
    response = call("GET", "openapi.json", token=None)
    assert response.status == 200
    document = response.json()
    validate(document)
    described = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = set()
    for route, _pattern, methods, _fn in http_functions():
        for method in methods:
            served.add(("/api/" + route, method))
    assert served <= described, f"undocumented routes: {served - described}"
    assert described <= served, f"documented but not served: {described - served}"


def test_protected_operations_declare_bearer_security_and_auth_errors():
    document = call("GET", "openapi.json", token=None).json()
    create_job = document["paths"]["/api/jobs"]["post"]
    assert create_job["security"] == [{"bearerAuth": []}]
    assert {"401", "403", "422", "201"} <= set(create_job["responses"])
    assert document["paths"]["/api/health"]["get"]["security"] == []
    schema_ref = create_job["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    job_create = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert "questions" in job_create["required"]
