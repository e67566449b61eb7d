"""Item paths with an escaped control character or "/" in an id return 422 on that parameter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

import httpx
import pytest
from fixtures_server import serve_in_thread

import spec
from mock_server.app import create_app
from mock_server.config import MockSettings

BAD_IDS = ("%0A", "%09", "%7F", "%00", "%2F")
PARAMETER = re.compile(r"\{([^}]+)\}")


def item_operations() -> list[tuple[str, str]]:
    """(method, path template) of every operation whose path has a parameter."""
    found: list[tuple[str, str]] = []
    for path, item in spec.load_spec()["paths"].items():
        if "{" in path:
            found.extend((method.upper(), path) for method in item if method != "parameters")
    return found


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_in_thread(create_app(MockSettings(strict=True))) as url:
        yield url


def path_errors(response: httpx.Response) -> list[dict[str, object]]:
    return [entry for entry in response.json()["detail"] if entry["loc"][0] == "path"]


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(("method", "template"), item_operations())
def test_escaped_id_rejected_on_its_parameter(base_url: str, method: str, template: str, bad_id: str) -> None:
    names = PARAMETER.findall(template)
    path = PARAMETER.sub(bad_id, template)

    response = httpx.request(method, base_url + path, json={}, timeout=5.0)

    assert response.status_code == 422, response.text
    errors = path_errors(response)
    assert [entry["loc"] for entry in errors] == [["path", name] for name in names]
    assert all(entry["input"] == unquote(bad_id) for entry in errors)


@pytest.mark.parametrize("collection", ["/teams/", "/organizations/"])
def test_newline_id_never_reaches_list(base_url: str, collection: str) -> None:
    response = httpx.get(f"{base_url}{collection}%0A", timeout=5.0)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
