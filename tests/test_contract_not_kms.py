"""A loopback server that is not a KMS ends the run with exit 4 and one plain message."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi import FastAPI
from schemathesis.python import asgi

from contract_tests.cli import invoke
from contract_tests.errors import NotAKms
from contract_tests.runner import RunConfig, run


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        """Keep the file server's access log out of the test output."""


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    """Serve an empty folder on a free loopback port, as `python -m http.server` does."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(QuietHandler, directory=str(served))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_file_server_exits_4(file_server: str, tmp_path: Path) -> None:
    code = invoke(["run", "--url", file_server, "--report-dir", str(tmp_path / "out"), "--max-examples", "1"])

    assert code == 4


def test_file_server_message_names_probe(
    file_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(["run", "--url", file_server, "--report-dir", str(tmp_path / "out"), "--lang", "en"])

    err = capsys.readouterr().err
    assert "does not look like a KMS" in err
    assert "GET /organizations/" in err
    assert "404" in err
    assert "Traceback" not in err


def test_file_server_message_in_chinese(
    file_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(["run", "--url", file_server, "--report-dir", str(tmp_path / "out"), "--lang", "zh-CN"])

    assert "看起来不是 KMS" in capsys.readouterr().err


def test_document_without_kms_paths_is_not_a_kms() -> None:
    other = FastAPI()

    @other.get("/items/")
    def items() -> list[str]:
        return []

    config = RunConfig(url="http://127.0.0.1:1", session=asgi.get_client(other), max_examples=1)

    with pytest.raises(NotAKms) as raised:
        run(config)
    assert raised.value.finding == "no_kms_paths"


def test_file_server_message_has_error_and_tip(
    file_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(["run", "--url", file_server, "--report-dir", str(tmp_path / "out"), "--lang", "en"])

    lines = capsys.readouterr().err.splitlines()
    assert any(line.startswith("Error: ") for line in lines)
    assert any(line.startswith("Tip: ") for line in lines)
