"""Handlers of the KMS operations, keyed by operationId.

Each handler receives a request that already satisfies the spec's parameter
and body schemas, calls the store and returns a `Reply`. Rules that a schema
cannot express well (key-type field rules, unknown organizations, stale ETags)
are the store's; its errors become responses in `routing`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from mock_server import __version__
from mock_server.errors import Invalid
from mock_server.money import parse_money
from mock_server.request_parsing import Call
from mock_server.routing import Handler, Reply


def money_field(body: Mapping[str, Any], name: str) -> Decimal:
    """Read a money field of the body, as a 422 naming the field when it is out of range."""
    try:
        return parse_money(body[name])
    except ValueError as error:
        raise Invalid(("body", name), str(error), body[name]) from None


def one_of_aliases(body: Mapping[str, Any], canonical: str, alias: str) -> str:
    """Pick the field that is present when the contract accepts a deprecated alias, exactly one."""
    present = [name for name in (canonical, alias) if name in body]
    if len(present) != 1:
        message = f"send exactly one of {canonical!r} and {alias!r} (the deprecated alias)"
        raise Invalid(("body",), message, None)
    return present[0]


def org_filter(call: Call) -> str | None:
    """Return the optional `c_organization_id` query parameter that narrows team and user look-ups."""
    return call.query.get("c_organization_id")


def json_list(records: Sequence[Any]) -> list[dict[str, object]]:
    return [record.to_json() for record in records]


def with_etag(status: int, record: Any) -> Reply:
    return Reply(status, record.to_json(), {"ETag": record.etag})


# Organizations


def create_organization(call: Call) -> Reply:
    organization = call.runtime.store.create_organization(
        call.body["c_organization_id"], money_field(call.body, "quota")
    )
    return Reply(201, organization.to_json())


def list_organizations(call: Call) -> Reply:
    return Reply(200, json_list(call.runtime.store.list_organizations()))


def get_organization(call: Call) -> Reply:
    return with_etag(200, call.runtime.store.get_organization(call.path["c_organization_id"]))


def delete_organization(call: Call) -> Reply:
    call.runtime.store.delete_organization(call.path["c_organization_id"])
    return Reply(204)


def update_organization_quota(call: Call) -> Reply:
    field = one_of_aliases(call.body, "quota", "new_quota")
    organization = call.runtime.store.set_organization_quota(
        call.path["c_organization_id"], money_field(call.body, field), if_match=call.headers.get("If-Match")
    )
    return with_etag(200, organization)


def increment_organization_quota(call: Call) -> Reply:
    organization, _replayed = call.runtime.store.increment_organization_quota(
        call.path["c_organization_id"], money_field(call.body, "amount"), call.headers["Idempotency-Key"]
    )
    return with_etag(200, organization)


# Teams


def create_team(call: Call) -> Reply:
    body = call.body
    store = call.runtime.store
    team = store.create_team(body["c_organization_id"], body["c_team_id"], money_field(body, "quota"))
    return Reply(201, team.to_json())


def list_teams(call: Call) -> Reply:
    return Reply(200, json_list(call.runtime.store.list_teams(org_filter(call))))


def get_team(call: Call) -> Reply:
    team = call.runtime.store.get_team(call.path["c_team_id"], c_organization_id=org_filter(call))
    return with_etag(200, team)


def delete_team(call: Call) -> Reply:
    call.runtime.store.delete_team(call.path["c_team_id"], c_organization_id=org_filter(call))
    return Reply(204)


def update_team_quota(call: Call) -> Reply:
    field = one_of_aliases(call.body, "quota", "new_quota")
    team = call.runtime.store.set_team_quota(
        call.path["c_team_id"],
        money_field(call.body, field),
        c_organization_id=org_filter(call),
        if_match=call.headers.get("If-Match"),
    )
    return with_etag(200, team)


# Keys


def create_key(call: Call) -> Reply:
    body = call.body
    key = call.runtime.store.create_key(
        body["c_organization_id"],
        body["key_type"],
        body.get("c_team_id"),
        body.get("c_user_id"),
        money_field(body, "quota"),
    )
    return Reply(201, key.to_json())


def list_keys(call: Call) -> Reply:
    team_filter = call.query.get("c_team_id")
    keys = call.runtime.store.list_keys(c_organization_id=org_filter(call), c_team_id=team_filter)
    return Reply(200, json_list(keys))


def update_key(call: Call) -> Reply:
    key = call.runtime.store.update_key(call.path["key_id"], money_field(call.body, "quota"))
    return Reply(200, key.to_json())


# Spend


def get_organization_spend(call: Call) -> Reply:
    return Reply(200, call.runtime.store.spend_organization(call.path["c_organization_id"]).to_json())


def get_team_spend(call: Call) -> Reply:
    spend = call.runtime.store.spend_team(call.path["c_team_id"], c_organization_id=org_filter(call))
    return Reply(200, spend.to_json())


def get_team_user_spend(call: Call) -> Reply:
    spend = call.runtime.store.spend_team_user(
        call.path["c_team_id"], call.path["c_user_id"], c_organization_id=org_filter(call)
    )
    return Reply(200, spend.to_json())


def get_user_spend(call: Call) -> Reply:
    spend = call.runtime.store.spend_user(call.path["c_user_id"], c_organization_id=org_filter(call))
    return Reply(200, spend.to_json())


# Health


def get_health(call: Call) -> Reply:
    """Report the store as up when it answers a read; LiteLLM is simulated, so it is up too."""
    call.runtime.store.list_organizations()
    checks = {"litellm": {"status": "ok"}, "store": {"status": "ok"}}
    return Reply(200, {"status": "ok", "version": __version__, "checks": checks})


KMS_HANDLERS: Mapping[str, Handler] = {
    "createOrganization": create_organization,
    "listOrganizations": list_organizations,
    "getOrganization": get_organization,
    "deleteOrganization": delete_organization,
    "updateOrganizationQuota": update_organization_quota,
    "incrementOrganizationQuota": increment_organization_quota,
    "createTeam": create_team,
    "listTeams": list_teams,
    "getTeam": get_team,
    "deleteTeam": delete_team,
    "updateTeamQuota": update_team_quota,
    "createKey": create_key,
    "listKeys": list_keys,
    "updateKey": update_key,
    "getOrganizationSpend": get_organization_spend,
    "getTeamSpend": get_team_spend,
    "getTeamUserSpend": get_team_user_spend,
    "getUserSpend": get_user_spend,
    "getHealth": get_health,
}


# Webhooks: baseline handlers, replaced by the webhook extension when it is installed.
# They register endpoints and count them, but deliver nothing.

WEBHOOK_ENDPOINTS_KEY = "webhook_endpoints"


def configure_webhook(call: Call) -> Reply:
    endpoints: list[dict[str, object]] = call.runtime.extras.setdefault(WEBHOOK_ENDPOINTS_KEY, [])
    threshold = call.body.get("warning_threshold", "0.8")
    endpoint = {
        "id": f"whk_{len(endpoints) + 1}",
        "url": call.body["url"],
        "events": list(call.body["events"]),
        "warning_threshold": format(Decimal(str(threshold)), "f"),
        "created_at": utc_now_text(),
    }
    endpoints.append(endpoint)
    return Reply(201, endpoint)


def test_webhook(call: Call) -> Reply:
    field = one_of_aliases(call.body, "c_organization_id", "organization_id")
    call.runtime.store.get_organization(call.body[field])
    endpoints = call.runtime.extras.get(WEBHOOK_ENDPOINTS_KEY, [])
    event_type = call.body["event_type"]
    matching = [item for item in endpoints if event_type == "test" or event_type in item["events"]]
    return Reply(202, {"event_id": f"evt_{uuid.uuid4().hex}", "endpoints": len(matching)})


def utc_now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


WEBHOOK_HANDLERS: Mapping[str, Handler] = {
    "configureWebhook": configure_webhook,
    "testWebhook": test_webhook,
}
