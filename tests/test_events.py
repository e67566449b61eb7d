"""Threshold engine: which spend and quota changes become webhook events."""

from __future__ import annotations

from decimal import Decimal

from mock_server.events import ThresholdEngine
from mock_server.models import Scope, ScopeState
from mock_server.webhook_endpoints import EndpointRegistry, WebhookEndpoint
from mock_server.webhooks import WebhookEvent

BOTH = ["quota_warning", "limit_exceeded"]


class Recorder:
    """Collects what the engine publishes, in order."""

    def __init__(self) -> None:
        self.published: list[tuple[WebhookEvent, WebhookEndpoint]] = []

    def __call__(self, event: WebhookEvent, endpoint: WebhookEndpoint) -> None:
        self.published.append((event, endpoint))

    def types(self) -> list[str]:
        return [event.event_type for event, _endpoint in self.published]


def team(spend: str, quota: str = "100", team_id: str = "t1") -> ScopeState:
    return ScopeState(Scope.TEAM, "acme", team_id, None, Decimal(spend), Decimal(quota))


def engine_with(*thresholds: str, events: list[str] | None = None) -> tuple[ThresholdEngine, Recorder]:
    registry = EndpointRegistry()
    for threshold in thresholds or ("0.8",):
        registry.add("http://127.0.0.1:9/hook", events or BOTH, "secret", Decimal(threshold))
    recorder = Recorder()
    return ThresholdEngine(registry, recorder), recorder


def test_warning_then_limit_fire_once_each() -> None:
    engine, recorder = engine_with()

    for spend in ("50", "80", "90", "100", "130", "200"):
        engine.on_change([team(spend)])

    assert recorder.types() == ["quota_warning", "limit_exceeded"]


def test_jump_past_both_fires_both_in_order() -> None:
    engine, recorder = engine_with()

    engine.on_change([team("150")])

    assert recorder.types() == ["quota_warning", "limit_exceeded"]


def test_quota_raise_rearms_thresholds() -> None:
    engine, recorder = engine_with()
    engine.on_change([team("100")])

    engine.on_change([team("100", quota="200")])
    assert recorder.types() == ["quota_warning", "limit_exceeded"]
    engine.on_change([team("170", quota="200")])

    assert recorder.types() == ["quota_warning", "limit_exceeded", "quota_warning"]


def test_quota_cut_below_spend_fires() -> None:
    engine, recorder = engine_with()
    engine.on_change([team("50")])

    engine.on_change([team("50", quota="50")])

    assert recorder.types() == ["quota_warning", "limit_exceeded"]


def test_scopes_do_not_suppress_each_other() -> None:
    engine, recorder = engine_with()

    engine.on_change([team("85", team_id="t1"), team("85", team_id="t2")])
    scopes = [event.payload["c_team_id"] for event, _endpoint in recorder.published]

    assert recorder.types() == ["quota_warning", "quota_warning"]
    assert scopes == ["t1", "t2"]


def test_same_ids_in_other_scope_are_separate() -> None:
    engine, recorder = engine_with()
    organization = ScopeState(Scope.ORGANIZATION, "acme", None, None, Decimal("85"), Decimal("100"))

    engine.on_change([organization, team("85")])

    assert [event.payload["scope"] for event, _endpoint in recorder.published] == ["organization", "team"]


def test_each_endpoint_uses_its_threshold() -> None:
    engine, recorder = engine_with("0.5", "0.9")

    engine.on_change([team("60")])
    engine.on_change([team("95")])
    warnings = [
        (event.payload["threshold"], event.payload["spend"]) for event, _endpoint in recorder.published
    ]

    assert warnings == [("0.5", "60"), ("0.9", "95")]


def test_endpoint_gets_only_its_event_types() -> None:
    engine, recorder = engine_with(events=["limit_exceeded"])

    engine.on_change([team("90")])
    engine.on_change([team("100")])

    assert recorder.types() == ["limit_exceeded"]


def test_zero_quota_waits_for_positive_spend() -> None:
    engine, recorder = engine_with()

    engine.on_change([team("0", quota="0")])
    assert recorder.types() == []
    engine.on_change([team("0.01", quota="0")])

    assert recorder.types() == ["quota_warning", "limit_exceeded"]


def test_unavailable_spend_fires_nothing() -> None:
    registry = EndpointRegistry()
    registry.add("http://127.0.0.1:9/hook", BOTH, "secret", Decimal("0.8"))
    recorder = Recorder()
    available = False
    engine = ThresholdEngine(registry, recorder, spend_available=lambda: available)

    engine.on_change([team("90")])
    assert recorder.types() == []
    available = True
    engine.on_change([team("91")])

    assert recorder.types() == ["quota_warning"]


def test_negative_spend_sentinel_is_ignored() -> None:
    engine, recorder = engine_with()

    engine.on_change([team("-1.0", quota="0")])

    assert recorder.types() == []


def test_reset_forgets_crossings() -> None:
    engine, recorder = engine_with()
    engine.on_change([team("90")])

    engine.reset()
    engine.on_change([team("90")])

    assert recorder.types() == ["quota_warning", "quota_warning"]


def test_payload_carries_scope_and_money() -> None:
    engine, recorder = engine_with()

    engine.on_change([ScopeState(Scope.TEAM_USER, "acme", "t1", "u1", Decimal("120.50"), Decimal("100.00"))])
    event = recorder.published[1][0]

    assert event.payload == {
        "event_id": event.event_id,
        "type": "limit_exceeded",
        "occurred_at": event.payload["occurred_at"],
        "scope": "team-user",
        "c_organization_id": "acme",
        "c_team_id": "t1",
        "c_user_id": "u1",
        "spend": "120.50",
        "quota": "100.00",
        "remaining": "-20.50",
        "threshold": "1",
    }
    assert event.payload["occurred_at"].endswith("Z")


def test_events_get_distinct_ids() -> None:
    engine, recorder = engine_with()

    engine.on_change([team("150")])

    assert len({event.event_id for event, _endpoint in recorder.published}) == 2
