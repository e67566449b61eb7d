"""Scenario tests: fixed sequences that check properties spanning several requests.

Each scenario builds its own data under the run prefix, records every response
on the operation it exercises (so a failure shows up where the fault is), and
ends as passed, failed or skipped with a reason. Scenarios need writes; against
a read-only target they are skipped.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from contract_tests import checks
from contract_tests.checks import Exchange, Violation
from contract_tests.cleanup import CreatedResources
from contract_tests.client import KmsClient
from contract_tests.errors import ContractSuiteError
from contract_tests.evaluation import failure_from_violation
from contract_tests.receiver import running_receiver
from contract_tests.results import OperationResult, ScenarioResult
from contract_tests.target import TargetKind

logger = logging.getLogger("kms_contract")


class ScenarioSkipped(Exception):
    """The target lacks an operation or feature the scenario needs, named in the message."""


class ScenarioFailed(Exception):
    """A step returned a response the scenario cannot continue from."""


@dataclass
class ScenarioContext:
    """What a scenario may use: the client, the operation results to record on, and the run prefix."""

    client: KmsClient
    results: Mapping[str, OperationResult]
    created: CreatedResources
    run_prefix: str
    present: frozenset[str]
    failures: list[Violation] = field(default_factory=list)
    # Operations of the contract that the chosen view leaves out; the target may still serve them.
    excluded: frozenset[str] = frozenset()
    view: str = "extended"
    # Every step sent so far, oldest first, so a failure can name the step it stopped at.
    steps: list[Exchange] = field(default_factory=list)

    def require(self, *operation_ids: str) -> None:
        """Raise ScenarioSkipped naming the operations the view excludes or the target lacks."""
        excluded = [operation_id for operation_id in operation_ids if operation_id in self.excluded]
        if excluded:
            raise ScenarioSkipped(f"the {self.view} view excludes {', '.join(excluded)}")
        absent = [operation_id for operation_id in operation_ids if operation_id not in self.present]
        if absent:
            raise ScenarioSkipped(f"the target lacks {', '.join(absent)}")

    def send(
        self,
        operation_id: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> Exchange:
        """Send one step, run the KMS response checks on it and record it on `operation_id`."""
        response = self.client.request(method, path, json=body, params=params)
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        curl = self.client.curl(
            method, path, params=params, json_body=None if body is None else json.dumps(body)
        )
        exchange = Exchange(
            operation_id,
            method,
            path,
            response.status_code,
            parsed,
            dict(params or {}),
            dict(response.headers),
            curl,
        )
        self.steps.append(exchange)
        self._judge(exchange)
        self.created.observe(operation_id, exchange.status_code, exchange.body)
        return exchange

    def _judge(self, exchange: Exchange) -> None:
        result = self.results.get(exchange.operation_id)
        if result is None:
            return
        result.tests_run += 1
        for check in checks.RESPONSE_CHECKS:
            self.record(exchange, check.__name__, check(exchange))

    def record(self, exchange: Exchange, check_name: str, outcome: list[Violation] | None) -> None:
        """Count a check's outcome on the operation of `exchange`; `None` means it did not apply."""
        result = self.results.get(exchange.operation_id)
        if outcome is None or result is None:
            return
        steps = self._steps_before(exchange)
        result.record_check(check_name, [failure_from_violation(v, exchange, steps) for v in outcome])
        self.failures.extend(outcome)

    def _steps_before(self, exchange: Exchange) -> list[str]:
        """Return the curls of the scenario's requests sent before `exchange`, oldest first."""
        for index, step in enumerate(self.steps):
            if step is exchange:
                return [earlier.curl for earlier in self.steps[:index]]
        return [earlier.curl for earlier in self.steps]

    def expect_status(self, exchange: Exchange, *expected: int) -> Any:
        if exchange.status_code not in expected:
            raise ScenarioFailed(
                f"{exchange.method} {exchange.path} returned {exchange.status_code} "
                f"with {_received(exchange)}, expected {' or '.join(map(str, expected))}. "
                f"Reproduce: {exchange.curl}"
            )
        return exchange.body

    def ident(self, label: str) -> str:
        return f"{self.run_prefix}-{label}"


