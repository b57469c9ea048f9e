"""The crew cached under the business's schedule stamp never serves a schedule the owner has changed."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from bot.db.queries import technicians
from bot.db.seed import prepare
from bot.db.session import transaction
from bot.db.tables import Business, DayHours, Service, Staff, TimeOff, WeeklyHours
from bot.domain.span import Span

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)                     # Tue 10 Mar, 10:00 in Chicago
WEDNESDAY = Span(datetime(2026, 3, 11, 5, tzinfo=UTC), datetime(2026, 3, 12, 5, tzinfo=UTC))


def crew(url: str) -> dict[str, object]:
    """What the engine gets, per technician name, in a transaction of its own (a turn)."""
    with transaction(url) as session:
        business = session.exec(select(Business)).first()
        names = {s.id: s.name for s in session.exec(select(Staff))}
        return {names[t.id]: t for t in technicians(session, business=business, around=WEDNESDAY, now=NOW)}


def stamp(url: str) -> str:
    with transaction(url) as session:
        return session.exec(select(Business.schedule_stamp)).first()


def edit(url: str, change) -> None:
    with transaction(url) as session:
        change(session, session.exec(select(Staff).where(Staff.name == "Sam")).one())


def test_every_kind_of_schedule_edit_renews_the_stamp_and_the_next_turn_sees_it(db_url):
    before = crew(db_url)
    assert "Sam" in before and stamp(db_url)

    def weekly(session, sam):
        for row in session.exec(select(WeeklyHours).where(WeeklyHours.staff_id == sam.id, WeeklyHours.weekday == 2)):
            row.opens, row.closes = time(13), time(14)
    cases = [
        ("weekly hours changed", weekly,
         lambda c: [(r.opens, r.closes) for r in c["Sam"].weekly if r.weekday == 2] == [(time(13), time(14))]),
        ("a dated day off", lambda s, sam: s.add(DayHours(staff_id=sam.id, on=WEDNESDAY.start.date())),
         lambda c: list(c["Sam"].overrides.get(WEDNESDAY.start.date(), ["?"])) == []),
        ("time off", lambda s, sam: s.add(TimeOff(staff_id=sam.id, start_at=WEDNESDAY.start + timedelta(hours=14),
                                                 end_at=WEDNESDAY.start + timedelta(hours=16))),
         lambda c: len(c["Sam"].time_off) == 1),
        ("a technician off the roster", lambda s, sam: setattr(sam, "active", False), lambda c: "Sam" not in c),
    ]
    for name, change, seen in cases:
        old = stamp(db_url)
        edit(db_url, change)
        assert stamp(db_url) != old, name
        assert seen(crew(db_url)), name


def test_a_deleted_service_renews_the_stamp(db_url):
    crew(db_url)
    old = stamp(db_url)
    with transaction(db_url) as session:
        service = session.exec(select(Service).where(Service.name == "Express Wash")).one()
        service.buffer_before_minutes = 25
    assert stamp(db_url) != old


def test_an_edit_in_the_same_transaction_is_seen_before_commit(db_url):
    crew(db_url)
    with transaction(db_url) as session:
        business = session.exec(select(Business)).first()
        sam = session.exec(select(Staff).where(Staff.name == "Sam")).one()
        sam.max_jobs_per_day = 1
        seen = {t.id: t for t in technicians(session, business=business, around=WEDNESDAY, now=NOW)}
        assert seen[sam.id].max_jobs_per_day == 1


def test_a_turn_that_reads_changes_nothing(db_url):
    old = stamp(db_url)
    crew(db_url)
    crew(db_url)
    assert stamp(db_url) == old


def test_a_fresh_database_at_a_reused_address_is_not_served_the_old_crew(tmp_path):
    url = f"sqlite:///{tmp_path / 'again.db'}"
    prepare(url)
    edit(url, lambda s, sam: setattr(sam, "max_jobs_per_day", 2))
    assert crew(url)["Sam"].max_jobs_per_day == 2
    from bot.db.session import engine_for
    engine_for(url).dispose()
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"again.db{suffix}").unlink(missing_ok=True)
    prepare(url)
    assert crew(url)["Sam"].max_jobs_per_day is None


@pytest.mark.postgres
def test_on_postgresql_too(postgres_url):
    prepare(postgres_url)
    assert "Sam" in crew(postgres_url)
    edit(postgres_url, lambda s, sam: setattr(sam, "active", False))
    assert "Sam" not in crew(postgres_url)
