import datetime as dt

import pytest

from jianfu.core.models import CalendarOverride
from jianfu.core.workdays import add_workdays, count_workdays, is_workday

D = dt.date


@pytest.mark.django_db
class TestOfficialCalendar:
    def test_national_day_week_2025_is_off(self):
        assert not any(is_workday(D(2025, 10, day)) for day in range(1, 9))

    def test_make_up_workdays_2025_are_working_days(self):
        # Sunday 28 September and Saturday 11 October 2025 were worked to pay for the holiday.
        assert is_workday(D(2025, 9, 28))
        assert is_workday(D(2025, 10, 11))

    def test_ordinary_weekend_is_off(self):
        assert not is_workday(D(2025, 9, 27))

    def test_adding_across_national_day(self):
        # Fri 26 Sep → Sun 28 Sep (make-up) → Mon 29 → Tue 30 → (1–8 Oct off) → Thu 9 Oct.
        assert add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)
        assert add_workdays(D(2025, 9, 26), 3) == D(2025, 9, 30)
        assert add_workdays(D(2025, 9, 26), 4) == D(2025, 10, 9)
        # 9, 10 Oct, the make-up Saturday 11 Oct, then Monday 13 Oct.
        assert add_workdays(D(2025, 9, 26), 7) == D(2025, 10, 13)

    def test_fifteen_working_days_from_a_submission(self):
        assert add_workdays(D(2025, 9, 19), 15) == D(2025, 10, 16)

    def test_zero_days_is_the_start(self):
        assert add_workdays(D(2025, 10, 3), 0) == D(2025, 10, 3)

    def test_counting_is_the_inverse_of_adding(self):
        start = D(2025, 9, 15)
        for n in (1, 5, 10, 15, 30, 60):
            assert count_workdays(start, add_workdays(start, n)) == n

    def test_count_across_the_holiday(self):
        assert count_workdays(D(2025, 9, 30), D(2025, 10, 9)) == 1

    def test_negative_days_are_refused(self):
        with pytest.raises(ValueError):
            add_workdays(D(2025, 1, 1), -1)


@pytest.mark.django_db
class TestOfficeOverrides:
    def test_year_beyond_the_package_falls_back_to_weekends(self):
        assert is_workday(D(2031, 1, 6))  # a Monday
        assert not is_workday(D(2031, 1, 4))  # a Saturday

    def test_office_entered_holiday_and_make_up_day_win(self):
        CalendarOverride.objects.create(date=D(2031, 1, 1), is_workday=False, note="元旦")
        CalendarOverride.objects.create(date=D(2031, 1, 4), is_workday=True, note="调休上班")
        assert not is_workday(D(2031, 1, 1))
        assert is_workday(D(2031, 1, 4))
        # Tue 31 Dec 2030 + 1 skips the override holiday, +2 … lands on the make-up Saturday.
        assert add_workdays(D(2030, 12, 31), 1) == D(2031, 1, 2)
        assert add_workdays(D(2030, 12, 31), 3) == D(2031, 1, 4)

    def test_override_also_corrects_a_known_year(self):
        CalendarOverride.objects.create(date=D(2025, 10, 8), is_workday=True, note="假设更正")
        assert is_workday(D(2025, 10, 8))
