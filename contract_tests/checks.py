"""KMS checks: properties of the contract that a JSON Schema cannot express.

Each check is a pure function named for the property it verifies. Response
checks take one `Exchange` and return `None` when the property does not apply
to it, else the list of violations (empty when it holds). Cross-request
properties (a quota update visible in spend, deletes that stick, a team's
LiteLLM team) take the values of several requests and are driven by the
scenarios module. Keeping them free of schemathesis makes each one testable
with a hand-written response.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

RESPONSE_MONEY = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")
SPEND_UNAVAILABLE = "-1.0"
MONEY_FIELDS = ("quota", "spend", "remaining")

ORGANIZATION_OPERATIONS = frozenset(
    {
        "createOrganization",
        "getOrganization",
        "updateOrganizationQuota",
        "listOrganizations",
        "incrementOrganizationQuota",
    }
)
TEAM_OPERATIONS = frozenset({"createTeam", "getTeam", "updateTeamQuota", "listTeams"})
KEY_OPERATIONS = frozenset({"createKey", "updateKey", "listKeys"})
SPEND_OPERATIONS = frozenset({"getOrganizationSpend", "getTeamSpend", "getTeamUserSpend", "getUserSpend"})
TIMESTAMPED_OPERATIONS = ORGANIZATION_OPERATIONS | TEAM_OPERATIONS | KEY_OPERATIONS | {"configureWebhook"}

# Which of c_team_id / c_user_id each key type sets; the other fields must be null.
KEY_TYPE_FIELDS = {
    "ORG": (False, False),
    "TEAM_ALL": (True, False),
    "TEAM_USER": (True, True),
    "USER": (False, True),
}


@dataclass(frozen=True)
class Exchange:
    """One request and its response, as the checks see them."""

    operation_id: str
    method: str
    path: str
    status_code: int
    body: Any
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    curl: str = ""


@dataclass(frozen=True)
class Violation:
    """A property that did not hold, with the expected value beside the received one."""

    check: str
    title: str
    message: str
    expected: str
    received: str


CheckResult = list[Violation] | None
ResponseCheck = Callable[[Exchange], CheckResult]


def resources(exchange: Exchange) -> list[Mapping[str, Any]]:
    """Return the resource objects in a successful response: the body, or the items of a list."""
    if not 200 <= exchange.status_code < 300:
        return []
    body = exchange.body
    if isinstance(body, Mapping):
        wrapped = body.get("items", body.get("data"))
        if isinstance(wrapped, list):
            body = wrapped
        else:
            return [body]
    if isinstance(body, list):
        return [item for item in body if isinstance(item, Mapping)]
    return []


def money_is_decimal_string(exchange: Exchange) -> CheckResult:
    """Money fields are fixed-point decimal strings; only `remaining` and the sentinel may be negative."""
    found = [item for item in resources(exchange) if any(name in item for name in MONEY_FIELDS)]
    if not found:
        return None
    violations: list[Violation] = []
    for item in found:
        for name in MONEY_FIELDS:
            if name in item:
                violations.extend(_money_violations(name, item[name]))
    return violations


def _money_violations(name: str, value: object) -> Iterator[Violation]:
    check = "money_is_decimal_string"
    expected = 'a fixed-point decimal string such as "12.50"'
    if not isinstance(value, str) or not RESPONSE_MONEY.match(value):
        yield Violation(
            check,
            f"`{name}` is not a decimal string",
            f"`{name}` must be a JSON string in fixed-point notation, got {value!r}.",
            expected,
            repr(value),
        )
        return
    negative_allowed = name == "remaining" or (name == "spend" and value == SPEND_UNAVAILABLE)
    if value.startswith("-") and not negative_allowed:
        yield Violation(
            check,
            f"`{name}` is negative",
            f'`{name}` may not be negative (only `remaining` and spend "-1.0" may), got {value!r}.',
            "a non-negative decimal string",
            repr(value),
        )


def remaining_equals_quota_minus_spend(exchange: Exchange) -> CheckResult:
    """In a spend response `remaining == quota - spend` exactly, unless spend is unavailable."""
    if exchange.operation_id not in SPEND_OPERATIONS or not 200 <= exchange.status_code < 300:
        return None
    body = exchange.body
    if not isinstance(body, Mapping) or _spend_unavailable(body):
        return None
    try:
        quota, spend, remaining = (Decimal(str(body[name])) for name in ("quota", "spend", "remaining"))
    except (KeyError, InvalidOperation):
        return None  # a missing or malformed field is the schema's and money check's finding
    expected = exact_difference(quota, spend)
    if remaining == expected:
        return []
    message = (
        f"quota {body['quota']} - spend {body['spend']} = {expected}, but remaining is {body['remaining']}."
    )
    return [
        Violation(
            "remaining_equals_quota_minus_spend",
            "`remaining` is not `quota - spend`",
            message,
            str(expected),
            str(body["remaining"]),
        )
    ]


def exact_difference(minuend: Decimal, subtrahend: Decimal) -> Decimal:
    """Return `minuend - subtrahend` without rounding, whatever the number of digits.

    The default context keeps 28 significant digits, so a long quota minus a spend would be rounded
    and then differ from an exactly computed `remaining`. The precision here covers every digit from
    the highest of both values down to the lowest, and Inexact is trapped so a rounding can never pass
    silently.
    """
    if not (minuend.is_finite() and subtrahend.is_finite()):
        return minuend - subtrahend
    highest = max(minuend.adjusted(), subtrahend.adjusted(), 0)
    lowest = min(_exponent(minuend), _exponent(subtrahend), 0)
    with localcontext() as context:
        context.prec = highest - lowest + 2
        context.traps[Inexact] = True
        return minuend - subtrahend


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _spend_unavailable(body: Mapping[str, Any]) -> bool:
    return body.get("spend") == SPEND_UNAVAILABLE or body.get("spend_status") == "unavailable"


# Query parameters each list operation filters by; every returned item must carry the same value.
LIST_FILTERS = {
    "listTeams": ("c_organization_id",),
    "listKeys": ("c_organization_id", "c_team_id"),
}


def list_filters_honoured(exchange: Exchange) -> CheckResult:
    """Every item of a filtered list carries the filter's value."""
    names = [name for name in LIST_FILTERS.get(exchange.operation_id, ()) if name in exchange.query]
    if not names or not 200 <= exchange.status_code < 300:
        return None
    violations: list[Violation] = []
    for item in resources(exchange):
        for name in names:
            if item.get(name) != exchange.query[name]:
                violations.append(
                    Violation(
                        "list_filters_honoured",
                        f"list item outside the `{name}` filter",
                        f"{exchange.operation_id} was filtered by {name}={exchange.query[name]!r} "
                        f"but returned an item with {name}={item.get(name)!r}.",
                        repr(exchange.query[name]),
                        repr(item.get(name)),
                    )
                )
    return violations


