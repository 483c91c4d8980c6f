"""Working days are never guessed in silence: years without an official schedule are marked as
estimated, the office is told from 1 November that next year's schedule is missing, and entering it
(on the page or from .xlsx) recomputes the open deadlines it moves.

The 2027 Spring Festival used throughout is illustrative, not the State Council's: holiday 6–12
February 2027, make-up working days Sunday 14 and Saturday 20 February."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jianfu.access.models import Application, Consultation, State
from jianfu.audit.models import AuditEntry
from jianfu.catalog.models import Category, ItemKind
from jianfu.core import workdays
from jianfu.core.models import CalendarOverride, HolidaySchedule
from jianfu.core.tabular import xlsx_bytes

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICE = 'data-testid="schedule-notice"'
ESTIMATE = "按周末估算"
YEAR_2027 = "/calendar/?year=2027"
IMPORT_2027 = "/calendar/import/?year=2027"


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI), tick=False)


def application(tree, clerk, number: str, *, submitted_on: dt.date, state: str = State.SUBMITTED) -> Application:
    return Application.objects.create(
        number=number,
        department=tree["health"],
        created_by=clerk,
        name="社区健康档案更新",
        kind=ItemKind.LEDGER,
        category=Category.DUTY,
        legal_basis="《基本医疗卫生与健康促进法》第六十九条",
        hours_per_occurrence=Decimal("6"),
        start_date=D(2027, 6, 1),
        state=state,
        submitted_on=submitted_on,
        decision_due=workdays.add_workdays(submitted_on, 10),
    )


def spring_festival_form(**extra) -> dict:
    data = {
        "notice_title": "国务院办公厅关于2027年部分节假日安排的通知（示例）",
        "notice_number": "国办发明电〔2026〕00号",
        "makeup_days": "2027-02-14\n2027-02-20",
        "holidays-TOTAL_FORMS": "2",
        "holidays-INITIAL_FORMS": "0",
        "holidays-MIN_NUM_FORMS": "0",
        "holidays-MAX_NUM_FORMS": "1000",
        "holidays-0-name": "春节",
        "holidays-0-first": "2027-02-06",
        "holidays-0-last": "2027-02-12",
        "holidays-1-name": "",
        "holidays-1-first": "",
        "holidays-1-last": "",
    }
    return data | extra


# ------------------------------------------------------------------------------ official or not


@pytest.mark.django_db
def test_the_package_years_are_official_and_2027_is_an_estimate_until_entered():
    assert workdays.year_is_official(2026)
    assert not workdays.year_is_official(2027)
    assert workdays.is_estimate(D(2027, 2, 15))
    assert not workdays.is_estimate(D(2026, 12, 31))
    HolidaySchedule.objects.create(year=2027, notice_title="示例", entered_at=dt.datetime(2026, 12, 7, tzinfo=SHANGHAI))
    assert workdays.year_is_official(2027)
    assert not workdays.is_estimate(dt.datetime(2027, 2, 15, 23, 59, tzinfo=SHANGHAI))


# ------------------------------------------------------------------------------ the office notice


def test_the_office_is_told_from_the_first_of_november_that_next_years_schedule_is_missing(client, office):
    client.force_login(office)
    with at(D(2026, 11, 1)):
        page = client.get(reverse("home")).content.decode()
    assert NOTICE in page
    assert YEAR_2027 in page


def test_there_is_no_notice_on_the_last_day_of_october(client, office):
    client.force_login(office)
    with at(D(2026, 10, 31)):
        page = client.get(reverse("home")).content.decode()
    assert NOTICE not in page


def test_only_the_office_sees_the_notice(client, clerk):
    client.force_login(clerk)
    with at(D(2026, 12, 7)):
        page = client.get(reverse("home")).content.decode()
    assert NOTICE not in page


# ------------------------------------------------------------------------------ entering 2027


def test_entering_2027_moves_deadlines_across_the_spring_festival_and_removes_the_mark(client, tree, office, clerk):
    before = workdays.add_workdays(D(2027, 2, 1), 10)
    assert before == D(2027, 2, 15)  # weekends only: 2–5, 8–12, 15 February
    open_one = application(tree, clerk, "SQ2027-0001", submitted_on=D(2027, 2, 1))
    decided = application(tree, clerk, "SQ2027-0002", submitted_on=D(2027, 2, 1), state=State.APPROVED)
    consulting = application(tree, clerk, "SQ2027-0003", submitted_on=D(2027, 1, 4), state=State.CONSULTATION)
    consulting.consultation_due = workdays.add_workdays(D(2027, 2, 5), 5)  # 12 February, by weekends
    consulting.save()
    Consultation.objects.create(application=consulting, org=tree["community11"], due=consulting.consultation_due)
    consulting.transitions.create(
        action="open_consultation",
        from_state=State.REVIEWED,
        to_state=State.CONSULTATION,
        actor=office,
        at=dt.datetime(2027, 2, 5, 10, tzinfo=SHANGHAI),
    )
    client.force_login(office)
    detail = reverse("access:detail", args=[open_one.number])

    with at(D(2026, 12, 7)):
        assert ESTIMATE in client.get(detail).content.decode()
        response = client.post(YEAR_2027, spring_festival_form())
        assert response.status_code == 302, response.content.decode()
        page = client.get(detail).content.decode()

    # 2–5 February, the make-up Sunday 14th, then 15–19 February.
    assert workdays.add_workdays(D(2027, 2, 1), 10) == D(2027, 2, 19)
    assert ESTIMATE not in page
    assert NOTICE not in page
    schedule = HolidaySchedule.objects.get(year=2027)
    assert schedule.entered_by == office
    assert CalendarOverride.objects.filter(date__year=2027, is_workday=False).count() == 7
    assert set(CalendarOverride.objects.filter(is_workday=True).values_list("date", flat=True)) == {
        D(2027, 2, 14),
        D(2027, 2, 20),
    }
    open_one.refresh_from_db()
    decided.refresh_from_db()
    consulting.refresh_from_db()
    assert open_one.decision_due == D(2027, 2, 19)
    assert decided.decision_due == D(2027, 2, 15)  # decided: its deadline is history
    # Opened Friday 5 February for 5 working days: 14 (make-up), 15, 16, 17, 18 February.
    assert consulting.consultation_due == D(2027, 2, 18)
    assert consulting.consultations.get().due == D(2027, 2, 18)
    entry = AuditEntry.objects.get(action="calendar.schedule_enter")
    assert entry.actor == office
    assert entry.after["year"] == 2027


def test_saving_again_replaces_the_years_days(client, office):
    client.force_login(office)
    url = YEAR_2027
    with at(D(2026, 12, 7)):
        client.post(url, spring_festival_form())
        client.post(url, spring_festival_form(makeup_days="2027-02-20", **{"holidays-0-last": "2027-02-11"}))
        page = client.get(url).content.decode()
    # The page shows what is stored now, in the ISO dates the browser's date picker takes.
    assert 'value="2027-02-06"' in page and 'value="2027-02-11"' in page
    assert '">\n2027-02-20</textarea>' in page
    assert CalendarOverride.objects.filter(date__year=2027).count() == 7
    assert HolidaySchedule.objects.count() == 1
    assert workdays.is_workday(D(2027, 2, 12))
    assert not workdays.is_workday(D(2027, 2, 14))


def test_a_make_up_day_outside_the_year_is_refused_in_chinese(client, office):
    client.force_login(office)
    with at(D(2026, 12, 7)):
        response = client.post(YEAR_2027, spring_festival_form(makeup_days="2026-02-14"))
    assert response.status_code == 200
    assert "2027" in response.content.decode() and "不在" in response.content.decode()
    assert not HolidaySchedule.objects.exists()


# ------------------------------------------------------------------------------ .xlsx import

COLUMNS = ["类型", "名称", "开始日期", "结束日期"]


def _xlsx(rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("2027节假日.xlsx", xlsx_bytes(COLUMNS, rows), content_type="application/octet-stream")


def test_importing_the_schedule_from_xlsx(client, office):
    client.force_login(office)
    rows = [
        ["放假", "元旦", "2027-01-01", "2027-01-03"],
        ["放假", "春节", "2027-02-06", "2027-02-12"],
        ["调休上班", "春节", "2027-02-14", ""],
        ["调休上班", "春节", "2027-02-20", ""],
    ]
    with at(D(2026, 12, 7)):
        response = client.post(
            IMPORT_2027,
            {"import-notice_title": "国务院办公厅关于2027年部分节假日安排的通知（示例）", "import-file": _xlsx(rows)},
        )
    assert response.status_code == 302
    assert HolidaySchedule.objects.filter(year=2027).exists()
    assert CalendarOverride.objects.filter(date__year=2027).count() == 3 + 7 + 2
    assert workdays.add_workdays(D(2027, 2, 1), 10) == D(2027, 2, 19)


def test_an_import_with_one_bad_row_changes_nothing_and_names_the_row(client, office):
    client.force_login(office)
    rows = [
        ["放假", "春节", "2027-02-06", "2027-02-12"],
        ["调休上班", "春节", "2027-02-30", ""],  # no such day
        ["调休上班", "春节", "2027-02-20", ""],
    ]
    with at(D(2026, 12, 7)):
        response = client.post(IMPORT_2027, {"import-notice_title": "示例通知", "import-file": _xlsx(rows)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "第 3 行" in page
    assert "日期" in page
    assert not HolidaySchedule.objects.exists()
    assert not CalendarOverride.objects.exists()


# ------------------------------------------------------------------------------ access


def test_only_the_office_may_enter_the_schedule(client, clerk, community_worker):
    for user in (clerk, community_worker):
        client.force_login(user)
        assert client.get(YEAR_2027).status_code == 403
        assert client.post(YEAR_2027, spring_festival_form()).status_code == 403
        assert client.post(IMPORT_2027, {"import-notice_title": "x"}).status_code == 403
    assert not HolidaySchedule.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(YEAR_2027)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_office_opens_the_page_from_the_organisations_list(client, office):
    client.force_login(office)
    with at(D(2026, 12, 7)):
        assert reverse("ops:calendar") in client.get(reverse("orgs:list")).content.decode()
        page = client.get(reverse("ops:calendar"), follow=True)
    assert page.status_code == 200
    assert "2027" in page.content.decode()