def _received(exchange: Exchange) -> str:
    """Describe the response body of a step for a failure message, also when it is not JSON."""
    if exchange.body is not None:
        return f"body {exchange.body!r}"
    content_type = {name.lower(): value for name, value in exchange.headers.items()}.get("content-type")
    return f"no JSON body (content-type {content_type or 'none'})"


def _path(*segments: str) -> str:
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


def _create_organization(ctx: ScenarioContext, label: str, quota: str) -> dict[str, Any]:
    body = {"c_organization_id": ctx.ident(label), "quota": quota}
    exchange = ctx.send("createOrganization", "POST", "/organizations/", body=body)
    return dict(ctx.expect_status(exchange, 200, 201))


def _create_team(ctx: ScenarioContext, organization: str, label: str, quota: str) -> Exchange:
    body = {"c_organization_id": organization, "c_team_id": ctx.ident(label), "quota": quota}
    exchange = ctx.send("createTeam", "POST", "/teams/", body=body)
    ctx.expect_status(exchange, 200, 201)
    return exchange


def _create_key(ctx: ScenarioContext, body: dict[str, Any]) -> dict[str, Any]:
    exchange = ctx.send("createKey", "POST", "/keys/", body=body)
    return dict(ctx.expect_status(exchange, 200, 201))


def mapping_invariants(ctx: ScenarioContext) -> None:
    """A team's l_team_id equals its organization's; a key's litellm_key starts with sk-."""
    ctx.require("createOrganization", "createTeam", "createKey")
    organization = _create_organization(ctx, "map-org", "10")
    team = _create_team(ctx, organization["c_organization_id"], "map-team", "5")
    ctx.record(
        team,
        "team_shares_organization_litellm_team",
        checks.team_shares_organization_litellm_team(team.body, organization),
    )
    _create_key(
        ctx,
        {
            "c_organization_id": organization["c_organization_id"],
            "c_team_id": team.body["c_team_id"],
            "key_type": "TEAM_ALL",
            "quota": "1",
        },
    )


def list_filters_on_created_data(ctx: ScenarioContext) -> None:
    """Lists filtered by organization contain that organization's items (and, by the check, only those)."""
    ctx.require("createOrganization", "createTeam", "createKey", "listTeams", "listKeys")
    teams = {}
    for label in ("filter-a", "filter-b"):
        organization = _create_organization(ctx, label, "10")["c_organization_id"]
        team = _create_team(ctx, organization, f"{label}-team", "1").body["c_team_id"]
        key = {"c_organization_id": organization, "c_team_id": team, "key_type": "TEAM_ALL", "quota": "1"}
        _create_key(ctx, key)
        teams[organization] = team
    first, second = teams
    listed = ctx.send("listTeams", "GET", "/teams/", params={"c_organization_id": first})
    ctx.expect_status(listed, 200)
    ctx.record(listed, "list_filters_honoured", _lists(listed, "c_team_id", teams[first]))
    keys = ctx.send(
        "listKeys", "GET", "/keys/", params={"c_organization_id": second, "c_team_id": teams[second]}
    )
    ctx.expect_status(keys, 200)
    ctx.record(keys, "list_filters_honoured", _lists(keys, "c_team_id", teams[second]))


def _lists(exchange: Exchange, field_name: str, value: str) -> list[Violation]:
    """The filtered list must include the item the scenario created to match the filter."""
    values = [item.get(field_name) for item in checks.resources(exchange)]
    if value in values:
        return []
    return [
        Violation(
            "list_filters_honoured",
            "filtered list misses a matching item",
            f"{exchange.operation_id} returned {field_name} values {values!r}, "
            "without the item created to match the filter.",
            f"an item with {field_name}={value!r}",
            repr(values),
        )
    ]


Scenario = Callable[[ScenarioContext], None]


