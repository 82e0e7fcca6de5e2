"""A fake Twilio for local runs and tests: the Messages API the real `twilio` client calls, signed status
callbacks, an outbox persisted in PostgreSQL, and a candidate's phone that texts the app's webhook exactly
as Twilio would (every usual form field, a fresh MessageSid, a valid X-Twilio-Signature).
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import aiohttp
import psycopg2
import psycopg2.extras
from aiohttp import web

from shared.db import server_hung_up
from shared.interview.keywords import TWILIO_HELP_WORDS, TWILIO_OPT_IN_WORDS, TWILIO_OPT_OUT_WORDS
from shared.interview.messages import segments
from shared.phone import mask_phone

log = logging.getLogger("devhost.twilio")

_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS devhost_twilio;
CREATE TABLE IF NOT EXISTS devhost_twilio.messages (
    sid text PRIMARY KEY,
    direction text NOT NULL,
    to_number text NOT NULL,
    from_number text,
    messaging_service_sid text,
    body text NOT NULL,
    status text NOT NULL,
    error_code integer,
    status_callback text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    seq bigserial
);
CREATE INDEX IF NOT EXISTS messages_to ON devhost_twilio.messages (to_number, seq);
CREATE TABLE IF NOT EXISTS devhost_twilio.opt_outs (phone text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
"""
# Every status change of a delivered message, each posted to its StatusCallback in this order.
CALLBACK_STATUSES = ("queued", "sent", "delivered")


def twilio_keyword(body: str) -> str | None:
    """The OptOutType Twilio gives a message: only a message that is exactly one of its keywords (any case,
    surrounding spaces ignored) counts; "please stop" or "stop." do not, and YES always opts in. (The app reads
    keywords more leniently on its own, so the fake must not.)"""
    word = body.strip().upper()
    for opt_out_type, words in (("STOP", TWILIO_OPT_OUT_WORDS), ("START", TWILIO_OPT_IN_WORDS),
                                ("HELP", TWILIO_HELP_WORDS)):  # fmt: skip
        if word in words:
            return opt_out_type
    return None


def new_sid() -> str:
    return "SM" + secrets.token_hex(16)


def twilio_error(status: int, code: int, message: str) -> web.Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return web.json_response(body, status=status)


