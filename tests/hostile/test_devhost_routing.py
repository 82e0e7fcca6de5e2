"""devhost answers paths no function serves as the API does, problem+json (found by fuzzing the API)."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/api/interviews/%0A%3C", "/api/jobs%0A", "/api/health%0A", "/%0A"])
def test_a_path_with_a_newline_gets_a_problem_json_404(hostile_devhost, path):
    response = requests.get(hostile_devhost.url + path, headers={"Authorization": f"Bearer {hostile_devhost.token}"},
                            timeout=10)  # fmt: skip
    assert response.status_code == 404, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_an_unsupported_method_gets_405_with_allow(hostile_devhost):
    response = requests.request("TRACE", hostile_devhost.url + "/api/candidates/x", timeout=10)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "PATCH", "DELETE"}
    assert response.headers["Content-Type"].startswith("application/problem+json")