def recharge_flow(ctx: ScenarioContext) -> None:
    """Spend passes the quota (remaining < 0), the quota is raised, and remaining is positive again."""
    ctx.require("createOrganization", "createKey", "getOrganizationSpend", "updateOrganizationQuota")
    if not _is_kms_mock(ctx.client):
        raise ScenarioSkipped("recording usage needs the mock's POST /_mock/usage, which this target lacks")
    organization = _create_organization(ctx, "recharge", "100")["c_organization_id"]
    key = _create_key(ctx, {"c_organization_id": organization, "key_type": "ORG", "quota": "100"})
    usage = ctx.client.request("POST", "/_mock/usage", json={"key_id": key["key_id"], "amount": "150.25"})
    if usage.status_code != 200:
        raise ScenarioFailed(f"POST /_mock/usage answered {usage.status_code}: {usage.text[:200]}")
    spend_path = _path("spend", "org", organization)
    before = ctx.expect_status(ctx.send("getOrganizationSpend", "GET", spend_path), 200)
    if Decimal(before["remaining"]) >= 0:
        raise ScenarioFailed(
            f"after spending 150.25 of 100, remaining is {before['remaining']}, expected < 0"
        )
    updated = ctx.send(
        "updateOrganizationQuota", "PUT", _path("organizations", organization, "quota"), body={"quota": "300"}
    )
    ctx.expect_status(updated, 200)
    after = ctx.send("getOrganizationSpend", "GET", spend_path)
    ctx.record(
        updated,
        "quota_update_visible_in_spend",
        checks.quota_update_visible_in_spend(Decimal("300"), ctx.expect_status(after, 200)),
    )
    if Decimal(after.body["remaining"]) <= 0:
        raise ScenarioFailed(f"after raising the quota to 300, remaining is {after.body['remaining']}")


def team_quota_visible(ctx: ScenarioContext) -> None:
    """A team quota update shows in the team's next spend read."""
    ctx.require("createOrganization", "createTeam", "updateTeamQuota", "getTeamSpend")
    organization = _create_organization(ctx, "tq-org", "50")["c_organization_id"]
    team = _create_team(ctx, organization, "tq-team", "5").body["c_team_id"]
    params = {"c_organization_id": organization}
    updated = ctx.send(
        "updateTeamQuota", "PUT", _path("teams", team, "quota"), body={"quota": 7.5}, params=params
    )
    ctx.expect_status(updated, 200)
    spend = ctx.send("getTeamSpend", "GET", _path("spend", "team", team), params=params)
    ctx.record(
        updated,
        "quota_update_visible_in_spend",
        checks.quota_update_visible_in_spend(Decimal("7.5"), ctx.expect_status(spend, 200)),
    )


def deletes_stay_deleted(ctx: ScenarioContext) -> None:
    """After a delete, reads and spend of the resource (and of what it owned) return 404."""
    ctx.require(
        "createOrganization",
        "createTeam",
        "deleteTeam",
        "deleteOrganization",
        "getTeam",
        "getOrganization",
        "getOrganizationSpend",
        "getTeamSpend",
    )
    organization = _create_organization(ctx, "del-org", "10")["c_organization_id"]
    team = _create_team(ctx, organization, "del-team", "1").body["c_team_id"]
    params = {"c_organization_id": organization}

    # The team first: its reads and spend must return 404 while its organization still exists.
    deleted_team = ctx.send("deleteTeam", "DELETE", _path("teams", team), params=params)
    ctx.expect_status(deleted_team, 204)
    for operation_id, path in (
        ("getTeam", _path("teams", team)),
        ("getTeamSpend", _path("spend", "team", team)),
    ):
        _expect_gone(ctx, deleted_team, operation_id, path, params)

    # Then the organization, which must also leave the organization list.
    deleted = ctx.send("deleteOrganization", "DELETE", _path("organizations", organization))
    ctx.expect_status(deleted, 204)
    for operation_id, path in (
        ("getOrganization", _path("organizations", organization)),
        ("getOrganizationSpend", _path("spend", "org", organization)),
    ):
        _expect_gone(ctx, deleted, operation_id, path, None)
    if "listOrganizations" in ctx.present:
        _expect_unlisted(ctx, deleted, organization)


def _expect_unlisted(ctx: ScenarioContext, delete: Exchange, organization: str) -> None:
    """The organization list no longer names a deleted organization."""
    listed = ctx.send("listOrganizations", "GET", "/organizations/")
    names = [item.get("c_organization_id") for item in checks.resources(listed)]
    ctx.record(
        delete, "deleted_resource_stays_deleted", checks.deleted_resource_not_listed(organization, names)
    )


def _expect_gone(
    ctx: ScenarioContext, delete: Exchange, operation_id: str, path: str, params: Mapping[str, str] | None
) -> None:
    read = ctx.client.request("GET", path, params=params)
    ctx.record(
        delete,
        "deleted_resource_stays_deleted",
        checks.deleted_resource_stays_deleted(f"GET {path} ({operation_id})", read.status_code),
    )


