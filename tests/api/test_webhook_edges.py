"""Every odd input to the webhook gets a clear answer: no 5xx, no stack trace, nothing corrupted."""

import pytest

from tests.conftest import AUTH_TOKEN, DANA, PAT, PUBLIC_BASE, replies, rows, signed_post, twilio_form


def test_a_forged_signature_is_refused_and_nothing_is_stored(client, db_url):
    response = signed_post(client, twilio_form("tomorrow afternoon, full detail"), token="not-the-real-token")
    assert response.status_code == 403
    assert rows(db_url, "select count(*) from message") == [(0,)]


def test_a_missing_signature_is_refused(client, db_url):
    response = client.post("/twilio/messages", data=twilio_form("hi", from_=PAT))
    assert response.status_code == 403
    assert rows(db_url, f"select count(*) from customer where phone = '{PAT}'") == [(0,)]


def test_a_body_changed_after_signing_is_refused(client):
    form = twilio_form("1")
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE + "/twilio/messages", form)
    form["Body"] = "2"
    assert signed_post(client, form, signature=signature).status_code == 403


def test_signature_is_checked_against_the_public_url_behind_a_proxy(client):
    # TestClient calls http://testserver/...; Twilio signed https://bot.example.com/... (PUBLIC_BASE_URL).
    assert signed_post(client, twilio_form("menu")).status_code == 200


@pytest.mark.parametrize("url", ["https://bot.example.com/twilio/messages", "https://bot.example.com:443/twilio/messages",
                                 "http://127.0.0.1:8000/twilio/messages?key=1", "http://bot.example.com:8080/t"])
def test_the_signature_check_passes_exactly_what_twilios_validator_passes(url):
    from twilio.request_validator import RequestValidator

    from api.twilio_webhook import is_signed

    validator, form = RequestValidator(AUTH_TOKEN), twilio_form("1")
    signed_urls = [url, url.replace(":443", "").replace(":8000", "").replace(":8080", ""),
                   url.replace(".com/", ".com:443/"), "https://elsewhere.example.com/twilio/messages"]
    signatures = [validator.compute_signature(u, form) for u in signed_urls]
    signatures += [RequestValidator("not-the-real-token").compute_signature(url, form), "", "garbage"]
    for signature in signatures:
        for posted in (form, {**form, "Body": "2"}):
            assert is_signed(validator, url, posted, signature) == validator.validate(url, posted, signature)


