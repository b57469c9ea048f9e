"""The real app with the turn replaced by a fixed reply, for bench/turn_bench.py: what the webhook costs on its own
(middleware, the signature, the per-sender limit, the hop to the turn's thread, the TwiML), so the ceiling that no
turn can beat is measured in the same run as the bot and the bare endpoint."""

import api.twilio_webhook as webhook
from bot.engine import TurnResult


def fixed_turn(*_args, **_kwargs) -> TurnResult:
    return TurnResult(replies=["Thanks! We'll text you back shortly."])


webhook.receive_text = fixed_turn  # twilio_messages looks the turn up at call time

from api.main import app  # noqa: E402,F401  (uvicorn's target: bench.fixed_turn_app:app)