def updated_at_not_before_created_at(exchange: Exchange) -> CheckResult:
    """`created_at` and `updated_at` are RFC 3339 UTC times and `updated_at >= created_at`."""
    if exchange.operation_id not in TIMESTAMPED_OPERATIONS:
        return None
    found = [item for item in resources(exchange) if "created_at" in item]
    if not found:
        return None
    violations: list[Violation] = []
    for item in found:
        violations.extend(_timestamp_violations(item))
    return violations


def _timestamp_violations(item: Mapping[str, Any]) -> Iterator[Violation]:
    check = "updated_at_not_before_created_at"
    created = parse_timestamp(item.get("created_at"))
    updated = parse_timestamp(item.get("updated_at")) if "updated_at" in item else created
    for name, parsed in (("created_at", created), ("updated_at", updated)):
        if parsed is None:
            yield Violation(
                check,
                f"`{name}` is not an RFC 3339 UTC time",
                f'`{name}` must look like "2026-12-04T20:00:00Z", got {item.get(name)!r}.',
                "RFC 3339 date-time in UTC",
                repr(item.get(name)),
            )
    if created is not None and updated is not None and updated < created:
        yield Violation(
            check,
            "`updated_at` is before `created_at`",
            f"updated_at {item['updated_at']} is earlier than created_at {item['created_at']}.",
            f">= {item['created_at']}",
            str(item["updated_at"]),
        )


def parse_timestamp(value: object) -> datetime | None:
    """Parse an RFC 3339 time with an explicit UTC offset; `None` when it is anything else."""
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.utcoffset() is None or parsed.utcoffset().total_seconds() != 0:  # type: ignore[union-attr]
        return None
    return parsed


def key_fields_match_key_type(exchange: Exchange) -> CheckResult:
    """A key's `c_team_id` and `c_user_id` are set or null exactly as its `key_type` requires."""
    if exchange.operation_id not in KEY_OPERATIONS:
        return None
    found = [item for item in resources(exchange) if "key_type" in item]
    if not found:
        return None
    return [violation for item in found for violation in _key_type_violations(item)]


def _key_type_violations(item: Mapping[str, Any]) -> Iterator[Violation]:
    check = "key_fields_match_key_type"
    key_type = item.get("key_type")
    if key_type not in KEY_TYPE_FIELDS:
        yield Violation(
            check,
            "unknown `key_type`",
            f"key_type {key_type!r} is not one of {sorted(KEY_TYPE_FIELDS)}.",
            " | ".join(KEY_TYPE_FIELDS),
            repr(key_type),
        )
        return
    for name, must_be_set in zip(("c_team_id", "c_user_id"), KEY_TYPE_FIELDS[key_type], strict=True):
        is_set = item.get(name) is not None
        if is_set != must_be_set:
            expected = "a string" if must_be_set else "null"
            yield Violation(
                check,
                f"`{name}` does not fit key_type {key_type}",
                f"A {key_type} key must have {name} = {expected}, got {item.get(name)!r}.",
                expected,
                repr(item.get(name)),
            )


