"""The project's own conversation stories (stories/*.yml, format in docs/stories.md), one test each."""

import shutil
from pathlib import Path

import pytest

from bot.db.seed import prepare
from bot.db.session import engine_for
from bot.stories import load, run_story, story_paths

STORIES = Path(__file__).resolve().parent.parent / "stories"
FILES = [load(p) for p in story_paths([STORIES])]
CASES = [pytest.param(f, s, id=f"{f.path.stem}: {s.name}") for f in FILES for s in f.stories]


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """A migrated, seeded database file per seed name, made once; each story runs on a copy."""
    made: dict[str, Path] = {}

    def template(seed: str) -> Path:
        if seed not in made:
            path = tmp_path_factory.mktemp(f"stories-{seed}") / "bot.db"
            prepare(f"sqlite:///{path}", seed)
            engine_for(f"sqlite:///{path}").dispose()
            made[seed] = path
        return made[seed]

    return template


def test_there_are_enough_stories():
    assert len(CASES) >= 60


@pytest.mark.parametrize(("story_file", "story"), CASES)
def test_story(story_file, story, seeded, tmp_path):
    path = tmp_path / "bot.db"
    shutil.copy(seeded(story_file.business), path)
    url = f"sqlite:///{path}"
    try:
        outcome = run_story(story, url, story_file.path)
    finally:
        engine_for(url).dispose()
    assert outcome.passed, outcome.line()
