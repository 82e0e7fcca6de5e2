"""The real DurableOrchestrationClient against the task hub's HTTP endpoints on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from azure.durable_functions import DurableOrchestrationClient, OrchestrationRuntimeStatus
from azure.durable_functions.models.utils import http_utils

from devhost.durable import TaskHub
from devhost.durable.rpc import add_rpc_routes, client_binding_json
from tests.devhost.conftest import settle

Scenario = Callable[[DurableOrchestrationClient, str], Awaitable[None]]


def run_with_client(hub: TaskHub, scenario: Scenario) -> None:
    async def main() -> None:
        app = web.Application()
        add_rpc_routes(app, hub)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        client = DurableOrchestrationClient(client_binding_json(base_url, hub.hub_name))
        try:
            await scenario(client, base_url)
        finally:
            # The library keeps one aiohttp session per process, bound to the loop that made it.
            await http_utils._close_session()
            await runner.cleanup()

    asyncio.run(main())


async def settled(hub: TaskHub) -> None:
    await asyncio.to_thread(settle, hub)


def test_binding_json_points_the_client_at_the_rpc_base_url() -> None:
    binding = json.loads(client_binding_json("http://127.0.0.1:7071", "InterviewHub"))
    assert binding["taskHubName"] == "InterviewHub"
    assert binding["rpcBaseUrl"] == "http://127.0.0.1:7071/runtime/webhooks/durabletask/"
    urls = binding["managementUrls"]
    assert urls["id"] == "{id}"
    assert urls["statusQueryGetUri"] == (
        "http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/{id}?taskHub=InterviewHub&connection=Storage"
    )
    for key in ("sendEventPostUri", "terminatePostUri", "rewindPostUri", "purgeHistoryDeleteUri"):
        assert "/instances/{id}/" in urls[key] or urls[key].startswith(
            urls["statusQueryGetUri"].split("?")[0]
        )
    for key in ("restartPostUri", "suspendPostUri", "resumePostUri"):
        assert "{id}" in urls[key]
    assert "{functionName}" in binding["creationUrls"]["createNewInstancePostUri"]


def test_client_starts_queries_raises_events_and_sees_404_and_410(hub: TaskHub) -> None:
    async def scenario(client: DurableOrchestrationClient, base_url: str) -> None:
        instance_id = await client.start_new("echo_event", None, {"candidate": "c-1"})
        await settled(hub)
        status = await client.get_status(instance_id)
        assert status.runtime_status == OrchestrationRuntimeStatus.Running
        assert status.input_ == {"candidate": "c-1"}
        assert status.custom_status == {"input": {"candidate": "c-1"}}

        await client.raise_event(instance_id, "reply", {"text": "yes"})
        await settled(hub)
        status = await client.get_status(instance_id, show_history=True)
        assert status.runtime_status == OrchestrationRuntimeStatus.Completed
        # As on Azure (azure-functions-durable-python #295), event data sent through the Python client
        # reaches the orchestrator as the JSON text of the value.
        assert status.output == {"input": {"candidate": "c-1"}, "received": '{"text": "yes"}', "type": "str"}
        assert [e["EventType"] for e in status.historyEvents][-2:] == ["EventRaised", "ExecutionCompleted"]

        # 410 for a finished instance: raise_event raises, terminate accepts it silently (client behaviour).
        with pytest.raises(Exception, match=f"Instance with ID {instance_id} is gone"):
            await client.raise_event(instance_id, "reply", "late")
        await client.terminate(instance_id, "too late")

        # 404 for an unknown one: get_status returns a falsy status, the others raise.
        assert not await client.get_status("no-such-instance")
        with pytest.raises(Exception, match="No instance with ID no-such-instance found"):
            await client.raise_event("no-such-instance", "reply", "hello")
        with pytest.raises(Exception, match="No instance with ID 'no-such-instance' found"):
            await client.terminate("no-such-instance", "why")

    run_with_client(hub, scenario)


def test_client_terminates_lists_purges_and_is_refused_a_running_id(hub: TaskHub) -> None:
    async def scenario(client: DurableOrchestrationClient, base_url: str) -> None:
        assert await client.start_new("waits_forever", "rpc-interview-1") == "rpc-interview-1"
        with pytest.raises(Exception, match="already"):
            await client.start_new("waits_forever", "rpc-interview-1")  # 409
        with pytest.raises(Exception, match="no orchestrator function named 'nope'"):
            await client.start_new("nope")  # 400
        await settled(hub)

        payload = client.create_http_management_payload("rpc-interview-1")
        assert payload["id"] == "rpc-interview-1"
        async with aiohttp.ClientSession() as session:
            async with session.get(payload["statusQueryGetUri"]) as response:
                assert response.status == 202  # still running
                assert (await response.json())["runtimeStatus"] == "Running"
                assert response.headers["Location"]

        await client.terminate("rpc-interview-1", "recruiter cancelled")
        await settled(hub)
        status = await client.get_status("rpc-interview-1")
        assert status.runtime_status == OrchestrationRuntimeStatus.Terminated
        assert status.output == "recruiter cancelled"

        everything = await client.get_status_all()
        assert "rpc-interview-1" in [s.instance_id for s in everything]
        terminated = await client.get_status_by(runtime_status=[OrchestrationRuntimeStatus.Terminated])
        assert [s.instance_id for s in terminated] == ["rpc-interview-1"]

        purged = await client.purge_instance_history("rpc-interview-1")
        assert purged.instances_deleted == 1
        assert not await client.get_status("rpc-interview-1")
        assert (await client.purge_instance_history("rpc-interview-1")).instances_deleted == 0

    run_with_client(hub, scenario)


def test_http_api_checks_event_content_type_and_refuses_unsupported_operations(hub: TaskHub) -> None:
    async def scenario(client: DurableOrchestrationClient, base_url: str) -> None:
        instance_id = await client.start_new("waits_forever")
        instance_url = f"{base_url}/runtime/webhooks/durabletask/instances/{instance_id}"
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{instance_url}/raiseEvent/never", data="plain text") as response:
                assert response.status == 400
            async with session.post(f"{instance_url}/raiseEvent/never", json="not json at all") as response:
                assert response.status == 202
            async with session.post(f"{instance_url}/rewind?reason=x") as response:
                assert response.status == 501
            async with session.delete(instance_url) as response:
                assert response.status == 412  # only finished instances can be purged
        await settled(hub)
        status = await client.get_status(instance_id)
        assert status.runtime_status == OrchestrationRuntimeStatus.Completed
        assert status.output == "not json at all"

    run_with_client(hub, scenario)
