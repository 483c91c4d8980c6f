"""The office enters a year's official holiday schedule; the open deadlines it moves are recomputed."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import formset_factory
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from jianfu.core import clock, workdays
from jianfu.core.models import CalendarOverride, HolidaySchedule
from jianfu.core.tabular import read_table
from jianfu.core.uploads import run_import
from jianfu.core.views import refusals
from jianfu.orgs.permissions import is_office

from . import services
from .forms import HOLIDAY_NAMES, HolidayForm, ScheduleForm, ScheduleImportForm

BLANK_HOLIDAY_ROWS = 8  # the seven statutory holidays and one spare


# ------------------------------------------------------------------------------ holiday schedule


def _office_only(request) -> None:
    if not is_office(request.user):
        raise PermissionDenied


def _year(request) -> int:
    """The year asked for (?year=2027), else the first without an official schedule: this year, or
    next year once this one is known."""
    text = request.GET.get("year", "")
    if not text:
        today = clock.today()
        return next((y for y in (today.year, today.year + 1) if not workdays.year_is_official(y)), today.year + 1)
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise Http404
    return int(text)


def _entered_holidays(year: int) -> tuple[list[dict], list[dt.date]]:
    """The year's office-entered days as the form shows them: holidays as runs of consecutive days of
    one name, and the make-up working days."""
    rows = list(CalendarOverride.objects.filter(date__year=year).order_by("date"))
    holidays: list[dict] = []
    for r in rows:
        if r.is_workday:
            continue
        if holidays and holidays[-1]["name"] == r.note and holidays[-1]["last"] + dt.timedelta(days=1) == r.date:
            holidays[-1]["last"] = r.date
        else:
            holidays.append({"name": r.note, "first": r.date, "last": r.date})
    return holidays, [r.date for r in rows if r.is_workday]


def _formset(data=None, initial=None):
    initial = initial or []
    formset_class = formset_factory(HolidayForm, extra=max(BLANK_HOLIDAY_ROWS - len(initial), 2))
    return formset_class(data, initial=initial, prefix="holidays")


def _page(request, year: int, *, form, holidays, import_form, import_errors=(), status: int = 200):
    schedule = HolidaySchedule.objects.filter(year=year).select_related("entered_by").first()
    context = {
        "year": year,
        "schedule": schedule,
        "package_year": year in workdays.PACKAGE_YEARS,
        "form": form,
        "holidays": holidays,
        "import_form": import_form,
        "import_errors": import_errors,
        "import_columns": services.IMPORT_COLUMNS,
        "holiday_names": HOLIDAY_NAMES,
        "this_year": clock.today().year,
    }
    return render(request, "ops/calendar.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def calendar(request):
    """The office enters a year's schedule: holidays, make-up working days and the notice."""
    _office_only(request)
    year = _year(request)
    if request.method == "POST":
        form, holidays = ScheduleForm(request.POST), _formset(request.POST)
        if form.is_valid() and holidays.is_valid():
            with refusals(request) as outcome:
                result = services.schedule_enter(
                    actor=request.user,
                    year=year,
                    notice_title=form.cleaned_data["notice_title"],
                    notice_number=form.cleaned_data["notice_number"],
                    holidays=[h for h in (f.holiday() for f in holidays) if h is not None],
                    makeup_days=form.cleaned_data["makeup_days"],
                )
            if outcome.ok:
                _report_saved(request, result)
                return _to_year(year)
    else:
        schedule = HolidaySchedule.objects.filter(year=year).first()
        entered, makeup = _entered_holidays(year)
        form = ScheduleForm(
            initial={
                "notice_title": schedule.notice_title if schedule else "",
                "notice_number": schedule.notice_number if schedule else "",
                "makeup_days": "\n".join(d.isoformat() for d in makeup),
            }
        )
        holidays = _formset(initial=entered)
    return _page(request, year, form=form, holidays=holidays, import_form=ScheduleImportForm(prefix="import"))


@require_http_methods(["GET", "POST"])
@login_required
def calendar_import(request):
    """The same schedule from an .xlsx or .csv sheet: all rows or nothing (a GET goes to the page)."""
    _office_only(request)
    year = _year(request)
    if request.method == "GET":
        return _to_year(year)
    import_form = ScheduleImportForm(request.POST, request.FILES, prefix="import")
    errors = []
    if import_form.is_valid():

        def load():
            with transaction.atomic():
                holidays, makeup = services.schedule_from_table(year, read_table(import_form.cleaned_data["file"]))
                return services.schedule_enter(
                    actor=request.user,
                    year=year,
                    notice_title=import_form.cleaned_data["notice_title"],
                    notice_number=import_form.cleaned_data["notice_number"],
                    holidays=holidays,
                    makeup_days=makeup,
                )

        result, errors = run_import(request, load)
        if result is not None:
            _report_saved(request, result)
            return _to_year(year)
    entered, makeup = _entered_holidays(year)
    form = ScheduleForm(initial={"makeup_days": "\n".join(d.isoformat() for d in makeup)})
    return _page(
        request, year, form=form, holidays=_formset(initial=entered), import_form=import_form, import_errors=errors
    )


def _to_year(year: int):
    return redirect(f"{reverse('ops:calendar')}?year={year}")


def _report_saved(request, result: services.ScheduleEntered) -> None:
    workdays.forget_entered_years(request)
    messages.success(
        request,
        ngettext(
            "The %(year)s schedule is saved; %(n)s open deadline was recomputed.",
            "The %(year)s schedule is saved; %(n)s open deadlines were recomputed.",
            result.moved,
        )
        % {"year": result.schedule.year, "n": result.moved},
    )
