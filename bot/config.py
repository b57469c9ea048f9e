"""Settings from the environment and `.env` (see `.env.example`); read once, never at import time."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite:///{Path('data') / 'bot.db'}"
GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


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
    # Set: drive times in traffic and geocoding from Google (bot/adapters/google_maps.py); unset: offline
    # estimates (straight-line drives, addresses placed by their US ZIP code).
    google_maps_api_key: str = ""
    # Where drive times come from: "routes" (Routes API route matrix), "distance_matrix" (the legacy
    # Distance Matrix API) or "straight_line". Empty: routes when GOOGLE_MAPS_API_KEY is set, else straight_line.
    travel_provider: Literal["", "routes", "distance_matrix", "straight_line"] = ""
    # Other addresses for Google's APIs (local stand-ins in tests); empty: Google itself.
    google_routes_api_base: str = ""
    google_maps_api_base: str = ""
    # How long a turn waits for Google before it goes on with estimates.
    google_maps_timeout_seconds: float = 3.0
    # The offline drive estimate: roads are this much longer than the straight line, driven at this speed.
    straight_line_road_factor: float = 1.35
    straight_line_speed_kmh: float = 35.0
    # Google Calendar (bot/calendar_sync.py). An OAuth client ("Web application", redirect URI
    # PUBLIC_BASE_URL/owner/google/callback) lets owners connect their calendars from the owner page; its
    # refresh tokens are stored encrypted with GOOGLE_TOKEN_KEY (a Fernet key; several comma-separated rotate,
    # the first encrypts), without which none is stored.
    google_oauth_client_id: str = ""
    google_oauth_client_secret: str = ""
    google_token_key: str = ""
    google_auth_uri: str = GOOGLE_AUTH_URI          # empty: this default (Google itself)
    google_token_uri: str = GOOGLE_TOKEN_URI
    # A service account's JSON key file: owners share a calendar with its address instead of signing in.
    google_service_account_file: str = ""
    # Another address for the Calendar API (a local stand-in), e.g. http://127.0.0.1:8089/calendar/v3/.
    google_calendar_api_base: str = ""
    # Busy times older than this are read again (a periodic task; a customer's turn only reads the copy).
    google_busy_ttl_seconds: int = 300
    # How often beat looks for calendars to read again.
    calendar_refresh_seconds: float = 60.0
    # A running Rasa server (e.g. http://rasa:5005) whose POST /model/parse gives intents and entities;
    # unset: our own parser. Either way our parser answers when Rasa does not.
    rasa_url: str | None = None
    # How often the in-process dispatcher of the embedded default looks for due work.
    dispatcher_interval_seconds: float = 2.0
    # Texts answered at once on PostgreSQL (SQLite answers one at a time: it takes one writer at a time). More
    # threads overlap more database round trips, but each turn then waits longer for the interpreter, and for the
    # business row a pick locks: measured in bench/turn_bench.py, 4 beat the 40 of the shared thread pool.
    turn_threads: int = Field(default=4, ge=1, le=64)
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
        if self.google_oauth_client_id and not self.google_token_key:
            problems.append("GOOGLE_OAUTH_CLIENT_ID is set but GOOGLE_TOKEN_KEY is not: owners' Google refresh tokens "
                            "could not be stored encrypted, so no calendar could be connected")
        if not self.public_base_url.startswith("https://"):
            problems.append("PUBLIC_BASE_URL must be https:// (Twilio signatures and session cookies depend on it)")
        return problems

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("google_auth_uri", "google_token_uri")
    @classmethod
    def _google_by_default(cls, value: str, info) -> str:
        return value or {"google_auth_uri": GOOGLE_AUTH_URI, "google_token_uri": GOOGLE_TOKEN_URI}[info.field_name]


class UnsafeConfiguration(RuntimeError):
    """APP_ENV=production without what production needs: the process must not start."""


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()
