"""Deposits with Stripe: how long the bot spends on each step, with the real stripe SDK and real HTTP to Prism
(Stripe's spec on loopback) and a fresh SQLite file.

Prints p50/p95/max in milliseconds for: the Stripe calls (customer + Checkout Session, refund, expire), the
signed webhook for a completed payment (verify, apply, commit, answer), the same event delivered again
(a duplicate), and the whole "name" turn that sends the link (parse, hold check, two Stripe calls, commit).
Prism answers in a few ms, so real Stripe adds its own latency (typically 200-600 ms a call) to the first
three; the webhook does not call Stripe unless it must refund.

    python bench/payments_bench.py [--count 200]
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stripe  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from api.main import create_app  # noqa: E402
from bot.adapters.stripe_payments import StripePayments  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.seed import prepare  # noqa: E402
from bot.db.session import transaction  # noqa: E402
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE, TUESDAY_MORNING, Clock, signed_post, twilio_form  # noqa: E402
from tests.support.prism import STRIPE_SPEC, start_prism  # noqa: E402
from tests.support.stripe_standin import (SECRET_KEY, WEBHOOK_SECRET, RecordingHttp, post_event,  # noqa: E402
                                          session_completed)


def summary(name: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{name:<44} n={len(ms):<5} p50 {statistics.median(ms):7.1f}  p95 {p95:7.1f}  max {ms[-1]:7.1f} ms")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    count = parser.parse_args().count

    proc, base = start_prism(STRIPE_SPEC)
    try:
        http = RecordingHttp()
        client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": base}, max_network_retries=0,
                                     http_client=http)
        payments = StripePayments(client, return_url=f"{PUBLIC_BASE}/stripe/return", clock=lambda: TUESDAY_MORNING)
        args = dict(reference="booking-1", amount_cents=5000, currency="usd", description="Deposit: Full Detail",
                    expires_at=TUESDAY_MORNING + timedelta(minutes=30), phone="+15550100001", name="Dana")
        payments.checkout(token="warm", idempotency_key="warm", **args)   # the first request warms Prism up
        summary("stripe: customer + checkout session", [
            timed(lambda i=i: payments.checkout(token=f"t{i}", idempotency_key=f"k{i}", **args))
            for i in range(count)])
        summary("stripe: refund", [timed(lambda i=i: payments.refund(
            provider_ref="pi_1", amount_cents=5000, idempotency_key=f"r{i}")) for i in range(count)])
        summary("stripe: expire session", [timed(lambda: payments.expire(provider_ref="cs_1"))
                                           for _ in range(count)])

        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            prepare(url)
            settings = Settings(database_url=url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                                stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET,
                                stripe_api_base=base, _env_file=None)
            clock = Clock(TUESDAY_MORNING)
            app = create_app(settings, clock=clock)
            app.state.adapters.payments = payments
            turns, first, again = [], [], []
            with TestClient(app) as web:
                for i in range(count):
                    phone = f"+1555020{i:04d}"
                    day = TUESDAY_MORNING + timedelta(days=1 + i // 8)
                    if day.weekday() == 6:
                        continue  # closed on Sundays
                    hour = 8 + (i % 8)
                    signed_post(web, twilio_form(f"{day:%m/%d} at {hour % 12 or 12}{'pm' if hour >= 12 else 'am'} "
                                                 f"express wash", from_=phone))
                    signed_post(web, twilio_form("4500 W 6th St, Austin", from_=phone))   # a new customer: where?
                    signed_post(web, twilio_form("1", from_=phone))
                    turns.append(timed(lambda: signed_post(web, twilio_form("Sam", from_=phone))))
                with transaction(url) as session:
                    sessions = session.connection().execute(text(
                        "select booking_id, provider_ref from payment where status = 'pending'")).all()
                for booking_id, ref in sessions:
                    event = session_completed(ref, booking_id, amount=1000, payment_intent=f"pi_{booking_id}")
                    first.append(timed(lambda: post_event(web, event)))
                    again.append(timed(lambda: post_event(web, event)))
            summary("turn: name -> link (2 Stripe calls)", turns)
            summary("webhook: checkout.session.completed", first)
            summary("webhook: the same event again", again)
            with transaction(url) as session:
                confirmed = session.connection().execute(text(
                    "select count(*) from booking where status = 'confirmed'")).scalar()
            print(f"bookings confirmed: {confirmed} of {len(sessions)} paid")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
