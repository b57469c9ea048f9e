"""A web process without vendor keys loads no vendor SDK, neither to start nor to answer a customer's "hi".

Each of these costs every cold start tens of milliseconds (httpx a tenth of a second, with the rich and
pygments its command line needs), and each is needed only once its key is set or its page is asked for.
Checked in a new interpreter, since this test process has imported them all already.
"""

import json
import os
import subprocess
import sys

from bot.db.seed import prepare
from tests.conftest import BUSINESS_SMS, PAT

DEFERRED = ("httpx", "rich", "pygments", "icalendar", "googleapiclient", "googlemaps", "stripe", "requests",
            "twilio.rest", "jinja2")
VENDOR_KEYS = ("RASA_URL", "STRIPE_SECRET_KEY", "TWILIO_ACCOUNT_SID", "GOOGLE_MAPS_API_KEY", "TRAVEL_PROVIDER",
               "GOOGLE_OAUTH_CLIENT_ID", "GOOGLE_SERVICE_ACCOUNT_FILE", "TWILIO_AUTH_TOKEN")

# `api.main:app` as uvicorn loads it, then one inbound text through the ASGI app itself (a test client
# would import httpx).
START_AND_ANSWER = """
import asyncio, gc, json, sys
from urllib.parse import urlencode

import api.main

app = api.main.app
started = sorted(name for name in DEFERRED if name in sys.modules)
body = urlencode({"From": PHONE, "To": BUSINESS, "MessageSid": "SM0001", "Body": "hi"}).encode()
scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
         "path": "/twilio/messages", "raw_path": b"/twilio/messages", "query_string": b"", "root_path": "",
         "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded"),
                     (b"content-length", str(len(body)).encode())],
         "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
sent = []

async def receive():
    return {"type": "http.request", "body": body, "more_body": False}

async def send(message):
    sent.append(message)

asyncio.run(app(scope, receive, send))
print(json.dumps({"collecting": gc.isenabled(), "started": started, "answered": sorted(name for name in DEFERRED if name in sys.modules),
                  "status": sent[0]["status"], "body": b"".join(m.get("body", b"") for m in sent[1:]).decode()}))
"""


def test_starting_the_app_and_answering_hi_load_no_vendor_sdk(tmp_path):
    """Also: the garbage collector, paused while api.main loads, is running again afterwards."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    prepare(url)
    env = {key: value for key, value in os.environ.items() if key not in VENDOR_KEYS}
    env.update(DATABASE_URL=url, REDIS_URL="", PUBLIC_BASE_URL="http://testserver")
    code = f"DEFERRED = {DEFERRED!r}\nPHONE = {PAT!r}\nBUSINESS = {BUSINESS_SMS!r}\n{START_AND_ANSWER}"
    # cwd: a folder without a .env file, so only the environment above configures the app.
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["collecting"] is True
    assert result["status"] == 200
    assert "<Message>" in result["body"]
    assert result["started"] == []
    assert result["answered"] == []
