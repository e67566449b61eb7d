"""Remember what the run created and remove it afterwards.

Deleting an organization deletes its teams and keys, so deleting the
organizations is enough where the target offers deleteOrganization. Whatever
cannot be deleted (the operation is missing, writes are off, or the delete
failed) is reported as a leftover, so the user can remove it by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from contract_tests.client import KmsClient
from contract_tests.errors import UnsafeRequest
from contract_tests.results import Leftover
from contract_tests.target import TargetKind

logger = logging.getLogger("kms_contract")


@dataclass
class CreatedResources:
    """Ids of everything a successful create returned during the run, in creation order."""

    organizations: list[str] = field(default_factory=list)
    teams: list[tuple[str, str]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    webhooks: list[str] = field(default_factory=list)

    def observe(self, operation_id: str, status_code: int, body: Any) -> None:
        """Record the resource a create response describes."""
        if not 200 <= status_code < 300 or not isinstance(body, Mapping):
            return
        if operation_id == "createOrganization":
            _append_new(self.organizations, body.get("c_organization_id"))
        elif operation_id == "createTeam":
            team = (str(body.get("c_organization_id")), str(body.get("c_team_id")))
            _append_new(self.teams, team)
        elif operation_id == "createKey":
            _append_new(self.keys, body.get("key_id"))
        elif operation_id == "configureWebhook":
            _append_new(self.webhooks, body.get("id"))


def _append_new(items: list[Any], value: Any) -> None:
    if value is not None and value not in items:
        items.append(value)


def clean_up(
    client: KmsClient,
    created: CreatedResources,
    can_delete_organizations: bool,
    webhook_url: str,
    why_not: str = "The target lacks deleteOrganization.",
) -> list[Leftover]:
    """Delete every organization the run created and return what is left behind.

    The in-process mock is discarded with the run, so nothing can be left behind there.
    `webhook_url` is the suite's receiver, where every registered webhook points. `why_not` is
    the leftover reason when organizations cannot be deleted.
    """
    if client.target.kind is TargetKind.IN_PROCESS:
        return []
    leftovers: list[Leftover] = []
    for organization in created.organizations:
        reason = _delete_organization(client, organization, can_delete_organizations, why_not)
        if reason is not None:
            leftovers.append(Leftover("organization", organization, reason))
            leftovers.extend(_children(created, organization, reason))
    reason = (
        f"The contract has no operation that deletes a webhook endpoint. It points at {webhook_url}, "
        "the suite's loopback receiver, which stopped with the run, so the target's deliveries to it fail."
    )
    leftovers.extend(Leftover("webhook", str(webhook), reason) for webhook in created.webhooks)
    return leftovers


def _delete_organization(client: KmsClient, organization: str, can_delete: bool, why_not: str) -> str | None:
    """Return None when deleted (or already gone), else why it was kept."""
    if not can_delete:
        return why_not
    path = f"/organizations/{quote(organization, safe='')}"
    try:
        response = client.request("DELETE", path)
    except UnsafeRequest:
        return "Writes are off for this target."
    except requests.RequestException as error:
        return f"DELETE {path} failed: {error.__class__.__name__}."
    if response.status_code in (200, 204, 404):
        return None
    logger.warning("clean-up: DELETE %s answered %s", path, response.status_code)
    return f"DELETE {path} answered {response.status_code}."


def _children(created: CreatedResources, organization: str, reason: str) -> list[Leftover]:
    return [
        Leftover("team", f"{organization}/{team}", reason)
        for owner, team in created.teams
        if owner == organization
    ]
