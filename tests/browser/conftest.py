"""Browser tests: Debian's Chromium driven by Playwright against the recruiter console served by devhost.

Chromium comes from the system (scripts/install-chromium.sh installs it); Playwright never downloads one.
Screenshots of the main pages go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devhost.azurite import free_port
from tests.e2e.conftest import DevhostClient, start_devhost, stop_devhost

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
# Headless, and nothing that reaches out: this machine's network is closed, and Chromium's background
# connections would otherwise fail (slowly) at every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}


# Module scope: Playwright's sync API holds an event loop while it runs, which would break later tests
# that start their own (asyncio.run); and devhost should not keep running through the rest of the suite.
@pytest.fixture(scope="module")
def console_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevhostClient]:
    client = start_devhost(tmp_path_factory.mktemp("devhost-console"), free_port())
    yield client
    stop_devhost(client)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-chromium.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