def litellm_key_starts_with_sk(exchange: Exchange) -> CheckResult:
    """Every key's `litellm_key` is a LiteLLM virtual key, which starts with `sk-`."""
    if exchange.operation_id not in KEY_OPERATIONS:
        return None
    found = [item for item in resources(exchange) if "litellm_key" in item]
    if not found:
        return None
    return [
        Violation(
            "litellm_key_starts_with_sk",
            "`litellm_key` does not start with sk-",
            f"litellm_key of key {item.get('key_id')!r} is {item['litellm_key']!r}.",
            '"sk-..."',
            repr(item["litellm_key"]),
        )
        for item in found
        if not (isinstance(item["litellm_key"], str) and item["litellm_key"].startswith("sk-"))
    ]


RESPONSE_CHECKS: tuple[ResponseCheck, ...] = (
    money_is_decimal_string,
    remaining_equals_quota_minus_spend,
    list_filters_honoured,
    updated_at_not_before_created_at,
    key_fields_match_key_type,
    litellm_key_starts_with_sk,
)


# Cross-request checks: the scenarios module gathers the values and calls these.


def team_shares_organization_litellm_team(
    team: Mapping[str, Any], organization: Mapping[str, Any]
) -> CheckResult:
    """A team's `l_team_id` equals its organization's, since a team is a user inside that LiteLLM team."""
    if team.get("l_team_id") == organization.get("l_team_id"):
        return []
    return [
        Violation(
            "team_shares_organization_litellm_team",
            "team and organization LiteLLM team differ",
            f"team {team.get('c_team_id')!r} has l_team_id {team.get('l_team_id')!r}, "
            f"but its organization {organization.get('c_organization_id')!r} "
            f"has {organization.get('l_team_id')!r}.",
            repr(organization.get("l_team_id")),
            repr(team.get("l_team_id")),
        )
    ]


def quota_update_visible_in_spend(new_quota: Decimal, spend_body: Mapping[str, Any]) -> CheckResult:
    """The spend read after a quota update reports the new quota."""
    try:
        reported = Decimal(str(spend_body.get("quota")))
    except InvalidOperation:
        reported = None
    if reported == new_quota:
        return []
    return [
        Violation(
            "quota_update_visible_in_spend",
            "spend read does not show the updated quota",
            f"The quota was set to {new_quota}, but the next spend read reports {spend_body.get('quota')!r}.",
            str(new_quota),
            repr(spend_body.get("quota")),
        )
    ]


def deleted_resource_stays_deleted(description: str, status_code: int) -> CheckResult:
    """A read of a deleted resource returns 404."""
    if status_code == 404:
        return []
    return [
        Violation(
            "deleted_resource_stays_deleted",
            "deleted resource is still readable",
            f"After deleting it, {description} answered {status_code}.",
            "404",
            str(status_code),
        )
    ]


def deleted_resource_not_listed(identifier: str, listed: list[Any]) -> CheckResult:
    """A list read after a delete no longer contains the deleted resource."""
    if identifier not in listed:
        return []
    return [
        Violation(
            "deleted_resource_stays_deleted",
            "deleted resource is still listed",
            f"After deleting it, {identifier!r} is still in the list.",
            f"a list without {identifier!r}",
            f"a list with {identifier!r}",
        )
    ]


def webhook_secret_not_echoed(body: Any) -> CheckResult:
    """A webhook registration never returns the secret: it is write-only."""
    if not isinstance(body, Mapping) or "secret" not in body:
        return []
    return [
        Violation(
            "webhook_secret_not_echoed",
            "webhook secret echoed",
            "The configureWebhook response contains the write-only field `secret`.",
            "no `secret` field",
            "`secret` present",
        )
    ]


def webhook_signature_verifies(secret: str, body: bytes, headers: Mapping[str, str]) -> CheckResult:
    """A delivery's webhook-signature verifies with standardwebhooks for the registered secret."""
    try:
        Webhook(secret).verify(body, dict(headers))
    except WebhookVerificationError as error:
        return [
            Violation(
                "webhook_signature_verifies",
                "webhook signature does not verify",
                f"standardwebhooks rejected the delivery: {error}.",
                "a valid v1 HMAC-SHA256 signature",
                repr(headers.get("webhook-signature")),
            )
        ]
    return []
