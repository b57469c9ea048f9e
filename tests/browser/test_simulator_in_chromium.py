"""The phone simulator in a real browser (Debian's chromium through Playwright): a new customer books
from the page, pays on the local payment page, and the confirmation arrives in the same thread."""

import re

from tests.browser.test_owner_page_in_chromium import ARTIFACTS, PHONE, chromium, server  # noqa: F401 (fixtures)

PAT = "+15550100003"  # a demo customer the bot has never seen: it asks for the address first


def send(page, text: str) -> None:
    page.fill("#body", text)
    page.click("#send")


def test_a_customer_books_and_pays_from_the_simulator(chromium, server):  # noqa: F811 (fixtures)
    page = chromium.new_page(viewport=PHONE)
    page.goto(f"{server}/simulator")
    page.select_option("#from", PAT)

    send(page, "tomorrow afternoon, full detail")
    page.wait_for_selector("#thread >> text=What's the address for the job?")
    send(page, "4500 W 6th St, Austin TX 78703")
    page.wait_for_selector("#thread >> text=Here's what's open for Full Detail")
    send(page, "2")
    page.wait_for_selector("#thread >> text=What name should I put the booking under?")
    send(page, "Pat")
    page.wait_for_selector("#thread >> text=deposit here")

    link = re.search(r"https?://\S+/pay/\S+", page.inner_text("#thread")).group(0)
    pay = chromium.new_page(viewport=PHONE)
    pay.goto(link)
    pay.click("#pay")
    pay.wait_for_load_state()

    # The confirmation is a message the bot starts (the outbox), so it appears in the thread by polling.
    page.wait_for_selector("#thread >> text=You're confirmed!", timeout=20_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "simulator-booked.png"))
    assert "Full Detail on Wed Mar 11" in page.inner_text("#thread")
