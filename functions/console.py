"""The recruiter console: the static files of the web page, served by the Functions app itself.

The host's route prefix (`api`, host.json) applies to every HTTP function, so the console lives at
`/api/console/` (devhost also redirects `/` there). Its files are the flat folder `console/` at the
repository root, shipped in the deployment package; the page loads nothing from anywhere else.

Only the names in ASSETS are served: the request's path is a key into that table and never reaches the
file system, so no path can escape the folder. Every response carries a Content-Security-Policy that allows
this origin only and no inline script, so even a string that slipped into the page as markup could not run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import azure.durable_functions as df
import azure.functions as func

from functions.http import ApiRequest, endpoint
from shared.errors import NotFound

bp = df.Blueprint()
TAGS = ("console",)

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"
_HTML = "text/html; charset=utf-8"
_JS = "text/javascript; charset=utf-8"
ASSETS: dict[str, str] = {
    "index.html": _HTML,
    "styles.css": "text/css; charset=utf-8",
    "app.js": _JS,
    "api.js": _JS,
    "dom.js": _JS,
    "forms.js": _JS,
    "charts.js": _JS,
    "page-dashboard.js": _JS,
    "page-jobs.js": _JS,
    "page-candidates.js": _JS,
    "page-interviews.js": _JS,
    "page-tokens.js": _JS,
}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # No build step fingerprints the file names, so a browser must revalidate each time (cheap: ETag);
    # a long max-age would mix old and new modules after a deployment.
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class _File:
    body: bytes
    etag: str
    mtime_ns: int


_cache: dict[str, _File] = {}


def _read(name: str) -> _File:
    """The file's bytes and ETag, read again only when it changed on disk (edits show up under devhost)."""
    path = CONSOLE_DIR / name
    try:
        mtime_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise NotFound(f"no console file {name!r}") from None
    cached = _cache.get(name)
    if cached is None or cached.mtime_ns != mtime_ns:
        body = path.read_bytes()
        cached = _File(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', mtime_ns)
        _cache[name] = cached
    return cached


def asset_response(req: func.HttpRequest, name: str) -> func.HttpResponse:
    """The named console file with its type and security headers; 304 when the browser's copy is current."""
    content_type = ASSETS.get(name)
    if content_type is None:
        raise NotFound(f"no console file {name!r}")
    file = _read(name)
    headers = {**SECURITY_HEADERS, "ETag": file.etag}
    if file.etag in (req.headers.get("if-none-match") or "").replace("W/", "").split(", "):
        return func.HttpResponse(status_code=304, headers=headers)
    return func.HttpResponse(file.body, status_code=200, headers={**headers, "Content-Type": content_type})


@endpoint(
    bp,
    "console",
    "GET",
    role=None,
    summary="The recruiter console (a web page; sign in with an API token)",
    tags=TAGS,
    response_schema={"type": "string"},
    response_content_type="text/html",
    description="Open /api/console/ in a browser. The page calls this API with the token it is given.",
)
def console_page(request: ApiRequest) -> func.HttpResponse:
    return asset_response(request.req, "index.html")


@endpoint(
    bp,
    "console/{file}",
    "GET",
    role=None,
    summary="A static file of the recruiter console (HTML, CSS or JavaScript)",
    tags=TAGS,
    response_schema={"type": "string"},
    response_content_type="text/*",
    description="Only the console's own files are served; any other name is 404.",
)
def console_file(request: ApiRequest) -> func.HttpResponse:
    return asset_response(request.req, request.req.route_params.get("file", ""))
