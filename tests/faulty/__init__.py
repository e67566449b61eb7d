"""Faulty variants of the mock: each breaks one promise of the contract on purpose.

Every fault is an ASGI middleware around the real mock, so the suite under test
meets it exactly as it would meet a faulty server. `FAULTS` names each fault,
the operation where it shows and the check that must catch it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from mock_server.app import create_app
from mock_server.config import MockSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
BodyEdit = Callable[[Scope, Any], Any]


class RewriteJson:
    """Edit the JSON body of responses to requests that match `method` and `path`."""

    def __init__(self, app: App, method: str, path: str, edit: BodyEdit, content_type: bytes | None = None):
        self.app, self.method, self.path, self.edit = app, method, re.compile(path), edit
        self.content_type = content_type

    def matches(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == self.method
            and bool(self.path.fullmatch(scope["path"]))
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.matches(scope):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    await self._send_edited(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffer)

    async def _send_edited(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        if 200 <= start["status"] < 300 and body:
            body = json.dumps(self.edit(scope, json.loads(body))).encode()
        headers = [(name, value) for name, value in start["headers"] if name.lower() != b"content-length"]
        if self.content_type is not None:
            headers = [(n, self.content_type if n.lower() == b"content-type" else v) for n, v in headers]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def each_item(edit: Callable[[dict[str, Any]], None]) -> BodyEdit:
    """Apply `edit` to the body, or to every item when the body is a list."""

    def apply(scope: Scope, body: Any) -> Any:
        for item in body if isinstance(body, list) else [body]:
            if isinstance(item, dict):
                edit(item)
        return body

    return apply


def _set(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(item: dict[str, Any]) -> None:
        if name in item:
            item[name] = value

    return edit


def _remaining_off_by_one(item: dict[str, Any]) -> None:
    if "remaining" in item:
        item["remaining"] = str(float(item["remaining"]) + 1)


def _echo_secret(item: dict[str, Any]) -> None:
    item["secret"] = "whsec_echoed"


def _org_key_with_team(item: dict[str, Any]) -> None:
    if "key_type" in item:
        item["key_type"], item["c_team_id"], item["c_user_id"] = "ORG", "some-team", None


class StatusRewrite(RewriteJson):
    """Return another status code for matching successful requests."""

    def __init__(self, app: App, method: str, path: str, status: int):
        super().__init__(app, method, path, lambda scope, body: body)
        self.status = status

    async def _send_edited(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        if 200 <= start["status"] < 300:
            start = {**start, "status": self.status}
        await super()._send_edited(scope, start, body, send)


class IgnoreQuery:
    """Drop the query string of matching requests, so list filters are ignored."""

    def __init__(self, app: App, path: str):
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            scope = {**scope, "query_string": b""}
        await self.app(scope, receive, send)


class SwallowDelete:
    """Return 204 for DELETE of an organization without deleting anything."""

    def __init__(self, app: App):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "DELETE"
            and scope["path"].startswith("/organizations/")
        ):
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


class StaleSpend:
    """Replay the first spend response of each path forever, as a stale cache would."""

    def __init__(self, app: App):
        self.inner = RewriteJson(app, "GET", r"/spend/.*", self._replay)
        self.cache: dict[str, Any] = {}

    def _replay(self, scope: Scope, body: Any) -> Any:
        return self.cache.setdefault(scope["path"], body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.inner(scope, receive, send)


ORG_ITEM = r"/organizations/[^/]+"
SPEND = r"/spend/.*"


@dataclass(frozen=True)
class Fault:
    """A seeded fault: how to wrap the mock, and where the suite must report it."""

    wrap: Callable[[App], App]
    operation_id: str
    check: str


FAULTS: dict[str, Fault] = {
    "quota_as_json_number": Fault(
        lambda app: RewriteJson(app, "GET", ORG_ITEM, each_item(_set("quota", 12.5))),
        "getOrganization",
        "money_is_decimal_string",
    ),
    "quota_in_exponent_notation": Fault(
        lambda app: RewriteJson(app, "GET", r"/organizations/", each_item(_set("quota", "1E+2"))),
        "listOrganizations",
        "money_is_decimal_string",
    ),
    "remaining_off_by_one": Fault(
        lambda app: RewriteJson(app, "GET", SPEND, each_item(_remaining_off_by_one)),
        "getOrganizationSpend",
        "remaining_equals_quota_minus_spend",
    ),
    "team_filter_ignored": Fault(
        lambda app: IgnoreQuery(app, "/teams/"), "listTeams", "list_filters_honoured"
    ),
    "updated_before_created": Fault(
        lambda app: RewriteJson(
            app, "POST", r"/teams/", each_item(_set("updated_at", "2000-01-01T00:00:00Z"))
        ),
        "createTeam",
        "updated_at_not_before_created_at",
    ),
    "org_key_with_team": Fault(
        lambda app: RewriteJson(app, "POST", r"/keys/", each_item(_org_key_with_team)),
        "createKey",
        "key_fields_match_key_type",
    ),
    "litellm_key_without_sk": Fault(
        lambda app: RewriteJson(app, "GET", r"/keys/", each_item(_set("litellm_key", "pk-123"))),
        "listKeys",
        "litellm_key_starts_with_sk",
    ),
    "delete_does_not_delete": Fault(SwallowDelete, "deleteOrganization", "deleted_resource_stays_deleted"),
    "create_answers_202": Fault(
        lambda app: StatusRewrite(app, "POST", r"/organizations/", 202),
        "createOrganization",
        "status_code_conformance",
    ),
    "json_served_as_text_plain": Fault(
        lambda app: RewriteJson(app, "GET", r"/teams/", lambda scope, body: body, content_type=b"text/plain"),
        "listTeams",
        "content_type_conformance",
    ),
    "team_in_other_litellm_team": Fault(
        lambda app: RewriteJson(app, "POST", r"/teams/", each_item(_set("l_team_id", "lt-elsewhere"))),
        "createTeam",
        "team_shares_organization_litellm_team",
    ),
    "stale_spend_after_quota_update": Fault(
        StaleSpend, "updateOrganizationQuota", "quota_update_visible_in_spend"
    ),
    "webhook_secret_echoed": Fault(
        lambda app: RewriteJson(app, "POST", r"/webhooks/configure", each_item(_echo_secret)),
        "configureWebhook",
        "webhook_secret_not_echoed",
    ),
}


def faulty_app(name: str) -> App:
    """Return the strict mock wrapped in the fault `name`."""
    return FAULTS[name].wrap(create_app(MockSettings(strict=True)))
