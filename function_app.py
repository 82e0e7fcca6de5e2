"""The Azure Functions app: one blueprint per module of functions/.

Kept light on purpose: importing it opens no connection and imports no cloud SDK that a first request does
not need (each adapter imports its SDK when first used), so cold starts stay short.
"""

import azure.durable_functions as df
import azure.functions as func

from shared.startup import prepare_worker_process

prepare_worker_process()  # before any module of ours is imported

# isort: split
from functions import (  # noqa: E402
    candidates,
    console,
    dashboard,
    erasure,
    interview_activities,
    interview_orchestrator,
    interviews,
    jobs,
    meta,
    resumes,
    scoring,
    sms,
    tokens,
)
from shared.observability import install_log_masking  # noqa: E402

install_log_masking()

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

for module in (
    meta,
    jobs,
    candidates,
    resumes,
    erasure,
    tokens,
    interviews,
    sms,
    interview_orchestrator,
    interview_activities,
    scoring,
    dashboard,
    console,
):
    app.register_functions(module.bp)
