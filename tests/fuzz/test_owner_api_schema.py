"""Schemathesis against the owner API's own OpenAPI document: every operation, with a valid token,
generated bodies and parameters; no 5xx and every response as the document describes it."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.main import create_app
from bot.config import Settings
from tests.support.owner import bearer, token  # noqa: F401 (fixture)

# A bounded number per operation keeps the whole run near 20 s on the SQLite default; set
# FUZZ_EXAMPLES (e.g. 300) for a deeper search.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))


def owner_operations() -> list[tuple[str, str]]:
    """(method, path) of every owner API operation, from the document the app serves."""
    paths = create_app(Settings(_env_file=None)).openapi()["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() if path.startswith("/api/v1/")
                  for method in item)


# schemathesis.pytest.from_fixture does not run under pytest 9 yet, so each operation is its own
# parametrized test driving the operation's hypothesis strategy.
@pytest.mark.parametrize(("method", "path"), owner_operations())
def test_every_owner_api_operation_answers_as_documented(app, token, method, path):  # noqa: F811
    operation = schemathesis.openapi.from_asgi("/openapi.json", app)[path][method]
    headers = bearer(token)

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        # Schema-valid input may still break a business rule the schema cannot say ("give day or from/to,
        # not both", "no such service"): that is a documented 4xx, not a failure.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    answers_as_documented()
