"""Spec-driven routing on a tiny inline spec: parameters, bodies, errors and strict mode."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from fixtures_inline_app import INLINE_HANDLERS, build_inline_app

from mock_server.routing import MissingHandler


def test_valid_body_reaches_handler_as_decimal(inline_client: TestClient) -> None:
    response = inline_client.post("/items/", content=b'{"id": "a", "price": 1.10}')

    assert response.status_code == 201, response.text
    assert response.json() == {"id": "new", "price": "1.10"}
    assert "Decimal('1.10')" in response.headers["X-Received"]


def test_non_json_body_is_json_invalid(inline_client: TestClient) -> None:
    response = inline_client.post("/items/", content=b"{not json")

    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["type"] == "json_invalid"
    assert error["loc"] == ["body", 1]


def test_nan_is_not_json(inline_client: TestClient) -> None:
    response = inline_client.post("/items/", content=b'{"id": "a", "price": NaN}')

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_missing_body_is_field_required(inline_client: TestClient) -> None:
    response = inline_client.post("/items/")

    assert response.status_code == 422, response.text
    missing = {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
    assert response.json() == {"detail": [missing]}


def test_every_violation_listed(inline_client: TestClient) -> None:
    response = inline_client.post("/items/", json={"price": "-1"})

    assert response.status_code == 422, response.text
    locs = [error["loc"] for error in response.json()["detail"]]
    assert ["body", "id"] in locs
    assert ["body", "price"] in locs


def test_body_over_limit_is_413(inline_client: TestClient) -> None:
    response = inline_client.post("/items/", content=b'{"id": "' + b"x" * (2 * 1024 * 1024) + b'"}')

    assert response.status_code == 413, response.text
    assert "1048576 bytes" in response.json()["detail"]


def test_streamed_body_over_limit_is_413(inline_client: TestClient) -> None:
    def chunks() -> object:
        for _ in range(40):
            yield b"x" * 65536

    response = inline_client.post("/items/", content=chunks())

    assert response.status_code == 413, response.text


def test_query_parameter_converted_and_checked(inline_client: TestClient) -> None:
    accepted = inline_client.get("/items/a", params={"limit": "5"})
    rejected = inline_client.get("/items/a", params={"limit": "zero"})

    assert accepted.status_code == 200, accepted.text
    assert "'limit': 5" in accepted.headers["X-Received"]
    assert rejected.status_code == 422, rejected.text
    assert rejected.json()["detail"][0]["loc"] == ["query", "limit"]


def test_header_parameter_read_case_insensitively(inline_client: TestClient) -> None:
    response = inline_client.get("/items/a", headers={"x-trace": "t"})

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["header", "X-Trace"]


def test_long_path_id_rejected(inline_client: TestClient) -> None:
    response = inline_client.get("/items/" + "x" * 129)

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["path", "item_id"]


def test_encoded_slash_stays_in_its_segment(inline_client: TestClient) -> None:
    response = inline_client.get("/pairs/a%2Fb")

    assert response.status_code == 404, response.text
    assert response.json() == {"detail": "Not Found"}


def test_encoded_slash_rejected_by_id_pattern(inline_client: TestClient) -> None:
    response = inline_client.get("/items/a%2Fb")

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["input"] == "a/b"


def test_encoded_percent_kept_literal(inline_client: TestClient) -> None:
    response = inline_client.get("/pairs/a%252Fb/c")

    assert response.status_code == 200, response.text
    assert response.json() == {"left": "a%2Fb", "right": "c"}


def test_missing_trailing_slash_redirects(inline_client: TestClient) -> None:
    response = inline_client.post("/items", json={"id": "a", "price": 1}, follow_redirects=False)

    assert response.status_code == 307
    assert response.headers["location"].endswith("/items/")


def test_unknown_method_is_fastapi_405(inline_client: TestClient) -> None:
    response = inline_client.put("/items/a")

    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_head_not_added_to_get_routes(inline_client: TestClient) -> None:
    assert inline_client.head("/items/a").status_code == 405


def test_strict_mode_names_operation_and_schema(strict_inline_client: TestClient) -> None:
    response = strict_inline_client.get("/items/a")

    assert response.status_code == 500
    detail = response.json()["detail"]
    assert "getItem" in detail
    assert "#/components/schemas/Item/properties/price/type" in detail


def test_strict_mode_checks_header_values(strict_inline_client: TestClient) -> None:
    accepted = strict_inline_client.delete("/items/a", params={"version": "v3"})
    rejected = strict_inline_client.delete("/items/a", params={"version": "3"})

    assert accepted.status_code == 204, accepted.text
    assert rejected.status_code == 500
    assert "header X-Version" in rejected.json()["detail"]


def test_strict_mode_requires_documented_header(strict_inline_client: TestClient) -> None:
    response = strict_inline_client.delete("/items/a")

    assert response.status_code == 500
    assert "required header X-Version is missing" in response.json()["detail"]


def test_strict_mode_rejects_undocumented_status(strict_inline_client: TestClient) -> None:
    response = strict_inline_client.get("/pairs/a/b")

    assert response.status_code == 500
    assert "status 201 is not documented" in response.json()["detail"]


def test_strict_mode_passes_valid_response(strict_inline_client: TestClient) -> None:
    response = strict_inline_client.post("/items/", json={"id": "a", "price": "2"})

    assert response.status_code == 201, response.text


def test_operation_without_handler_fails_at_build() -> None:
    handlers = {name: handler for name, handler in INLINE_HANDLERS.items() if name != "getPair"}

    with pytest.raises(MissingHandler, match="getPair"):
        build_inline_app(handlers)


def test_405_allow_lists_every_method_of_path(inline_client: TestClient) -> None:
    response = inline_client.options("/items/a")

    assert response.status_code == 405
    assert sorted(response.headers["allow"].split(", ")) == ["DELETE", "GET"]
