"""The cheapest possible webhook, for bench/turn_bench.py: parse Twilio's form, answer a fixed TwiML string."""

from fastapi import FastAPI, Request, Response

app = FastAPI()
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks!</Message></Response>'


@app.post("/twilio/messages")
async def twilio_messages(request: Request) -> Response:
    form = await request.form()
    if not form.get("From"):
        return Response(status_code=400)
    return Response(content=TWIML, media_type="application/xml")
