"""End-to-end flows through the mock's HTTP interface, with strict response checks on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fixtures_testclient import TestClient

MakeOrg = Callable[..., dict[str, Any]]


def spend(client: TestClient, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def record_usage(client: TestClient, key_id: str, amount: str) -> None:
    response = client.post("/_mock/usage", json={"key_id": key_id, "amount": amount})
    assert response.status_code == 200, response.text


def create(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_quota_change_visible_in_next_spend_read(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")

    updated = kms.put("/organizations/acme/quota", json={"quota": "250.50"})

    assert updated.status_code == 200, updated.text
    assert updated.json()["quota"] == "250.50"
    assert spend(kms, "/spend/org/acme")["quota"] == "250.50"


def test_deprecated_new_quota_alias_accepted(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")

    updated = kms.put("/organizations/acme/quota", json={"new_quota": 300})

    assert updated.status_code == 200, updated.text
    assert spend(kms, "/spend/org/acme")["quota"] == "300"


def test_delete_organization_cascades(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    create(kms, "/teams/", {"c_organization_id": "acme", "c_team_id": "research", "quota": "50"})
    key = create(
        kms,
        "/keys/",
        {
            "c_organization_id": "acme",
            "key_type": "TEAM_USER",
            "c_team_id": "research",
            "c_user_id": "alice",
            "quota": "5",
        },
    )
    create(kms, "/keys/", {"c_organization_id": "acme", "key_type": "USER", "c_user_id": "bob", "quota": "5"})

    deleted = kms.delete("/organizations/acme")

    assert deleted.status_code == 204, deleted.text
    for path in [
        "/organizations/acme",
        "/spend/org/acme",
        "/teams/research",
        "/spend/team/research",
        "/spend/team-user/research/alice",
        "/spend/user/bob",
    ]:
        response = kms.get(path)
        assert response.status_code == 404, f"{path}: {response.text}"
        assert response.json()["detail"] != "Not Found", path
    assert kms.put(f"/keys/{key['key_id']}", json={"quota": "1"}).status_code == 404
    assert kms.get("/organizations/").json() == []
    assert kms.get("/teams/").json() == []
    assert kms.get("/keys/").json() == []


def test_crud_reads_return_what_was_written(kms: TestClient, make_org: MakeOrg) -> None:
    organization = make_org("acme", "100")
    team = create(kms, "/teams/", {"c_organization_id": "acme", "c_team_id": "research", "quota": "50"})
    key = create(
        kms,
        "/keys/",
        {"c_organization_id": "acme", "key_type": "TEAM_ALL", "c_team_id": "research", "quota": "7"},
    )

    assert kms.get("/organizations/acme").json() == organization
    assert kms.get("/teams/research").json() == team
    assert kms.get("/keys/", params={"c_team_id": "research"}).json() == [key]
    assert team["l_team_id"] == organization["l_team_id"]


def test_team_quota_update_visible_in_team_spend(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    create(kms, "/teams/", {"c_organization_id": "acme", "c_team_id": "research", "quota": "50"})

    updated = kms.put("/teams/research/quota", json={"quota": "75"})

    assert updated.status_code == 200, updated.text
    assert spend(kms, "/spend/team/research")["quota"] == "75"


def test_recharge_flow(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    key = create(kms, "/keys/", {"c_organization_id": "acme", "key_type": "ORG", "quota": "500"})

    record_usage(kms, key["key_id"], "120")
    before = spend(kms, "/spend/org/acme")
    kms.put("/organizations/acme/quota", json={"quota": "200"})
    after = spend(kms, "/spend/org/acme")

    assert before["remaining"] == "-20"
    assert before["spend"] == "120"
    assert after["remaining"] == "80"


def test_stale_if_match_rejected(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    etag = kms.get("/organizations/acme").headers["etag"]
    kms.put("/organizations/acme/quota", json={"quota": "150"}, headers={"If-Match": etag})

    stale = kms.put("/organizations/acme/quota", json={"quota": "175"}, headers={"If-Match": etag})

    assert stale.status_code == 412, stale.text
    assert spend(kms, "/spend/org/acme")["quota"] == "150"


def test_increment_applied_once_per_key(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    headers = {"Idempotency-Key": "recharge-1"}

    first = kms.post("/organizations/acme/quota/increments", json={"amount": "50"}, headers=headers)
    repeat = kms.post("/organizations/acme/quota/increments", json={"amount": "50"}, headers=headers)

    assert first.status_code == 200, first.text
    assert repeat.status_code == 200, repeat.text
    assert spend(kms, "/spend/org/acme")["quota"] == "150"


def test_quota_number_and_string_identical(kms: TestClient, make_org: MakeOrg) -> None:
    from_number = make_org("by-number", 9)
    from_string = make_org("by-string", "9")

    assert from_number["quota"] == from_string["quota"] == "9"
    assert spend(kms, "/spend/org/by-number") | {"spend_as_of": None} == spend(
        kms, "/spend/org/by-string"
    ) | {"spend_as_of": None}


def test_decimal_quota_keeps_its_scale(kms: TestClient) -> None:
    response = kms.post(
        "/organizations/",
        content=b'{"c_organization_id": "acme", "quota": 1.1}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["quota"] == "1.1"
    assert spend(kms, "/spend/org/acme")["quota"] == "1.1"


@pytest.mark.parametrize("literal_id", ["null", "false", "0", "true", "None"])
def test_literal_ids_are_ordinary(kms: TestClient, make_org: MakeOrg, literal_id: str) -> None:
    created = make_org(literal_id, "3")

    assert created["c_organization_id"] == literal_id
    assert kms.get(f"/organizations/{literal_id}").json()["c_organization_id"] == literal_id
    assert spend(kms, f"/spend/org/{literal_id}")["quota"] == "3"


def test_encoded_slash_never_reaches_team_user_route(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    create(kms, "/teams/", {"c_organization_id": "acme", "c_team_id": "t", "quota": "5"})
    create(
        kms,
        "/keys/",
        {
            "c_organization_id": "acme",
            "key_type": "TEAM_USER",
            "c_team_id": "t",
            "c_user_id": "u",
            "quota": "5",
        },
    )
    assert kms.get("/spend/team-user/t/u").status_code == 200

    one_segment = kms.get("/spend/team-user/t%2Fu")
    team_id = kms.get("/spend/team/t%2Fu")

    assert one_segment.status_code == 404, one_segment.text
    assert one_segment.json() == {"detail": "Not Found"}
    assert team_id.status_code == 422, team_id.text
    assert team_id.json()["detail"][0]["loc"] == ["path", "c_team_id"]


def test_missing_trailing_slash_redirects_without_creating(kms: TestClient) -> None:
    response = kms.post(
        "/organizations", json={"c_organization_id": "acme", "quota": "1"}, follow_redirects=False
    )

    assert response.status_code == 307
    assert response.headers["location"].endswith("/organizations/")
    assert kms.get("/_mock/state").json()["organizations"] == []


BAD_REQUESTS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "non_json_body",
        "POST",
        "/organizations/",
        {"content": b"quota=5", "headers": {"content-type": "application/json"}},
    ),
    ("two_mib_body", "POST", "/organizations/", {"content": b'{"c": "' + b"x" * (2 * 1024 * 1024) + b'"}'}),
    ("id_of_129_chars", "POST", "/organizations/", {"json": {"c_organization_id": "x" * 129, "quota": "1"}}),
    ("path_id_of_129_chars", "PUT", "/organizations/" + "x" * 129 + "/quota", {"json": {"quota": "1"}}),
    ("negative_quota_number", "PUT", "/organizations/acme/quota", {"json": {"quota": -1}}),
    ("negative_quota_string", "PUT", "/organizations/acme/quota", {"json": {"quota": "-1"}}),
    ("exponent_quota_string", "PUT", "/organizations/acme/quota", {"json": {"quota": "1e3"}}),
    ("both_quota_fields", "PUT", "/organizations/acme/quota", {"json": {"quota": "1", "new_quota": "2"}}),
    (
        "unknown_key_type",
        "POST",
        "/keys/",
        {"json": {"c_organization_id": "acme", "key_type": "ADMIN", "quota": "1"}},
    ),
    (
        "team_user_without_user",
        "POST",
        "/keys/",
        {
            "json": {
                "c_organization_id": "acme",
                "key_type": "TEAM_USER",
                "c_team_id": "research",
                "quota": "1",
            }
        },
    ),
    (
        "org_key_with_team",
        "POST",
        "/keys/",
        {"json": {"c_organization_id": "acme", "key_type": "ORG", "c_team_id": "research", "quota": "1"}},
    ),
    ("increment_without_key", "POST", "/organizations/acme/quota/increments", {"json": {"amount": "1"}}),
    ("usage_negative", "POST", "/_mock/usage", {"json": {"key_id": "k", "amount": "-1"}}),
]


@pytest.mark.parametrize(
    "name,method,path,request_args", BAD_REQUESTS, ids=[case[0] for case in BAD_REQUESTS]
)
def test_bad_input_rejected_state_unchanged(
    kms: TestClient, make_org: MakeOrg, name: str, method: str, path: str, request_args: dict[str, Any]
) -> None:
    make_org("acme", "100")
    create(kms, "/teams/", {"c_organization_id": "acme", "c_team_id": "research", "quota": "5"})
    before = kms.get("/_mock/state").json()

    response = kms.request(method, path, **request_args)

    assert 400 <= response.status_code < 500, response.text
    assert response.json()["detail"], response.text
    if response.status_code == 422:
        for error in response.json()["detail"]:
            assert set(error) >= {"type", "loc", "msg", "input"}, error
    assert kms.get("/_mock/state").json() == before


def test_body_over_limit_is_413(kms: TestClient) -> None:
    response = kms.post("/organizations/", content=b" " * (1024 * 1024 + 1))

    assert response.status_code == 413, response.text
    assert "bytes" in response.json()["detail"]


def test_unknown_organization_named_in_404(kms: TestClient) -> None:
    response = kms.get("/spend/org/ghost")

    assert response.status_code == 404, response.text
    assert "ghost" in response.json()["detail"]
