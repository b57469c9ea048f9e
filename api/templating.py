"""Jinja2 templates for the few server-rendered pages."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates


@cache
def templates() -> Jinja2Templates:
    """The pages' templates, made on the first page served."""
    # Imported here: jinja2 costs every start about 20 ms, and webhooks never render a page.
    from fastapi.templating import Jinja2Templates

    return Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
