"""The cheapest possible webhook, for bench/turn_bench.py: parse Twilio's form, answer a fixed TwiML string.
It reads the form as the real webhook does (api/twilio_webhook.posted_form), so it stays the cheapest."""

from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response

app = FastAPI()
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks!</Message></Response>'


@app.post("/twilio/messages")
async def twilio_messages(request: Request) -> Response:
    form = dict(parse_qsl((await request.body()).decode("latin-1"), keep_blank_values=True, max_num_fields=1000))
    if not form.get("From"):
        return Response(status_code=400)
    return Response(content=TWIML, media_type="application/xml")
