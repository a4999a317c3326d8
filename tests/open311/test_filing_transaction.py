"""An Open311 filing is one transaction, and the services it names come from the reference
cache (issue 23 item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from hotline.adapters.db.models import Case, CaseEvent, Category
from hotline.domain.errors import NotFound
from hotline.domain.history import verify_chain
from hotline.services.cases.history import to_domain
from hotline.services.context import Hotline
from hotline.services.open311.filing import Submission, file_request
from hotline.services.open311.partners import authenticate_partner
from tests.open311.conftest import Open311Client

PHOTO = "https://partner.example/photos/1.jpg"


def _submission(**fields: object) -> Submission:
    values: dict[str, object] = {
        "service_code": "E0301",
        "lat": 36.6512,
        "long": 117.1201,
        "description": "泉城路工地夜间施工噪音扰民",
        **fields,
    }
    return Submission(**values)  # type: ignore[arg-type]


@contextmanager
def _refusing_submission_events(hotline: Hotline) -> Iterator[None]:
    """The database refuses any ``partner_submission`` event while the block runs: the write
    after the case's own fails, as a full disk or a lost connection would make it."""
    with hotline.db.engine.begin() as conn:
        if hotline.db.dialect == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_submission() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN RAISE EXCEPTION 'refused'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_submission BEFORE INSERT ON case_events FOR EACH ROW "
                    "WHEN (NEW.action = 'partner_submission') EXECUTE FUNCTION refuse_submission()"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_submission BEFORE INSERT ON case_events "
                    "WHEN NEW.action = 'partner_submission' BEGIN SELECT RAISE(ABORT, 'refused'); "
                    "END"
                )
            )
    try:
        yield
    finally:
        with hotline.db.engine.begin() as conn:
            if hotline.db.dialect == "postgresql":
                conn.execute(text("DROP TRIGGER refuse_submission ON case_events"))
                conn.execute(text("DROP FUNCTION refuse_submission()"))
            else:
                conn.execute(text("DROP TRIGGER refuse_submission"))


def _cases(hotline: Hotline) -> int:
    with hotline.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def test_a_media_url_that_cannot_be_kept_leaves_no_case(
    o311: Open311Client, partner_key: str
) -> None:
    hotline = o311.hotline
    partner = authenticate_partner(hotline, o311.settings, partner_key, hotline.now())
    assert partner is not None
    before = _cases(hotline)
    with _refusing_submission_events(hotline), pytest.raises(DBAPIError):
        file_request(hotline, partner, _submission(media_url=PHOTO), hotline.now())
    assert _cases(hotline) == before
    # without a media_url nothing else is written, so the same database takes the filing
    with _refusing_submission_events(hotline):
        file_request(hotline, partner, _submission(), hotline.now())
    assert _cases(hotline) == before + 1


def test_the_media_url_event_follows_the_receive_event_on_one_chain(
    o311: Open311Client, partner_key: str
) -> None:
    number = o311.filed_number(partner_key, media_url=PHOTO)
    with o311.hotline.db.transaction() as session:
        events = session.scalars(
            select(CaseEvent)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(Case.number == number)
            .order_by(CaseEvent.seq)
        ).all()
        assert [(e.seq, e.action) for e in events[:2]] == [
            (1, "receive"),
            (2, "partner_submission"),
        ]
        assert events[1].details == {"partner": "province", "media_url": PHOTO}
        assert events[1].prev_hash == events[0].hash
        assert (events[1].from_status, events[1].to_status) == ("received", "received")
        assert verify_chain(to_domain(number, event) for event in events).ok


def test_a_service_withdrawn_in_this_process_is_refused_at_once(
    o311: Open311Client, partner_key: str
) -> None:
    hotline = o311.hotline
    partner = authenticate_partner(hotline, o311.settings, partner_key, hotline.now())
    assert partner is not None
    file_request(hotline, partner, _submission(), hotline.now())  # the service is now cached
    _set_active(hotline, "E0301", False)
    try:
        with pytest.raises(NotFound, match="service_code E0301 not found"):
            file_request(hotline, partner, _submission(), hotline.now())
    finally:  # PostgreSQL keeps reference tables between tests
        _set_active(hotline, "E0301", True)


def _set_active(hotline: Hotline, code: str, active: bool) -> None:
    with hotline.db.transaction() as session:
        category = session.get(Category, code)
        assert category is not None
        category.active = active
