"""`bot token create` and `bot owner add`: what the owner runs once to reach the API and the page."""

from typer.testing import CliRunner

from bot.cli import app
from bot.config import get_settings
from tests.support.owner import bearer


def run(db_url, monkeypatch, *args, input=None):
    # The CLI reads its settings from the environment, once per process (lru_cache).
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), input=input)
    finally:
        get_settings.cache_clear()


def test_token_create_prints_a_working_token(client, db_url, monkeypatch):
    result = run(db_url, monkeypatch, "token", "create", "--business", "shine", "--label", "website")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("bk_") and len(token) > 40
    assert client.get("/api/v1/settings", headers=bearer(token)).json()["slug"] == "shine"
    unknown = run(db_url, monkeypatch, "token", "create", "--business", "nope")
    assert unknown.exit_code == 2 and "no business with slug 'nope'" in unknown.output


def test_owner_add_asks_for_the_password_twice(db_url, monkeypatch):
    result = run(db_url, monkeypatch, "owner", "add", "--business", "shine", "--email", "Sam@Example.com",
                 input="a long enough password\na long enough password\n")
    assert result.exit_code == 0, result.output
    from tests.conftest import rows

    assert rows(db_url, "select email from owner_account order by id")[-1] == ("sam@example.com",)
    short = run(db_url, monkeypatch, "owner", "add", "--business", "shine", "--email", "kim@example.com",
                input="short\nshort\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
