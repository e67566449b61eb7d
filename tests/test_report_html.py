"""report.html: self-contained, opens in headless Chromium without console messages, shows the counts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import reports

DATA = Path(__file__).parent / "data"
LANGUAGES = ("en", "zh-CN")
CHROMIUM_TIMEOUT_SECONDS = 90
INSTALL_HINT = "install it with: apt-get update && apt-get install -y chromium"
# Chromium writes each page console message to its log as "...:CONSOLE:<line>] ...".
CONSOLE_LINE = re.compile(r":CONSOLE[:(]")


def chromium_or_skip() -> str:
    """Return Chromium's path; skip without it, except under CI where it must be installed."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"chromium is not installed but CI is set; {INSTALL_HINT}")
        pytest.skip(f"chromium is not installed; {INSTALL_HINT}")
    return path


def run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium_or_skip(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        page.resolve().as_uri(),
    ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT_SECONDS,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE_LINE.search(line)]


class CountCollector(HTMLParser):
    """Collect the per-state counts shown in each language's article."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, dict[str, int]] = {}
        self.article: str | None = None
        self.state: str | None = None
        self.in_count = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "article":
            self.article = str(attributes.get("lang"))
            self.counts[self.article] = {}
        elif tag == "li" and attributes.get("data-state"):
            self.state = attributes["data-state"]
        elif tag == "span" and attributes.get("class") == "count" and self.state:
            self.in_count = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.state = None
        if tag == "span":
            self.in_count = False

    def handle_data(self, data: str) -> None:
        if self.in_count and self.article and self.state:
            self.counts[self.article][self.state] = int(data)


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "results-full.json").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, results: dict[str, Any]) -> Path:
    out = tmp_path_factory.mktemp("html")
    reports.render(results, out)
    return out / "report.html"


def test_html_loads_nothing_external(page: Path) -> None:
    html = page.read_text(encoding="utf-8")

    assert "<link" not in html
    assert "src=" not in html
    assert "url(" not in html
    assert "@import" not in html
    assert set(re.findall(r'href="(.)', html)) <= {"#"}


def test_html_has_both_languages(page: Path) -> None:
    html = page.read_text(encoding="utf-8")

    assert '<article class="report" id="report-en" lang="en">' in html
    assert '<article class="report" id="report-zh-CN" lang="zh-CN">' in html


@pytest.mark.chromium
def test_console_detector_sees_page_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><title>x</title><script>console.error('boom'); missing();</script>")

    completed = run_chromium(broken, tmp_path / "profile", "--dump-dom")

    assert len(console_messages(completed.stderr)) == 2, completed.stderr[-2000:]


@pytest.mark.chromium
def test_html_opens_without_console_messages(page: Path, tmp_path: Path) -> None:
    completed = run_chromium(page, tmp_path / "profile", "--dump-dom")

    assert completed.returncode == 0, completed.stderr[-2000:]
    assert console_messages(completed.stderr) == []
    assert "</article>" in completed.stdout


@pytest.mark.chromium
def test_rendered_dom_shows_state_counts(page: Path, tmp_path: Path, results: dict[str, Any]) -> None:
    completed = run_chromium(page, tmp_path / "profile", "--dump-dom")
    collector = CountCollector()

    collector.feed(completed.stdout)

    expected = {**results["summary"]["states"], "total": len(results["operations"])}
    for lang in LANGUAGES:
        assert collector.counts[lang] == expected, lang


@pytest.mark.chromium
def test_screenshot_is_taken(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"

    completed = run_chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,1600")

    assert completed.returncode == 0, completed.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # A blank page compresses to a few kilobytes; text, tables and badges make it far larger.
    assert shot.stat().st_size > 50_000
