from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY_SDKS = ("azure.storage.blob", "azure.data.tables", "google.genai", "twilio", "azure.servicebus")


def test_importing_the_function_app_loads_no_cloud_sdk():
    # A fresh interpreter: this test process has long imported everything.
    code = f"import sys, function_app\nprint(','.join(m for m in {HEAVY_SDKS!r} if m in sys.modules))\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "", f"imported at cold start: {result.stdout.strip()}"
