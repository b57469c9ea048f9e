"""Which flow module runs a conversation, by the name stored on it. A new flow is one line here."""

from flows import booking, cancel, reminder, reschedule, waitlist
from nlu import Intent, Parse

CUSTOMER_FLOWS = {"booking": booking.step, "reschedule": reschedule.step, "cancel": cancel.step,
                  "reminder": reminder.step, "waitlist": waitlist.step}
DEFAULT_FLOW = "booking"
# Intents that start their flow from anywhere in a conversation ("cancel my appointment" mid-booking).
INTERRUPTIONS = {Intent.RESCHEDULE: "reschedule", Intent.CANCEL: "cancel"}


def interruption(meaning: Parse) -> str | None:
    """The flow a message starts from anywhere, if any."""
    return "waitlist" if meaning.waitlist else INTERRUPTIONS.get(meaning.intent)