class FakeTwilio:
    def __init__(self, dsn: str, account_sid: str, auth_token: str, public_base_url: str,
                 messaging_service_sid: str | None, from_number: str) -> None:  # fmt: skip
        self.account_sid, self.auth_token = account_sid, auth_token
        self.public_base_url = public_base_url
        self.messaging_service_sid = messaging_service_sid
        self.from_number = from_number
        self._dsn = dsn
        self._conn = psycopg2.connect(dsn)
        self._conn.autocommit = True
        with self._conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(727003)")
            cur.execute(_SCHEMA)
            cur.execute("SELECT pg_advisory_unlock(727003)")
        self._db_lock = asyncio.Lock()
        # Its own thread for its one connection: the app's work on the loop's default executor never delays
        # the fake (on Azure, Twilio is not in our process at all).
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fake-twilio-db")
        # Set (and replaced) whenever a message is stored, so long-polling readers of the outbox wake at once.
        self._stored = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()

    # --- storage ------------------------------------------------------------------------------------------
    async def _sql(self, query: str, params: tuple = (), fetch: str | None = None) -> Any:
        def run() -> Any:
            if server_hung_up(self._conn):  # the database restarted: reconnect (raises while it is down)
                self._conn.close()
                self._conn = psycopg2.connect(self._dsn)
                self._conn.autocommit = True
            with self._conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                cur.execute(query, params)
                return cur.fetchall() if fetch == "all" else cur.fetchone() if fetch == "one" else None

        async with self._db_lock:  # one connection, used by one statement at a time
            return await asyncio.get_running_loop().run_in_executor(self._db_thread, run)

    @property
    def busy(self) -> bool:
        """Status callbacks still to post."""
        return bool(self._tasks)

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._session is not None:
            await self._session.close()
        self._db_thread.shutdown(wait=True)
        self._conn.close()
        self._db_thread.shutdown(wait=False)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self.create_message)
        app.router.add_get("/2010-04-01/Accounts/{account}/Messages.json", self.list_messages)
        app.router.add_get("/2010-04-01/Accounts/{account}/Messages/{sid}.json", self.get_message)
        app.router.add_get("/dev/sms/outbox", self.outbox)
        app.router.add_post("/dev/sms/inbound", self.inbound)

    # --- the Messages API --------------------------------------------------------------------------------
    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.account_sid) and hmac.compare_digest(password, self.auth_token)

    async def create_message(self, request: web.Request) -> web.Response:
        if request.match_info["account"] != self.account_sid or not self._authorised(request):
            return twilio_error(401, 20003, "Authenticate")
        form = await request.post()
        to, body = form.get("To", ""), form.get("Body", "")
        sender, service = form.get("From"), form.get("MessagingServiceSid")
        if not to or not (sender or service):
            return twilio_error(
                400, 21604 if not to else 21603, "A 'To' and a 'From' or MessagingServiceSid are required"
            )
        if not body:
            return twilio_error(400, 21602, "Message body is required")
        if await self._sql("SELECT 1 FROM devhost_twilio.opt_outs WHERE phone = %s", (to,), "one"):
            return twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
        sid = new_sid()
        callback = form.get("StatusCallback")
        row = await self._sql(
            "INSERT INTO devhost_twilio.messages (sid, direction, to_number, from_number, messaging_service_sid, body, "
            "status, status_callback) VALUES (%s, 'outbound-api', %s, %s, %s, %s, 'queued', %s) RETURNING created_at",
            (sid, to, sender or self.from_number, service, body, callback),
            "one",
        )
        self._announce()
        log.info("fake Twilio: %s queued to %s (%d segments)", sid, mask_phone(to), segments(body))
        if callback:
            task = asyncio.get_running_loop().create_task(
                self._callbacks(sid, to, sender or self.from_number, callback)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.json_response(
            self._resource(sid, to, sender, service, body, "queued", row["created_at"]), status=201
        )

    def _resource(self, sid: str, to: str, sender: str | None, service: str | None, body: str, status: str,
                  created: datetime) -> dict[str, Any]:  # fmt: skip
        date = format_datetime(created.astimezone(UTC), usegmt=True)
        return {
            "sid": sid, "account_sid": self.account_sid, "to": to, "from": sender or self.from_number,
            "messaging_service_sid": service, "body": body, "status": status, "num_segments": str(segments(body)),
            "num_media": "0", "direction": "outbound-api", "api_version": "2010-04-01", "price": None,
            "price_unit": "USD", "error_code": None, "error_message": None, "date_created": date,
            "date_updated": date, "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json", "subresource_uris": {},
        }  # fmt: skip

    async def get_message(self, request: web.Request) -> web.Response:
        if request.match_info["account"] != self.account_sid or not self._authorised(request):
            return twilio_error(401, 20003, "Authenticate")
        row = await self._sql(
            "SELECT * FROM devhost_twilio.messages WHERE sid = %s", (request.match_info["sid"],), "one"
        )
        if row is None:
            return twilio_error(404, 20404, "The requested resource was not found")
        resource = self._resource(row["sid"], row["to_number"], row["from_number"], row["messaging_service_sid"],
                                  row["body"], row["status"], row["created_at"])  # fmt: skip
        return web.json_response(resource)

    async def list_messages(self, request: web.Request) -> web.Response:
        """Messages, newest first, optionally only those sent `To` one number; one page of `PageSize`."""
        if request.match_info["account"] != self.account_sid or not self._authorised(request):
            return twilio_error(401, 20003, "Authenticate")
        try:
            size = min(max(int(request.query.get("PageSize", "50")), 1), 1000)
        except ValueError:
            return twilio_error(400, 20001, "PageSize must be an integer")
        to = request.query.get("To")
        rows = await self._sql(
            "SELECT * FROM devhost_twilio.messages WHERE direction = 'outbound-api' AND (%s::text IS NULL OR to_number = %s) "
            "ORDER BY seq DESC LIMIT %s",
            (to, to, size), "all",
        )  # fmt: skip
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        resources = [
            self._resource(r["sid"], r["to_number"], r["from_number"], r["messaging_service_sid"], r["body"],
                           r["status"], r["created_at"])
            for r in rows
        ]  # fmt: skip
        return web.json_response({"messages": resources, "page": 0, "page_size": size, "start": 0,
                                  "end": max(len(rows) - 1, 0), "uri": uri, "first_page_uri": uri,
                                  "next_page_uri": None, "previous_page_uri": None})  # fmt: skip

    async def _callbacks(self, sid: str, to: str, sender: str, url: str) -> None:
        """queued -> sent -> delivered, each POSTed signed to the message's StatusCallback."""
        for status in CALLBACK_STATUSES:
            await asyncio.sleep(0.01)
            await self._sql("UPDATE devhost_twilio.messages SET status = %s WHERE sid = %s", (status, sid))
            params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": self.account_sid, "MessageStatus": status,
                      "SmsStatus": status, "To": to, "From": sender, "ApiVersion": "2010-04-01"}  # fmt: skip
            try:
                async with self.session().post(
                    url, data=params, headers={"X-Twilio-Signature": self.sign(url, params)}
                ) as r:
                    await r.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("fake Twilio: status callback for %s failed: %s", sid, exc)
                return

    def sign(self, url: str, params: dict[str, str]) -> str:
        from twilio.request_validator import RequestValidator

        return RequestValidator(self.auth_token).compute_signature(url, params)

    def _announce(self) -> None:
        stored, self._stored = self._stored, asyncio.Event()
        stored.set()

    # --- the candidate's phone -----------------------------------------------------------------------------
    async def outbox(self, request: web.Request) -> web.Response:
        if "since" in request.query:
            return await self._outbox_since(request)
        to = request.query.get("to")
        if to:
            rows = await self._sql(
                "SELECT sid, direction, to_number, from_number, body, status, created_at FROM devhost_twilio.messages "
                "WHERE to_number = %s OR (direction = 'inbound' AND from_number = %s) ORDER BY seq",
                (to, to), "all",
            )  # fmt: skip
        else:
            rows = await self._sql(
                "SELECT * FROM (SELECT sid, direction, to_number, from_number, body, status, created_at, seq "
                "FROM devhost_twilio.messages ORDER BY seq DESC LIMIT 500) recent ORDER BY seq", (), "all",
            )  # fmt: skip
        messages = [
            {"sid": r["sid"], "direction": "in" if r["direction"] == "inbound" else "out", "to": r["to_number"],
             "from": r["from_number"], "body": r["body"], "status": r["status"], "created_at": r["created_at"].isoformat()}
            for r in rows
        ]  # fmt: skip
        # Messages sent to the number (what the phone received), oldest first; the phone page also shows replies.
        if request.query.get("include_replies") != "true":
            messages = [m for m in messages if m["direction"] == "out"]
        return web.json_response({"messages": messages})

    async def _outbox_since(self, request: web.Request) -> web.Response:
        """`?since=<seq>[&wait=<seconds>][&limit=<n>]`: every message stored after `seq`, to any number, oldest
        first, with its `seq`; `next` is the cursor for the following call. With `wait`, an empty answer is
        held until a message arrives or the wait ends (a long poll), so one reader can follow every phone.

        No message can appear behind the cursor: every insert goes through the one connection, one
        autocommitted statement at a time, so rows become visible in `seq` order."""
        try:
            since = int(request.query["since"])
            wait = min(max(float(request.query.get("wait", "0")), 0.0), 60.0)
            limit = min(max(int(request.query.get("limit", "1000")), 1), 5000)
        except ValueError:
            return web.json_response({"error": "since and limit are integers, wait is seconds"}, status=400)
        include_replies = request.query.get("include_replies") == "true"
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            stored = self._stored  # taken before the query: a message stored meanwhile sets this one
            rows = await self._sql(
                "SELECT seq, sid, direction, to_number, from_number, body, status, created_at "
                "FROM devhost_twilio.messages WHERE seq > %s AND (%s OR direction <> 'inbound') ORDER BY seq LIMIT %s",
                (since, include_replies, limit), "all",
            )  # fmt: skip
            remaining = deadline - asyncio.get_running_loop().time()
            if rows or remaining <= 0:
                break
            try:
                await asyncio.wait_for(stored.wait(), timeout=remaining)
            except TimeoutError:
                pass
        messages = [
            {"seq": r["seq"], "sid": r["sid"], "direction": "in" if r["direction"] == "inbound" else "out",
             "to": r["to_number"], "from": r["from_number"], "body": r["body"], "status": r["status"],
             "created_at": r["created_at"].isoformat()}
            for r in rows
        ]  # fmt: skip
        return web.json_response({"messages": messages, "next": rows[-1]["seq"] if rows else since})

    async def inbound(self, request: web.Request) -> web.Response:
        """Deliver a text from a candidate's phone to the app's webhook, as Twilio would."""
        data: dict[str, Any]
        if request.content_type == "application/json":
            try:
                data = await request.json()
            except json.JSONDecodeError:
                return web.json_response({"error": "invalid JSON"}, status=400)
            if not isinstance(data, dict):
                return web.json_response({"error": "send a JSON object"}, status=400)
        else:
            data = dict(await request.post())
        phone, body = str(data.get("from") or ""), str(data.get("body") or "")
        if not phone.startswith("+"):
            return web.json_response({"error": "`from` must be an E.164 number"}, status=400)
        sid = str(data.get("sid") or new_sid())
        to = str(data.get("to") or self.from_number)
        keyword = twilio_keyword(body)
        params = {
            "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "SAN FRANCISCO",
            "FromZip": "94105", "SmsSid": sid, "FromState": "CA", "SmsStatus": "received", "FromCity": "SAN FRANCISCO",
            "Body": body, "FromCountry": "US", "To": to, "ToZip": "94105", "NumSegments": str(segments(body) if body else 1),
            "MessageSid": sid, "AccountSid": self.account_sid, "From": phone, "ApiVersion": "2010-04-01",
        }  # fmt: skip
        if self.messaging_service_sid:
            params["MessagingServiceSid"] = self.messaging_service_sid
        if keyword is not None:
            params["OptOutType"] = keyword
        for index, media in enumerate(data.get("media_urls") or []):
            params[f"MediaUrl{index}"], params[f"MediaContentType{index}"] = str(media), "image/jpeg"
            params["NumMedia"] = str(index + 1)
        if keyword == "STOP":  # Twilio blocks the number itself, and still forwards the message
            await self._sql(
                "INSERT INTO devhost_twilio.opt_outs (phone) VALUES (%s) ON CONFLICT DO NOTHING", (phone,)
            )
        elif keyword == "START":
            await self._sql("DELETE FROM devhost_twilio.opt_outs WHERE phone = %s", (phone,))
        await self._sql(
            "INSERT INTO devhost_twilio.messages (sid, direction, to_number, from_number, body, status) "
            "VALUES (%s, 'inbound', %s, %s, %s, 'received') ON CONFLICT (sid) DO NOTHING",
            (sid, to, phone, body),
        )
        self._announce()
        url = f"{self.public_base_url}/api/sms/inbound"
        try:
            async with self.session().post(
                url, data=params, headers={"X-Twilio-Signature": self.sign(url, params)}
            ) as response:
                text = await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            return web.json_response(
                {"sid": sid, "error": f"the webhook {url} is unreachable: {exc}"}, status=502
            )
        result = {"sid": sid, "webhook_status": response.status, "webhook_body": text}
        return web.json_response(result, status=response.status if response.status >= 400 else 200)
