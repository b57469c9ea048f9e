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
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    redis_url: str = ""
    google_maps_api_key: str = ""
    # A running Rasa server (e.g. http://rasa:5005) whose POST /model/parse gives intents and entities;
    # unset: our own parser. Either way our parser answers when Rasa does not.
    rasa_url: str | None = None
    # How often the in-process dispatcher of the embedded default looks for due work.
    dispatcher_interval_seconds: float = 2.0

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()