def test_unknown_business_number_gets_empty_twiml_and_stores_nothing(client, db_url):
    response = signed_post(client, twilio_form("hi", from_=PAT, to="+15559999999"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert replies(response) == []
    assert rows(db_url, "select count(*) from message") == [(0,)]
    assert rows(db_url, f"select count(*) from customer where phone = '{PAT}'") == [(0,)]


@pytest.mark.parametrize("missing", ["From", "To", "MessageSid"])
def test_missing_fields_get_400_naming_them(client, missing):
    form = twilio_form("hi")
    del form[missing]
    response = signed_post(client, form)
    assert response.status_code == 400
    assert missing in response.json()["detail"]


def test_a_body_that_is_not_a_form_gets_400(client):
    response = client.post("/twilio/messages", content=b"\xff\xfe{not a form", headers={
        "content-type": "multipart/form-data; boundary=nope", "X-Twilio-Signature": "x"})
    assert response.status_code in (400, 403)


@pytest.mark.parametrize("body", [
    "", "   ", "😀😀😀", "🚗✨", "x" * 1600, "Quisiera una cita mañana en la tarde", "'; DROP TABLE booking; --",
    "<script>alert(1)</script>", "\x00\x07\x1b[31m", "??", "full detail " * 130,
], ids=["empty", "spaces", "emoji", "emoji-car", "1600-chars", "spanish", "sql", "html", "control", "questions",
        "long-repeat"])
def test_odd_texts_get_a_short_helpful_reply(client, db_url, body):
    response = signed_post(client, twilio_form(body))
    assert response.status_code == 200
    texts = replies(response)
    assert len(texts) == 1 and 0 < len(texts[0]) <= 1600
    assert "Traceback" not in texts[0] and "Error" not in texts[0]
    assert rows(db_url, "select count(*) from message where direction = 'in'") == [(1,)]


def test_media_only_message_is_acknowledged(client):
    texts = replies(signed_post(client, twilio_form("", NumMedia="1", MediaUrl0="https://api.twilio.com/x.jpg",
                                                    MediaContentType0="image/jpeg")))
    assert texts[0].startswith("Thanks for the picture! I can only read text, though.")


def test_unparseable_from_number_is_ignored_safely(client, db_url):
    response = signed_post(client, twilio_form("hi", from_="not-a-phone"))
    assert response.status_code == 200 and replies(response) == []


def test_a_bad_text_mid_conversation_keeps_the_offer(client, db_url):
    signed_post(client, twilio_form("tomorrow afternoon, full detail"))
    assert replies(signed_post(client, twilio_form("🤷")))[0] == (
        "Reply with a number from 1 to 3, or tell me another day or time.")
    assert "holding Wed Mar 11, 2:00 PM" in replies(signed_post(client, twilio_form("2")))[0]


def test_menu_lists_services_with_prices(client):
    text = replies(signed_post(client, twilio_form("MENU")))[0]
    assert "1) Express Wash - $40, 45 min" in text and "2) Full Detail - $180, 3 hr" in text


def test_unknown_pay_token_is_404(client):
    assert client.get("/pay/nope").status_code == 404
    assert client.post("/pay/nope").status_code == 404


def test_simulator_page_and_thread(client, db_url):
    page = client.get("/simulator")
    assert page.status_code == 200 and "Shine Mobile Detailing" in page.text
    sent = client.post("/simulator/messages", json={"from": DANA, "channel": "sms", "body": "menu"})
    assert sent.status_code == 200 and "Express Wash" in sent.json()["replies"][0]
    thread = client.get("/simulator/messages", params={"phone": DANA, "channel": "sms"}).json()["messages"]
    assert [(m["direction"], m["body"][:4]) for m in thread] == [("in", "menu"), ("out", "Hi! ")]
    assert client.post("/simulator/messages", json={"from": "hello", "body": "x"}).status_code == 422
    assert client.get("/simulator/messages", params={"phone": "zzz"}).status_code == 422


@pytest.mark.parametrize("body", [
    b"From=%2B15550100001&To=%2B15550001111&Body=ma%C3%B1ana+a+las+3+%F0%9F%9A%97&MessageSid=SM1",
    b"Body=&NumMedia=1&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fx%3Fa%3D1%26b%3D2",
    b"Body=first&Body=second&a+b=c%2Bd",
    b"Body=100%25+sure&Odd=%zz%4&Lone&=nameless&Semi=a;b",
    b"Body=\xe9t\xe9&Latin=caf%E9",
    b"",
], ids=["utf8-and-plus", "blank-and-urls", "repeated-keys", "odd-escapes", "raw-high-bytes", "empty"])
def test_the_form_reads_as_starlettes_parser_reads_it(body):
    """api.twilio_webhook.posted_form reads a form with the standard library's parser: the same fields, values and
    decoding as Starlette's request.form(), which it stands in for."""
    import asyncio

    from starlette.requests import Request

    from api.twilio_webhook import posted_form

    def request(content_type: str) -> Request:
        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}
        return Request({"type": "http", "method": "POST", "path": "/", "query_string": b"",
                        "headers": [(b"content-type", content_type.encode())]}, receive)

    async def both():
        starlette = {key: str(value) for key, value in (await request(
            "application/x-www-form-urlencoded").form()).items()}
        return starlette, await posted_form(request("application/x-www-form-urlencoded; charset=utf-8"))

    starlette, ours = asyncio.run(both())
    assert ours == starlette


def test_a_form_with_too_many_fields_gets_400(client):
    response = client.post("/twilio/messages", content="&".join(f"f{n}=1" for n in range(1001)).encode(),
                           headers={"content-type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
    assert response.status_code == 400
