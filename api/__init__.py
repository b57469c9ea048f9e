"""The HTTP shell: Twilio webhooks, the local payment page, the phone simulator, health."""
