"""The office enters a year's official holiday schedule; the open deadlines it moves are recomputed."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core import clock, workdays
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.core.models import CalendarOverride, HolidaySchedule
from jianfu.core.tabular import ImportRejected, RowError, Table
from jianfu.orgs.models import Role
from jianfu.orgs.permissions import is_office, roots

# Every model keeping a due date computed with workdays.add_workdays names its still-open ones here:
# `f(first, last) -> list[StoredDeadline]`, those whose span from start to due touches [first, last].
# Dotted paths, kept from when this lived in core below the apps (ops is above them now); each function
# lives beside the code that computes those deadlines, so the two stay together. The number of working days is not stored anywhere: it is
# counted back from the stored start to the stored due date on the calendar that computed it, before
# the new schedule replaces it. Where a model keeps no start, the start comes from its history
# (a consultation round: the application's open_consultation transition; a reopened case: its reopen
# event). Left alone on purpose: the earliest start access.checks computes at each submission (never
# stored), case deadlines counted in minutes (wall-clock time), Escalation.due (what was overdue when
# the office was told) and every deadline already met, answered or decided (history).
DEADLINE_SOURCES = (
    "jianfu.access.selectors.open_deadlines",
    "jianfu.certificates.selectors.open_deadlines",
    "jianfu.ledger.selectors.open_deadlines",
    "jianfu.cases.deadlines.open_deadlines",
)
# Days past the latest old due date the new calendar may push a deadline (the longest Chinese holiday
# is eight days; a schedule moving a deadline further than this is not a schedule).
_RECOMPUTE_SLACK_DAYS = 60


@dataclass
class Holiday:
    name: str
    first: dt.date
    last: dt.date


@dataclass
class ScheduleEntered:
    schedule: HolidaySchedule
    recomputed: dict[str, int]  # model label → deadlines moved

    @property
    def moved(self) -> int:
        return sum(self.recomputed.values())


def schedule_problems(year: int, holidays: list[Holiday], makeup_days: list[dt.date]) -> list[str]:
    """What keeps a schedule from being saved, in Chinese; empty when it can be."""
    problems = []
    if not holidays:
        problems.append(_("Enter at least one holiday."))
    off: set[dt.date] = set()
    for h in holidays:
        if not h.name.strip():
            problems.append(_("Name the holiday of %(first)s.") % {"first": h.first.isoformat()})
        if h.last < h.first:
            problems.append(
                _("The holiday “%(name)s” ends (%(last)s) before it begins (%(first)s).")
                % {"name": h.name, "first": h.first.isoformat(), "last": h.last.isoformat()}
            )
        for day in (h.first, h.last):
            if day.year != year:
                problems.append(_("%(day)s is not in %(year)s.") % {"day": day.isoformat(), "year": year})
        days = {h.first + dt.timedelta(days=i) for i in range((h.last - h.first).days + 1)}
        if days & off:
            problems.append(_("The holiday “%(name)s” overlaps another holiday.") % {"name": h.name})
        off |= days
    for day in makeup_days:
        if day.year != year:
            problems.append(_("%(day)s is not in %(year)s.") % {"day": day.isoformat(), "year": year})
        if day in off:
            problems.append(_("%(day)s is both a holiday and a make-up working day.") % {"day": day.isoformat()})
    if len(set(makeup_days)) != len(makeup_days):
        problems.append(_("A make-up working day is listed twice."))
    return problems


@transaction.atomic
def schedule_enter(
    *,
    actor,
    year: int,
    notice_title: str,
    notice_number: str = "",
    holidays: list[Holiday],
    makeup_days: list[dt.date],
) -> ScheduleEntered:
    """Replace `year`'s office-entered days with this schedule, record that the year is official, and
    recompute the open deadlines whose working days it changes."""
    if not is_office(actor):
        raise PermissionDenied(_("Only the access office enters the official holiday schedule."))
    if not notice_title.strip():
        raise DomainError(_("Give the title of the State Council's notice."))
    problems = schedule_problems(year, holidays, makeup_days)
    if problems:
        raise DomainError("；".join(problems), code="bad_schedule")
    # One schedule at a time: a second office saving the same year waits for this one.
    existing = HolidaySchedule.objects.select_for_update().filter(year=year).first()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counted = _count_open_deadlines(first, last)

    CalendarOverride.objects.filter(date__range=(first, last)).delete()
    rows = [
        CalendarOverride(date=h.first + dt.timedelta(days=i), is_workday=False, note=h.name.strip()[:100])
        for h in holidays
        for i in range((h.last - h.first).days + 1)
    ]
    rows += [CalendarOverride(date=day, is_workday=True, note=_("make-up working day")) for day in makeup_days]
    CalendarOverride.objects.bulk_create(rows)
    before = audit.snapshot(existing, ["notice_title", "notice_number"]) if existing else None
    schedule = existing or HolidaySchedule(year=year)
    schedule.notice_title = notice_title.strip()
    schedule.notice_number = notice_number.strip()
    schedule.entered_by = actor if getattr(actor, "pk", None) else None
    schedule.entered_at = clock.now()
    schedule.save()

    recomputed = _recompute(counted)
    offices = roots(actor, {Role.OFFICE})
    audit.record(
        action="calendar.schedule_enter",
        actor=actor,
        obj=schedule,
        org=offices[0] if offices else None,
        role=Role.OFFICE,
        before=before,
        after={
            "year": year,
            "notice_title": schedule.notice_title,
            "notice_number": schedule.notice_number,
            "holidays": [{"name": h.name, "first": h.first, "last": h.last} for h in holidays],
            "makeup_days": sorted(makeup_days),
            "recomputed": recomputed,
        },
    )
    return ScheduleEntered(schedule=schedule, recomputed=recomputed)


def _day(value) -> dt.date:
    return timezone.localdate(value) if isinstance(value, dt.datetime) else value


def _count_open_deadlines(first: dt.date, last: dt.date) -> list[tuple[workdays.StoredDeadline, int]]:
    """Each open deadline touching [first, last] with the working days it was computed from, counted on
    the calendar as it stands (the one that computed it) before the new schedule replaces it."""
    stored = [d for path in DEADLINE_SOURCES for d in import_string(path)(first, last)]
    if not stored:
        return []
    start = min(d.start for d in stored)
    end = max(_day(getattr(d.obj, d.field)) for d in stored)
    overrides = workdays._overrides(start, end)
    return [(d, workdays.count_workdays(d.start, _day(getattr(d.obj, d.field)), overrides=overrides)) for d in stored]


def _recompute(counted: list[tuple[workdays.StoredDeadline, int]]) -> dict[str, int]:
    """The same number of working days from the same start, on the calendar just saved."""
    if not counted:
        return {}
    start = min(d.start for d, _n in counted)
    end = max(_day(getattr(d.obj, d.field)) for d, _n in counted) + dt.timedelta(days=_RECOMPUTE_SLACK_DAYS)
    overrides = workdays._overrides(start, end)
    changed: dict[type, dict[int, object]] = defaultdict(dict)
    fields: dict[type, set[str]] = defaultdict(set)
    moved: dict[str, int] = defaultdict(int)
    for d, n in counted:
        old = getattr(d.obj, d.field)
        new_day = workdays.add_workdays(d.start, n, overrides=overrides)
        if new_day == _day(old):
            continue
        if isinstance(old, dt.datetime):  # keep the time of day (a case's end of the working day)
            local = timezone.localtime(old)
            new = local.replace(year=new_day.year, month=new_day.month, day=new_day.day)
            new = timezone.make_aware(new.replace(tzinfo=None))
        else:
            new = new_day
        setattr(d.obj, d.field, new)
        model = type(d.obj)
        changed[model][d.obj.pk] = d.obj
        fields[model].add(d.field)
        moved[model._meta.label_lower] += 1
    for model, objs in changed.items():
        model.objects.bulk_update(list(objs.values()), sorted(fields[model]))
    return dict(moved)


# ------------------------------------------------------------------------------ .xlsx import

KIND_HOLIDAY = "放假"
KIND_MAKEUP = "调休上班"
IMPORT_COLUMNS = ["类型", "名称", "开始日期", "结束日期"]


def _parse_day(text: str) -> dt.date | None:
    text = (text or "").strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def schedule_from_table(year: int, table: Table) -> tuple[list[Holiday], list[dt.date]]:
    """Holidays and make-up days from a sheet of IMPORT_COLUMNS; every bad row is named (all or nothing)."""
    table.require(IMPORT_COLUMNS)
    errors: list[RowError] = []
    holidays: list[Holiday] = []
    makeup: list[dt.date] = []
    off: dict[dt.date, int] = {}  # holiday day → the row that declared it
    worked: dict[dt.date, int] = {}  # make-up day → its row
    for row in table.rows:
        kind = row.values.get("类型", "").strip()
        name = row.values.get("名称", "").strip()
        last_text = row.values.get("结束日期", "").strip()
        first, last = _parse_day(row.values.get("开始日期", "")), _parse_day(last_text)
        if kind not in (KIND_HOLIDAY, KIND_MAKEUP):
            message = _("Write “%(a)s” or “%(b)s”.") % {"a": KIND_HOLIDAY, "b": KIND_MAKEUP}
            errors.append(RowError(row.number, "类型", message))
        elif first is None:
            errors.append(RowError(row.number, "开始日期", _("Not a date (write it as 2027-02-06).")))
        elif last_text and last is None:
            errors.append(RowError(row.number, "结束日期", _("Not a date (write it as 2027-02-06).")))
        elif kind == KIND_HOLIDAY and not name:
            errors.append(RowError(row.number, "名称", _("Name the holiday.")))
        elif kind == KIND_MAKEUP and last not in (None, first):
            errors.append(RowError(row.number, "结束日期", _("A make-up working day is one day: leave the end empty.")))
        else:
            last = last or first
            problems = schedule_problems(year, [Holiday(name or KIND_MAKEUP, first, last)], [])
            days = [first + dt.timedelta(days=i) for i in range(max((last - first).days + 1, 0))]
            clash = next((off.get(d) or worked.get(d) for d in days if d in off or d in worked), None)
            if clash:
                problems.append(_("The same day is already in row %(row)s.") % {"row": clash})
            errors += [RowError(row.number, "", p) for p in problems]
            if not problems:
                if kind == KIND_HOLIDAY:
                    holidays.append(Holiday(name, first, last))
                    off |= dict.fromkeys(days, row.number)
                else:
                    makeup.append(first)
                    worked[first] = row.number
    if not errors and not holidays:
        errors.append(RowError(1, "", _("Enter at least one holiday.")))
    if errors:
        raise ImportRejected(errors)
    return holidays, makeup
