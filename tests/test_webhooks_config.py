"""configureWebhook and testWebhook: what is accepted, what is rejected, and where the secret never shows."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fixtures_testclient import TestClient
from webhook_app import configure, created, make_app, seed_two_teams, wait_for_deliveries
from webhook_receiver import WebhookReceiver

from mock_server.webhook_endpoints import (
    InvalidWebhookConfig,
    check_secret,
    check_threshold,
    check_webhook_url,
)

SECRET = "s3cr3t-never-shown"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/hook",
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data",
        "http://169.254.1.1:8080/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:169.254.169.254]/hook",
        "http:///no-host",
    ],
)
def test_url_check_rejects(url: str) -> None:
    with pytest.raises(InvalidWebhookConfig):
        check_webhook_url(url, allowed_hosts=["169.254.169.254", "fe80::1"])


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/h", "https://localhost/h", "http://[::1]:9/h"])
def test_url_check_accepts_loopback(url: str) -> None:
    assert check_webhook_url(url, allowed_hosts=[]) == url


def test_url_check_needs_allowed_host() -> None:
    with pytest.raises(InvalidWebhookConfig):
        check_webhook_url("https://hooks.example.test/h", allowed_hosts=[])

    assert check_webhook_url("https://hooks.example.test/h", allowed_hosts=["HOOKS.example.test"])


def test_whsec_secret_must_be_base64() -> None:
    with pytest.raises(InvalidWebhookConfig):
        check_secret("whsec_!!!not-base64!!!")

    assert check_secret("whsec_MTIzNDU2Nzg5MDEyMzQ1Ng==") == "whsec_MTIzNDU2Nzg5MDEyMzQ1Ng=="


def test_threshold_must_be_a_fraction() -> None:
    for value in ("0", "1", "1.5"):
        with pytest.raises(InvalidWebhookConfig):
            check_threshold(Decimal(value))

    assert check_threshold(Decimal("0.75")) == Decimal("0.75")


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/hook", "file:///tmp/hook", "http://169.254.169.254/hook", "http://[fe80::1]/hook"],
)
def test_configure_rejects_url_with_422(client: TestClient, url: str) -> None:
    response = client.post(
        "/webhooks/configure", json={"url": url, "events": ["quota_warning"], "secret": SECRET}
    )

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "url"]


def test_configure_rejects_remote_host_by_default(client: TestClient) -> None:
    body = {"url": "https://hooks.example.test/h", "events": ["quota_warning"], "secret": SECRET}

    response = client.post("/webhooks/configure", json=body)

    assert response.status_code == 422, response.text
    assert "KMS_MOCK_WEBHOOK_ALLOWED_HOSTS" in response.json()["detail"][0]["msg"]


def test_configure_accepts_allowed_host() -> None:
    body = {"url": "https://hooks.example.test/h", "events": ["quota_warning"], "secret": SECRET}
    with TestClient(make_app(webhook_allowed_hosts=("hooks.example.test",))) as client:
        response = client.post("/webhooks/configure", json=body)

    assert response.status_code == 201, response.text


def test_configure_returns_endpoint_without_secret(client: TestClient) -> None:
    endpoint = configure(client, "http://127.0.0.1:9/hook", SECRET, warning_threshold=0.75)

    assert set(endpoint) == {"id", "url", "events", "warning_threshold", "created_at"}
    assert endpoint["warning_threshold"] == "0.75"
    assert SECRET not in str(endpoint)


def test_configure_defaults_threshold(client: TestClient) -> None:
    endpoint = configure(client, "http://127.0.0.1:9/hook", SECRET)

    assert endpoint["warning_threshold"] == "0.8"


def test_each_configure_adds_endpoint(client: TestClient) -> None:
    first = configure(client, "http://127.0.0.1:9/a", SECRET)
    second = configure(client, "http://127.0.0.1:9/a", SECRET)
    state = created(client.get("/_mock/state"))

    assert first["id"] != second["id"]
    assert [item["id"] for item in state["webhooks"]] == [first["id"], second["id"]]


def test_secret_absent_everywhere(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    keys = seed_two_teams(client)
    with WebhookReceiver(statuses=[500]) as receiver:
        configure(client, receiver.url, SECRET)
        created(client.post("/_mock/usage", json={"key_id": keys["t1"], "amount": "90"}))
        wait_for_deliveries(client, 2)
    deliveries = client.get("/_mock/webhooks/deliveries")
    state = client.get("/_mock/state")

    assert len(deliveries.json()) == 2
    assert SECRET not in deliveries.text
    assert SECRET not in state.text
    assert SECRET not in caplog.text


def test_test_event_reaches_every_endpoint(client: TestClient) -> None:
    seed_two_teams(client)
    with WebhookReceiver() as receiver:
        configure(client, receiver.url, SECRET)
        configure(client, receiver.url, SECRET)
        accepted = client.post("/webhooks/test", json={"event_type": "test", "c_organization_id": "acme"})
        assert receiver.wait_for(2)

    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["endpoints"] == 2
    assert receiver.event_ids() == [accepted.json()["event_id"]] * 2


def test_test_event_counts_subscribed_endpoints(client: TestClient) -> None:
    seed_two_teams(client)
    configure(client, "http://127.0.0.1:9/a", SECRET)
    created(
        client.post(
            "/webhooks/configure",
            json={"url": "http://127.0.0.1:9/b", "events": ["limit_exceeded"], "secret": SECRET},
        )
    )

    accepted = client.post("/webhooks/test", json={"event_type": "quota_warning", "organization_id": "acme"})

    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["endpoints"] == 1


def test_test_event_unknown_organization_404(client: TestClient) -> None:
    response = client.post("/webhooks/test", json={"event_type": "test", "c_organization_id": "nobody"})

    assert response.status_code == 404, response.text
    assert "nobody" in response.json()["detail"]


def test_reset_removes_endpoints_and_log(client: TestClient) -> None:
    seed_two_teams(client)
    with WebhookReceiver() as receiver:
        configure(client, receiver.url, SECRET)
        client.post("/webhooks/test", json={"event_type": "test", "c_organization_id": "acme"})
        wait_for_deliveries(client, 1)

    assert client.post("/_mock/reset").status_code == 204
    assert client.get("/_mock/state").json()["webhooks"] == []
    assert client.get("/_mock/webhooks/deliveries").json() == []
