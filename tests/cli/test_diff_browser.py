"""The HTML report of ``routing diff`` in a real browser: headless Chromium (Debian's
``chromium`` package) through Playwright. It renders, its three charts have a size, the
console stays clean, nothing is fetched from the network, and a full-page screenshot is
kept in ``test-artifacts/diff-report.png``.

Without ``/usr/bin/chromium`` the test is skipped, unless ``ROUTING_REQUIRE_BROWSER=1``
(as CI sets it): then it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from routing.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "helpdesk"
ARTIFACT = ROOT / "test-artifacts" / "diff-report.png"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTS = ("route-matrix", "queue-volume", "sla-shift")


def _browser_or_skip() -> None:
    required = os.environ.get("ROUTING_REQUIRE_BROWSER") == "1"
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[test]')"
    if missing is None:
        return
    if required:
        pytest.fail(f"ROUTING_REQUIRE_BROWSER=1 but {missing}")
    pytest.skip(missing)


@pytest.fixture
def report_html(tmp_path, capsys, monkeypatch) -> str:
    """The HTML report of a real change to the example help desk's rules."""
    rules = tmp_path / "rules"
    shutil.copytree(EXAMPLE / "rules", rules)
    triage = rules / "20-triage.yaml"
    text = triage.read_text(encoding="utf-8")
    old = "          - route: billing\n          - raise_priority: high\n"
    assert old in text
    triage.write_text(
        text.replace(old, "          - route: tech-1\n          - raise_priority: urgent\n", 1),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    argv = ["diff", "--base", str(EXAMPLE / "rules"), "--head", "rules", "--format", "html"]
    argv += ["--tickets", str(EXAMPLE / "tickets.jsonl"), "--now", "2026-11-24T12:00:00Z"]
    assert main([*argv, "--jobs", "1", "--output", "report.html"]) == 0
    assert capsys.readouterr() == ("", "")
    return (tmp_path / "report.html").read_text(encoding="utf-8")


def test_html_report_in_chromium(report_html):
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def refuse(route):
                requests.append(route.request.url)
                route.abort()

            context.route("**/*", refuse)
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.set_content(report_html, wait_until="load")

            # the example rules evolve: the counts are not pinned here (test_diff_cli does)
            title = page.title()
            assert re.fullmatch(r"routing diff: [1-9]\d* of \d+ tickets change", title), title
            assert page.locator("h1").inner_text() == title
            changed = title.split()[2]
            for chart in CHARTS:
                svg = page.locator(f"figure#{chart} > svg")
                assert svg.count() == 1, chart
                box = svg.bounding_box()
                assert box is not None, chart
                assert box["width"] > 100, (chart, box)
                assert box["height"] > 100, (chart, box)
            assert page.locator("h2").all_inner_texts() == [
                "Summary",
                "Charts",
                "Rules responsible",
                f"Tickets that change ({changed})",
            ]
            ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACT), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert requests == []
    assert ARTIFACT.stat().st_size > 10_000


def test_missing_browser_skips_unless_required(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("ROUTING_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        _browser_or_skip()
    assert str(skipped.value) == f"{tmp_path / 'no-chromium'} is missing (apt-get install chromium)"
    monkeypatch.setenv("ROUTING_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception) as failed:
        _browser_or_skip()
    assert str(failed.value) == (
        f"ROUTING_REQUIRE_BROWSER=1 but {tmp_path / 'no-chromium'} is missing "
        "(apt-get install chromium)"
    )
