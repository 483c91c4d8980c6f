"""workdays.Calendar, the working days of a span listed once for bulk work (the demo, the scale
generator), answers as add_workdays does — office overrides included — inside its span and beyond."""

import datetime as dt

import pytest

from jianfu.core import workdays
from jianfu.core.models import CalendarOverride

pytestmark = pytest.mark.django_db


def test_the_calendar_adds_working_days_as_add_workdays_does_overrides_included():
    CalendarOverride.objects.create(date=dt.date(2026, 3, 9), is_workday=False, note="区里停电")
    CalendarOverride.objects.create(date=dt.date(2026, 3, 14), is_workday=True, note="补班")
    calendar = workdays.Calendar(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    for offset in range(-5, 200, 3):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        assert calendar.is_workday(day) == workdays.is_workday(day), day
        for n in (0, 1, 5, 15, 60):
            assert calendar.add(day, n) == workdays.add_workdays(day, n), (day, n)
    assert not calendar.is_workday(dt.date(2026, 3, 9)) and calendar.is_workday(dt.date(2026, 3, 14))
    assert dt.date(2026, 3, 9) not in calendar.workdays_in(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
