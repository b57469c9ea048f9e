"""The story format is validated strictly, and the runner reports a failing step with the bot's text."""

import textwrap

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.stories import StoryError, duration, load

HEAD = """\
business: demo
now: "2026-03-10T09:15:00-05:00"
stories:
  - name: one
    from: "+15550100003"
    steps:
"""


def story_file(tmp_path, steps: str, head: str = HEAD):
    path = tmp_path / "s.yml"
    path.write_text(head + textwrap.indent(textwrap.dedent(steps), "      "))
    return path


@pytest.mark.parametrize(("text", "minutes"), [("23h", 23 * 60), ("30m", 30), ("2d", 2880), ("1h30m", 90)])
def test_durations(text, minutes):
    assert duration(text).total_seconds() == minutes * 60


@pytest.mark.parametrize("text", ["", "23", "h", "1.5h", "-1h", "23 hours", "1w"])
def test_bad_durations(text):
    with pytest.raises(StoryError, match="bad duration"):
        duration(text)


@pytest.mark.parametrize(("steps", "message"), [
    ('- user: "hi"\n  bot: {contain: ["x"]}\n', "unknown key.*contain"),
    ('- advance: "soon"\n', "step 1: bad duration"),
    ('- user: "hi"\n  owner: "today"\n', "exactly one of"),
    ('- booking: {status: confirmed}\n  bot: {contains: ["x"]}\n', "'bot' expectations go on"),
    ('- user: "hi"\n  bot: {offers: {within: ["2026-03-11T12:00"]}}\n', "within is"),
    ('- user: "hi"\n  bot: {offers: {within: ["2026-03-11T12:00-05:00", "2026-03-11T13:00"]}}\n', "no offset"),
    ('- pay: everything\n', "pay takes 'deposit'"),
    ('- user: "hi"\n  bot: {regex: "("}\n', "does not compile"),
])
def test_malformed_steps_are_named(tmp_path, steps, message):
    with pytest.raises(StoryError, match=message):
        load(story_file(tmp_path, steps))


def test_unknown_setting_and_seed(tmp_path):
    with pytest.raises(StoryError, match="unknown business setting.*colour"):
        load(story_file(tmp_path, '- user: "hi"\n', HEAD.replace("now:", "settings: {colour: red}\nnow:")))
    with pytest.raises(StoryError, match="not a seed"):
        load(story_file(tmp_path, '- user: "hi"\n', HEAD.replace("business: demo", "business: nope")))


def test_cli_prints_the_failing_step_and_exits_1(tmp_path):
    path = story_file(tmp_path, '- user: "HELP"\n  bot: {contains: ["Express Wash"]}\n'
                                '- user: "HELP"\n  bot: {contains: ["free pizza"]}\n')
    result = CliRunner().invoke(app, ["stories", str(path)])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "step 2: expected the bot said to contain 'free pizza'" in result.output
    assert "I book appointments for Shine Mobile Detailing" in result.output


def test_cli_passes_with_exit_0_and_rejects_bad_files_with_2(tmp_path):
    good = story_file(tmp_path, '- user: "HELP"\n  bot: {contains: ["Express Wash"]}\n')
    assert CliRunner().invoke(app, ["stories", str(good)]).exit_code == 0
    good.write_text(good.read_text().replace("user:", "usr:"))
    result = CliRunner().invoke(app, ["stories", str(good)])
    assert result.exit_code == 2 and "unknown key" in result.output