def _is_kms_mock(client: KmsClient) -> bool:
    """Whether the target offers the mock's control API (GET /_mock/state)."""
    return client.request("GET", "/_mock/state").status_code == 200


def _scenarios() -> tuple[Scenario, ...]:
    return (
        mapping_invariants,
        list_filters_on_created_data,
        recharge_flow,
        team_quota_visible,
        deletes_stay_deleted,
        webhook_flow,
    )


def run_scenarios(ctx: ScenarioContext, extra: tuple[Scenario, ...] = ()) -> list[ScenarioResult]:
    """Run every scenario and return its outcome; a failing scenario does not stop the others."""
    outcomes = []
    for scenario in _scenarios() + extra:
        outcomes.append(_run_one(ctx, scenario))
        logger.info("scenario %s: %s", outcomes[-1].name, outcomes[-1].state)
    return outcomes


def _run_one(ctx: ScenarioContext, scenario: Scenario) -> ScenarioResult:
    name = scenario.__name__
    if not ctx.client.target.writes_enabled:
        return ScenarioResult(name, "skipped", "Writes are off for this remote target (--allow-writes).")
    already_failed = len(ctx.failures)
    ctx.steps = []
    try:
        scenario(ctx)
    except ScenarioSkipped as skipped:
        return ScenarioResult(name, "skipped", f"Skipped: {skipped}.")
    except ScenarioFailed as failed:
        return ScenarioResult(name, "failed", str(failed))
    except ContractSuiteError:
        raise
    except Exception as error:  # noqa: BLE001 - one broken scenario must not end the run
        logger.warning("scenario %s stopped on an internal error: %r", name, error)
        # Counted as failed: a scenario that could not read the target's responses proves nothing holds.
        return ScenarioResult(name, "failed", _internal_error_message(ctx, error))
    new_failures = ctx.failures[already_failed:]
    if new_failures:
        return ScenarioResult(name, "failed", "; ".join(violation.message for violation in new_failures))
    return ScenarioResult(name, "passed", "Every step behaved as the contract requires.")


def _internal_error_message(ctx: ScenarioContext, error: Exception) -> str:
    """Name the error and the last step, whose response the scenario could not use."""
    text = f"Stopped on an internal error {error!r}"
    if not ctx.steps:
        return text + " before sending any request."
    last = ctx.steps[-1]
    return (
        f"{text} after {last.method} {last.path} returned {last.status_code} with {_received(last)}. "
        f"Reproduce: {last.curl}"
    )


WEBHOOK_WAIT_SECONDS = 10.0


def webhook_flow(ctx: ScenarioContext) -> None:
    """A test event reaches a loopback receiver, signed so that standardwebhooks verifies it."""
    ctx.require("configureWebhook", "testWebhook", "createOrganization")
    if ctx.client.target.kind is TargetKind.REMOTE:
        raise ScenarioSkipped("the receiver listens on loopback only, which a remote target cannot reach")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    organization = _create_organization(ctx, "hook-org", "10")["c_organization_id"]
    with running_receiver() as receiver:
        configured = ctx.send(
            "configureWebhook",
            "POST",
            "/webhooks/configure",
            body={"url": receiver.url, "events": ["quota_warning", "limit_exceeded"], "secret": secret},
        )
        ctx.record(configured, "webhook_secret_not_echoed", checks.webhook_secret_not_echoed(configured.body))
        ctx.expect_status(configured, 201)
        queued = ctx.send(
            "testWebhook",
            "POST",
            "/webhooks/test",
            body={"event_type": "test", "c_organization_id": organization},
        )
        event_id = ctx.expect_status(queued, 202)["event_id"]
        delivery = receiver.wait_for(event_id, WEBHOOK_WAIT_SECONDS)
    if delivery is None:
        raise ScenarioFailed(f"no delivery of test event {event_id} within {WEBHOOK_WAIT_SECONDS:.0f} s")
    ctx.record(
        queued,
        "webhook_signature_verifies",
        checks.webhook_signature_verifies(secret, delivery.body, delivery.headers),
    )


SCENARIOS: tuple[Scenario, ...] = _scenarios()
