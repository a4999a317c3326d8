"""Today's cockpit figures beside yesterday's and the same day a year earlier, from the cache.

The worker (``refresh_figures``, every sweep interval: 60 s by default) counts today's tiles and
stores them in ``cockpit_figures`` with the moment they speak for; yesterday's and last year's
are stored once, after their day has ended, and then kept (their events no longer move). The
cockpit reads the rows (``cockpit_today``) and shows each one's age. A row that is missing, or
today's when older than ``STALE_AFTER`` (no worker running), is counted on the spot instead and
said so (``source: live``) — never written by a read. Why a cache and not the rollup:
docs/decisions/0037-cockpit-figures-cached-by-the-worker.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, CockpitFigures
from hotline.domain.indicators import Period, year_before
from hotline.domain.roles import Actor
from hotline.reports.notices import queries as notice
from hotline.services.accounts.scope import restrict_to_scope
from hotline.services.cockpit.tiles import TILES, DayFigures, day_figures
from hotline.services.context import Hotline

STALE_AFTER = timedelta(seconds=60)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Days:
    today: date
    yesterday: date
    last_year: date

    @classmethod
    def of(cls, hotline: Hotline, now: datetime) -> Days:
        today = now.astimezone(hotline.settings.tz).date()
        return cls(today, today - ONE_DAY, year_before(Period(today, today)).start)

    def named(self) -> dict[str, date]:
        return {"today": self.today, "yesterday": self.yesterday, "last_year": self.last_year}


def window_of(hotline: Hotline, day: date, now: datetime) -> notice.Window:
    return notice.Window(Period(day, day), hotline.settings.tz, now)


def _final(row: CockpitFigures | None, window: notice.Window) -> bool:
    """Computed after its day ended: its figures speak for the whole day."""
    return row is not None and row.as_of >= window.end_at


def _store(session: Session, day: date, window: notice.Window, now: datetime) -> None:
    figures = day_figures(session, window)
    row = session.get(CockpitFigures, day)
    if row is None:
        row = CockpitFigures(day_on=day)
        session.add(row)
    row.computed_at, row.as_of = now, window.as_of
    row.counts, row.hotspots = figures.counts, figures.hotspots


def refresh_figures(hotline: Hotline, now: datetime) -> list[date]:
    """The worker's duty: today's row, and yesterday's and last year's until they are final.
    Each day in its own transaction; two workers racing to insert the same day is harmless (the
    loser's figures are the same count a moment earlier)."""
    refreshed: list[date] = []
    days = Days.of(hotline, now)
    for day in dict.fromkeys(days.named().values()):
        window = window_of(hotline, day, now)
        try:
            with hotline.db.transaction() as session:
                if day != days.today and _final(session.get(CockpitFigures, day), window):
                    continue
                _store(session, day, window, now)
                refreshed.append(day)
        except IntegrityError:
            continue
    return refreshed


def _reading(row: CockpitFigures | None, window: notice.Window, now: datetime, today: bool) -> bool:
    """Whether a stored row can be shown: present, and today's fresh, a past day's final."""
    if row is None:
        return False
    if today:
        return now - row.computed_at <= STALE_AFTER
    return _final(row, window)


def _day_document(
    session: Session, hotline: Hotline, day: date, now: datetime, today: bool
) -> dict[str, Any]:
    window = window_of(hotline, day, now)
    row = session.get(CockpitFigures, day)
    if row is not None and _reading(row, window, now, today):
        figures = DayFigures(row.counts, [dict(hotspot) for hotspot in row.hotspots])
        computed_at, as_of, source = row.computed_at, row.as_of, "cache"
    else:
        figures, computed_at, as_of, source = (
            day_figures(session, window),
            now,
            window.as_of,
            "live",
        )
    return {
        "day": day.isoformat(),
        "as_of": as_of.isoformat(),
        "computed_at": computed_at.isoformat(),
        "age_seconds": max(0, round((now - computed_at).total_seconds())),
        "source": source,
        "counts": figures.counts,
        "hotspots": figures.hotspots,
    }


def _visible_numbers(session: Session, numbers: set[str], actor: Actor) -> set[str]:
    if not numbers:
        return set()
    stmt = restrict_to_scope(session, select(Case).where(Case.number.in_(sorted(numbers))), actor)
    return set(session.scalars(stmt.with_only_columns(Case.number)))


def _scoped_samples(session: Session, hotspots: list[dict[str, Any]], actor: Actor) -> None:
    """A hotspot's sample cases as the caller may open them; the others counted as hidden."""
    wanted = {number for hotspot in hotspots for number in hotspot.get("samples", [])}
    visible = _visible_numbers(session, wanted, actor)
    for hotspot in hotspots:
        samples = list(hotspot.get("samples", []))
        hotspot["samples"] = [number for number in samples if number in visible]
        hotspot["hidden_samples"] = len(samples) - len(hotspot["samples"])


def district_list(session: Session) -> list[dict[str, str]]:
    names = notice.district_names(session)
    return [{"code": code, "name": name} for code, name in sorted(names.items())]


def cockpit_today(hotline: Hotline, actor: Actor, now: datetime) -> dict[str, Any]:
    """Today's, yesterday's and last year's tiles per district, today's hotspots, the ages."""
    days = Days.of(hotline, now)
    with hotline.db.transaction() as session:
        documents = {
            name: _day_document(session, hotline, day, now, name == "today")
            for name, day in days.named().items()
        }
        _scoped_samples(session, documents["today"]["hotspots"], actor)
        for name in ("yesterday", "last_year"):
            documents[name]["hotspots"] = []  # only today's are listed; their counts stay
        return {
            "tiles": [
                {"key": t.key, "label": t.label, "unit": t.unit, "hint": t.hint} for t in TILES
            ],
            "districts": district_list(session),
            "own_district": actor.scope.district_code,
            "stale_after_seconds": int(STALE_AFTER.total_seconds()),
            **documents,
        }
