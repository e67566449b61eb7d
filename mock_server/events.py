"""Threshold engine: turns spend and quota changes into webhook events.

The store calls `ThresholdEngine.on_change` with the state of every scope that a
usage record or a quota update touched. For each endpoint and scope the engine
remembers whether each threshold is crossed, and emits an event only on the
change from "not crossed" to "crossed". So an event fires once per crossing,
and more usage adds nothing. A quota update that lifts the scope back under a
threshold re-arms it for the next crossing.

Rules, per endpoint and scope:
- `quota_warning` is crossed when spend >= warning_threshold * quota.
- `limit_exceeded` is crossed when spend >= quota.
- Nothing is crossed while spend is 0. So a scope with quota 0 fires both
  events on its first positive spend, and never on a quota set to 0 before any
  spend (a zero quota alone is not news for a billing service).
- One usage record that jumps past both thresholds fires both events,
  `quota_warning` first.
- While spend is unavailable (the spend-unavailable fault, or a negative
  spend such as the `-1.0` sentinel), nothing is evaluated and the remembered
  state is kept, so the crossing fires once spend is readable again.
- An endpoint configured after a scope already crossed a threshold receives that
  crossing on the scope's next change, because it has no remembered state yet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from mock_server.models import ScopeState, format_timestamp
from mock_server.money import MONEY_CONTEXT, format_money
from mock_server.webhook_endpoints import EndpointRegistry, WebhookEndpoint
from mock_server.webhooks import WebhookEvent, new_event_id

logger = logging.getLogger("kms_mock")

LIMIT_THRESHOLD = Decimal("1")

Publish = Callable[[WebhookEvent, WebhookEndpoint], None]
# (endpoint id, scope, organization id, team id, user id, event type)
CrossingKey = tuple[str, str, str, "str | None", "str | None", str]


def build_payload(
    event_id: str, event_type: str, state: ScopeState, threshold: Decimal | None, occurred_at: datetime
) -> dict[str, Any]:
    """Build the delivered JSON object, with money values as decimal strings."""
    return {
        "event_id": event_id,
        "type": event_type,
        "occurred_at": format_timestamp(occurred_at),
        "scope": state.scope.value,
        "c_organization_id": state.c_organization_id,
        "c_team_id": state.c_team_id,
        "c_user_id": state.c_user_id,
        "spend": format_money(state.spend),
        "quota": format_money(state.quota),
        "remaining": format_money(state.remaining),
        "threshold": None if threshold is None else format_money(threshold),
    }


def is_crossed(state: ScopeState, fraction: Decimal) -> bool:
    """Return True when spend has reached `fraction` of the quota (and is above 0)."""
    if state.spend <= 0:
        return False
    return state.spend >= MONEY_CONTEXT.multiply(fraction, state.quota)


class ThresholdEngine:
    """Remembers which thresholds each scope has crossed, per endpoint, and emits new crossings."""

    def __init__(
        self,
        endpoints: EndpointRegistry,
        publish: Publish,
        spend_available: Callable[[], bool] = lambda: True,
    ) -> None:
        self._endpoints = endpoints
        self._publish = publish
        self._spend_available = spend_available
        self._crossed: dict[CrossingKey, bool] = {}
        self._lock = threading.Lock()

    def on_change(self, states: Sequence[ScopeState]) -> None:
        """Evaluate every changed scope. The store calls this after each spend or quota change."""
        if not self._spend_available():
            logger.debug("threshold evaluation skipped: spend is unavailable")
            return
        emitted: list[tuple[WebhookEvent, WebhookEndpoint]] = []
        with self._lock:
            for endpoint in self._endpoints.all():
                for state in states:
                    emitted.extend(self._evaluate(endpoint, state))
        # Publish outside the lock, because the dispatcher may hand work to another thread.
        for event, endpoint in emitted:
            self._publish(event, endpoint)

    def reset(self) -> None:
        """Forget every remembered crossing, as after POST /_mock/reset."""
        with self._lock:
            self._crossed.clear()

    def _evaluate(
        self, endpoint: WebhookEndpoint, state: ScopeState
    ) -> Iterable[tuple[WebhookEvent, WebhookEndpoint]]:
        if state.spend < 0:
            return []
        thresholds = (("quota_warning", endpoint.warning_threshold), ("limit_exceeded", LIMIT_THRESHOLD))
        emitted = []
        for event_type, fraction in thresholds:
            key: CrossingKey = (endpoint.id, state.scope.value, *state.ids, event_type)
            crossed = is_crossed(state, fraction)
            was_crossed = self._crossed.get(key, False)
            self._crossed[key] = crossed
            if crossed and not was_crossed and event_type in endpoint.events:
                emitted.append((self._event(event_type, state, fraction), endpoint))
        return emitted

    @staticmethod
    def _event(event_type: str, state: ScopeState, fraction: Decimal) -> WebhookEvent:
        event_id = new_event_id()
        payload = build_payload(event_id, event_type, state, fraction, datetime.now(timezone.utc))
        logger.info(
            "webhook event %s: %s for %s %s spend=%s quota=%s",
            event_id,
            event_type,
            state.scope.value,
            "/".join(part for part in state.ids if part is not None),
            payload["spend"],
            payload["quota"],
        )
        return WebhookEvent(event_id=event_id, event_type=event_type, payload=payload)
