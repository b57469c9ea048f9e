"""Settings from the environment and `.env` (see `.env.example`); read once, never at import time."""

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite:///{Path('data') / 'bot.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # The URL Twilio and Stripe call us on, e.g. https://bot.example.com. Twilio signs the exact
    # public URL, so behind a proxy or tunnel the signature is checked against this, not request.url.
    public_base_url: str = "http://127.0.0.1:8000"
    # Set: the texts the bot starts go out through Twilio (bot/adapters/twilio_sms.py); unset: stay local.
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    # Where the Twilio SDK sends API calls; empty: Twilio itself. Tests point it at a local stand-in.
    twilio_api_base: str = ""
    # Texts per second from one of our numbers (a US long code takes about 1; toll-free and 10DLC more).
    twilio_sends_per_second: float = 1.0
    # Set: deposits go through Stripe Checkout (bot/adapters/stripe_payments.py); unset: the local /pay page.
    stripe_secret_key: str = ""
    # The signing secret of the endpoint registered for POST /stripe/webhook (whsec_...).
    stripe_webhook_secret: str = ""
    # Where the Stripe SDK sends API calls; empty: Stripe itself. Tests point it at a local stand-in.
    stripe_api_base: str = ""
    # Celery's broker and result backend (tasks/worker.py); unset: due work runs on an in-process loop.
    redis_url: str = ""
    # A batch a sender claimed but did not record in this long is settled with the provider (its sender
    # died); the sender task's hard time limit is half of it, so a live sender is never second-guessed.
    outbox_claim_seconds: int = 120
    # The Celery queue: deployments sharing one Redis each need their own.
    celery_queue: str = "booking-bot"
    # How often beat runs the due-work dispatcher and sweeps the outbox.
    dispatch_every_seconds: float = 60.0
    outbox_sweep_seconds: float = 10.0
    google_maps_api_key: str = ""
    # A running Rasa server (e.g. http://rasa:5005) whose POST /model/parse gives intents and entities;
    # unset: our own parser. Either way our parser answers when Rasa does not.
    rasa_url: str | None = None
    # How often the in-process dispatcher of the embedded default looks for due work.
    dispatcher_interval_seconds: float = 2.0
    # "production": refuse to start without the secrets that lock the public doors (production_problems);
    # logs are JSON lines. Anything else: the embedded default for trying it.
    app_env: str = "development"
    # "json" for one JSON object per log line (the default in production), "text" otherwise.
    log_format: str = ""
    # Inbound texts one number may send before the webhook drops the rest: a burst, then this many a
    # minute. A person texting stays far below; a loop between two bots or a flood does not.
    webhook_burst: int = 20
    webhook_texts_per_minute: float = 20.0

    @property
    def is_production(self) -> bool:
        return self.app_env.strip().lower() == "production"

    def production_problems(self) -> list[str]:
        """What production mode is missing; empty when the doors are locked."""
        problems = []
        if not self.twilio_auth_token:
            problems.append("TWILIO_AUTH_TOKEN is not set, so anyone could post fake texts to /twilio/messages")
        if self.stripe_secret_key and not self.stripe_webhook_secret:
            problems.append("STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: deposits would never confirm")
        if not self.public_base_url.startswith("https://"):
            problems.append("PUBLIC_BASE_URL must be https:// (Twilio signatures and session cookies depend on it)")
        return problems

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class UnsafeConfiguration(RuntimeError):
    """APP_ENV=production without what production needs: the process must not start."""


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()
