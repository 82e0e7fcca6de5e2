"""The console's static files as the Functions app serves them, and rules its source must keep."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest

from functions.console import ASSETS, CONSOLE_DIR
from tests.support.functions_host import call, http_functions

ROOT = Path(__file__).resolve().parents[2]
JS_FILES = sorted(name for name in ASSETS if name.endswith(".js"))


def test_the_page_is_served_with_a_policy_that_allows_only_this_origin_and_no_inline_script():
    for path in ("console", "console/index.html"):
        response = call("GET", path, token=None)
        assert response.status == 200, response
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert b'<script type="module" src="/api/console/app.js">' in response.body
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self';" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "http" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_each_asset_has_its_type_and_an_etag_that_revalidates(name):
    response = call("GET", f"console/{name}", token=None)
    assert response.status == 200
    assert response.body == (CONSOLE_DIR / name).read_bytes()
    expected = {"html": "text/html", "css": "text/css", "js": "text/javascript"}[name.rsplit(".", 1)[1]]
    assert response.headers["Content-Type"] == f"{expected}; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    etag = response.headers["ETag"]
    again = call("GET", f"console/{name}", token=None, headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert again.headers["ETag"] == etag
    stale = call("GET", f"console/{name}", token=None, headers={"If-None-Match": '"something-else"'})
    assert stale.status == 200


@pytest.mark.parametrize(
    "name",
    ["..", "../function_app.py", "%2e%2e%2ffunction_app.py", ".funcignore", "secrets.txt", "app.js.map", ""],
)
def test_names_outside_the_allow_list_are_404_problems(name):
    # Straight into the registered function with any route value, even one a router would never produce.
    import azure.functions as func

    serve = next(fn for route, _pattern, _methods, fn in http_functions() if route == "console/{file}")
    request = func.HttpRequest("GET", "http://localhost/api/console/x", body=b"", route_params={"file": name})
    response = serve(request)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert json.loads(response.get_body())["status"] == 404


def test_the_allow_list_is_exactly_the_console_folder():
    on_disk = {path.name for path in CONSOLE_DIR.iterdir() if path.is_file()}
    assert on_disk == set(ASSETS)


def test_every_module_import_names_a_served_file():
    for name in JS_FILES:
        source = (CONSOLE_DIR / name).read_text()
        for imported in re.findall(r'from\s+"\./([^"]+)"', source):
            assert imported in ASSETS, f"{name} imports {imported}, which is not served"


def test_no_asset_loads_anything_from_another_origin():
    allowed = {"http://www.w3.org/2000/svg"}  # the SVG namespace name, never fetched
    for name in ASSETS:
        source = (CONSOLE_DIR / name).read_text()
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'`)]*", source)) - allowed
        assert not urls, f"{name} refers to {urls}"
        assert "@import" not in source


def test_scripts_never_turn_data_into_markup():
    # Candidates' answers and names reach the page as text; these APIs would parse them as HTML or code.
    forbidden = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(\s*[\"']style"
    )
    for name in JS_FILES:
        match = forbidden.search((CONSOLE_DIR / name).read_text())
        assert match is None, f"{name} uses {match.group(0)}"


def test_the_page_has_no_inline_script_or_style():
    html = (CONSOLE_DIR / "index.html").read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag
    assert re.search(r"<script\b[^>]*>\s*[^<\s]", html) is None
    assert "<style" not in html and " style=" not in html and re.search(r"\son\w+=", html) is None


def test_the_deployment_package_keeps_the_console():
    patterns = [
        line.strip().rstrip("/")
        for line in (ROOT / ".funcignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for path in ("console", "console/index.html", "functions/console.py"):
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        excluded = [p for p in patterns for prefix in prefixes if fnmatch.fnmatch(prefix, p)]
        assert not excluded, f".funcignore excludes {path} by {excluded}"
