"""Dates outside 2000-01-01 … 2099-12-31 are refused by name where the reports are built, so the
command line gets the same clear error as the API (the reports reach a year back and weeks
either side, which near year 1 or 9999 leaves what a date can hold)."""

from __future__ import annotations

from datetime import date

import pytest

from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import Period
from hotline.reports.classifier_accuracy import classifier_report
from hotline.reports.hotspots import detect_hotspots
from hotline.reports.indicators import IndicatorQuery
from hotline.services.context import Hotline

EARLY, LATE = date(1, 1, 2), date(9999, 12, 30)


def test_hotspots_refuse_a_day_outside_the_span(hotline: Hotline) -> None:
    with pytest.raises(InvalidInput) as refused:
        detect_hotspots(hotline.db, EARLY)
    assert refused.value.fields == ("date",)
    assert detect_hotspots(hotline.db, date(2000, 1, 1)) == []


OUTSIDE = [
    (EARLY, date(1, 1, 31), "from"),
    (date(9999, 12, 1), LATE, "from"),
    (date(2099, 12, 1), date(2100, 1, 5), "to"),
]


@pytest.mark.parametrize(("start", "end", "field"), OUTSIDE)
def test_indicator_and_classifier_periods_outside_the_span(
    hotline: Hotline, start: date, end: date, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        IndicatorQuery(Period(start, end))
    assert refused.value.fields == (field,)
    with pytest.raises(InvalidInput) as refused:
        classifier_report(hotline.db, Period(start, end))
    assert refused.value.fields == (field,)
