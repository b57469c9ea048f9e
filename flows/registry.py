"""Which flow module runs a conversation, by the name stored on it. A new flow is one line here."""

from flows import booking

CUSTOMER_FLOWS = {"booking": booking.step}
DEFAULT_FLOW = "booking"
