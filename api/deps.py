"""Request-scoped dependencies: settings, clock, adapters and one transaction per request."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from bot.config import Settings
from bot.db.session import transaction
from bot.wiring import Adapters


# The three below only read app.state: as `async def` FastAPI calls them on the event loop, where a plain
# `def` dependency is sent to the thread pool and back, three hand-overs on every request.

async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_clock(request: Request) -> Callable[[], datetime]:
    return request.app.state.clock


async def get_adapters(request: Request) -> Adapters:
    return request.app.state.adapters


def get_session(request: Request) -> Iterator[Session]:
    with transaction(request.app.state.settings.database_url) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Callable[[], datetime], Depends(get_clock)]
AdaptersDep = Annotated[Adapters, Depends(get_adapters)]
SessionDep = Annotated[Session, Depends(get_session)]
