"""Handlers of the `/_mock/` control API (spec/mock-control.openapi.yaml).

The control API is how tests drive the mock: empty it, record spend as if
LiteLLM had reported it, load fixtures and read the whole state. It is served
by the same spec-driven routing as the KMS operations but is not part of the
KMS contract, so `/openapi.json` does not list it. Faults and the webhook
delivery log are served by their own extensions.
"""

from __future__ import annotations

from collections.abc import Mapping

from mock_server.handlers import money_field
from mock_server.money import format_money
from mock_server.request_parsing import Call
from mock_server.routing import Handler, Reply

CONTROL_PREFIX = "/_mock"


def reset_mock(call: Call) -> Reply:
    call.runtime.reset()
    return Reply(204)


def record_usage(call: Call) -> Reply:
    key_id = call.body["key_id"]
    store = call.runtime.store
    scopes = store.record_usage(key_id, money_field(call.body, "amount"))
    # NOTE: read after the write, so under concurrent usage this may already include later records.
    spend = format_money(store.get_key_spend(key_id))
    return Reply(200, {"key_id": key_id, "spend": spend, "scopes": [scope.to_json() for scope in scopes]})


def load_fixtures(call: Call) -> Reply:
    return Reply(200, dict(call.runtime.store.load_fixtures(call.body)))


def dump_state(call: Call) -> Reply:
    state = call.runtime.dump()
    state.setdefault("key_spend", [{"key_id": key["key_id"], "spend": key["spend"]} for key in state["keys"]])
    return Reply(200, state)


CONTROL_HANDLERS: Mapping[str, Handler] = {
    "resetMock": reset_mock,
    "recordUsage": record_usage,
    "loadFixtures": load_fixtures,
    "dumpState": dump_state,
}
