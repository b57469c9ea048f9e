"""The owner page in a real browser: Debian's chromium driven by Playwright, against the app served by
uvicorn on loopback. The owner signs in on a phone-sized screen, changes Saturday's hours, and the very
next customer text is offered the new times.

Never a downloaded browser: /usr/bin/chromium (`apt-get install -y chromium`). Without it, or without
Playwright, the test skips with the reason, except under CI=true, where that is a failure.
Screenshots land in test-artifacts/ (git-ignored).
"""

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.main import create_app
from bot.config import Settings
from bot.db.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD
from tests.conftest import LEE

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; the browser test must run under CI=true (.ci/run installs chromium)")
    pytest.skip(reason)


@pytest.fixture
def chromium():
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        _missing("no Debian chromium at /usr/bin/chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def server(db_url, clock):
    """The app under uvicorn on a free loopback port, in this process (the test's frozen clock)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=db_url, public_base_url=base, _env_file=None)
    uvi = uvicorn.Server(uvicorn.Config(create_app(settings, clock=clock), host="127.0.0.1", port=port,
                                       log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uvi.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvi.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield base
    uvi.should_exit = True
    thread.join(timeout=10)


def customer_texts(base: str, body: str) -> str:
    response = httpx.post(f"{base}/simulator/messages", json={"from": LEE, "body": body}, timeout=30)
    response.raise_for_status()
    return response.json()["replies"][0]


def test_owner_changes_saturday_and_the_next_text_sees_it(chromium, server):
    ARTIFACTS.mkdir(exist_ok=True)
    before = customer_texts(server, "saturday morning express wash")
    assert "1) Sat Mar 14, 9:00 AM" in before  # both vans work 8 to 6 on Saturdays

    page = chromium.new_page(viewport=PHONE)
    page.goto(f"{server}/owner/day")
    assert page.url.endswith("/owner/login")
    page.fill("#email", DEMO_OWNER_EMAIL)
    page.fill("#password", DEMO_OWNER_PASSWORD)
    page.screenshot(path=str(ARTIFACTS / "owner-login.png"))
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/owner")
    assert page.locator("header h1").inner_text() == "Shine Mobile Detailing"

    page.click("nav >> text=Hours")
    page.wait_for_url(f"{server}/owner/hours")
    for technician in ("Alex", "Sam"):
        page.select_option("#technician", label=technician)
        page.click("text=Show")
        page.wait_for_selector(f"text={technician}'s week")
        # Saturday becomes an afternoon: 1 PM to 4 PM, nothing in the morning.
        page.fill("input[name=opens_5_0]", "13:00")
        page.fill("input[name=closes_5_0]", "16:00")
        page.click(f"text=Save {technician}'s hours")
        page.wait_for_selector(f"text=Saved {technician}'s hours.")
    assert page.input_value("input[name=opens_5_0]") == "13:00"
    page.screenshot(path=str(ARTIFACTS / "owner-hours-saved.png"), full_page=True)

    after = customer_texts(server, "saturday morning express wash")
    # Nothing is open on Saturday morning now: the nearest times are the evening before and that afternoon.
    assert after.startswith("Sorry, nothing's open for Express Wash then.")
    assert after.splitlines()[1:4] == ["1) Fri Mar 13, 5:00 PM", "2) Sat Mar 14, 1:30 PM", "3) Sat Mar 14, 2:00 PM"]

    page.click("nav >> text=Day")
    page.wait_for_selector("section[aria-label=Alex]")
    page.screenshot(path=str(ARTIFACTS / "owner-day.png"), full_page=True)
    page.close()
