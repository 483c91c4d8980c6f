"""Every change to the shared ledger: one function per action, each checking permission, locking
what it changes, applying it and writing the audit entry."""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jianfu.access import arrivals
from jianfu.access.models import CheckChannel
from jianfu.audit import services as audit
from jianfu.catalog import gate
from jianfu.catalog.models import ItemKind, WorkItem
from jianfu.core import clock, dirty, workdays
from jianfu.core.bulk import insert_rows
from jianfu.core.errors import DomainError, PermissionDenied, RefusedAtGate
from jianfu.core.numbering import next_number
from jianfu.core.tabular import ImportRejected, ImportResult, RowError
from jianfu.core.workflow import apply, check, require
from jianfu.orgs.models import Org, OrgKind, User

from . import derived, periods, validation, values
from .machines import ELEMENT, SUBMISSION, VERSION
from .models import (
    CAP_MAX,
    LATEST,
    DataElement,
    DistrictReportCap,
    ElementState,
    Level,
    PeriodType,
    ReportRequest,
    ReportTemplate,
    Submission,
    SubmissionState,
    SurveyImport,
    TemplateCap,
    TemplateField,
    TemplateVersion,
    Value,
    ValueSource,
    VersionState,
)
from .permissions import (
    can_build_template,
    can_define_element,
    can_enter_value,
    can_fill,
    can_fill_grid,
    can_set_cap,
)

REPORT_KINDS = (ItemKind.LEDGER, ItemKind.SURVEY)


# ---------------------------------------------------------------- data elements


ELEMENT_FIELDS = [
    "code",
    "name",
    "definition",
    "unit",
    "value_type",
    "options",
    "level",
    "period_type",
    "aggregation",
    "derivation",
    "min_value",
    "max_value",
]


@transaction.atomic
def element_create(
    *, actor: User, department: Org, items: list[WorkItem] = (), state: str = ElementState.ACTIVE, **fields
) -> DataElement:
    require(can_define_element(actor, department), _("Only the department's clerk or the office may define its data."))
    unknown = set(fields) - set(ELEMENT_FIELDS)
    if unknown:
        raise DomainError(f"unknown fields: {', '.join(sorted(unknown))}")
    district = Org.objects.get(pk=department.district_id)
    code = (fields.get("code") or "").strip().upper()
    if not code:
        raise DomainError(_("A data element needs a code."))
    if DataElement.objects.filter(district=district, code=code).exists():
        raise DomainError(_("The code %(code)s is already used.") % {"code": code})
    if fields.get("derivation"):
        problems = derived.validate(fields["derivation"])
        if problems:
            raise DomainError("；".join(problems))
    if fields.get("value_type") == "option" and not fields.get("options"):
        raise DomainError(_("An option set needs its options."))
    element = DataElement(
        district=district, department=department, created_by=actor, state=state, **{**fields, "code": code}
    )
    try:
        element.full_clean()
    except Exception as exc:
        raise DomainError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
    element.save()
    if items:
        element.items.set(items)
    audit.record(
        action="ledger.element_create",
        actor=actor,
        obj=element,
        org=department,
        after={"code": element.code, "name": element.name, "state": element.state},
    )
    return element


@transaction.atomic
def element_activate(*, actor: User, element: DataElement) -> DataElement:
    return apply(ELEMENT, element, "activate", actor=actor)


# ---------------------------------------------------------------- values


def _value_key(element: DataElement, period: str) -> str:
    """The element's own period for a value typed against `period` (month, quarter, year or day)."""
    return periods.containing(element.period_type, periods.parse(period).end).key


def _check_writable(element: DataElement, org: Org) -> None:
    """What _write refuses before it reads a value: derived, retired, or the wrong level of unit."""
    if element.derived:
        raise DomainError(_("%(name)s is derived from the base registry and is never typed.") % {"name": element.name})
    if element.state == ElementState.RETIRED:
        raise DomainError(_("%(name)s is retired.") % {"name": element.name})
    expected = OrgKind.GRID if element.level == Level.GRID else OrgKind.COMMUNITY
    if org.kind != expected:
        raise DomainError(
            _("%(name)s is kept per %(level)s, not for %(org)s.")
            % {"name": element.name, "level": element.get_level_display(), "org": org.name}
        )


def _locked(element: DataElement, key: str) -> str:
    return _("%(name)s for %(period)s is accepted and locked; ask the office to unlock it.") % {
        "name": element.name,
        "period": periods.label(key),
    }


def _correct(value: Value, element: DataElement, org: Org, text: str, number, *, actor: User, source: str, now) -> None:
    """A stored value changed: saved with its history, and audited with the old value."""
    before = value.text
    value.text, value.number, value.source = text, number, source
    value.entered_by, value.entered_at = actor, now
    value.save()
    audit.record(
        action="ledger.value_correct",
        actor=actor,
        obj=value,
        org=org,
        before={"value": before},
        after={"value": text},
        reason=f"{element.code} {value.period}",
    )


def _write(
    element: DataElement, org: Org, period: str, raw: str, *, actor: User, source: str, allow_locked: bool = False
) -> tuple[str, Value | None]:
    """Store one value; returns ("created" | "updated" | "unchanged", value). Callers hold a transaction."""
    _check_writable(element, org)
    text, number = values.parse(element, raw)
    key = _value_key(element, period)
    existing = Value.objects.select_for_update().filter(element=element, org=org, period=key).first()
    if existing is not None and existing.locked_by_id and not allow_locked:
        raise DomainError(_locked(element, key))
    if existing is not None and existing.text == text:
        return "unchanged", existing
    as_of = element.period_type == PeriodType.AS_OF
    before_latest = values.latest(element, org) if as_of else None
    old_number = existing.number if existing is not None else None
    now = clock.now()
    if existing is None:
        value = Value.objects.create(
            element=element,
            org=org,
            org_path=org.path,
            period=key,
            text=text,
            number=number,
            source=source,
            entered_by=actor,
            entered_at=now,
        )
        outcome = "created"
    else:
        _correct(existing, element, org, text, number, actor=actor, source=source, now=now)
        value = existing
        outcome = "updated"
    if as_of:
        after_latest = values.latest(element, org)
        values.apply_delta(
            element,
            org,
            LATEST,
            before_latest.number if before_latest else None,
            after_latest.number if after_latest else None,
        )
    else:
        values.apply_delta(element, org, key, old_number, number)
    return outcome, value


class ValuesRejected(ImportRejected):
    """Typed values refused: nothing saved, every problem named."""

    def __init__(self, errors: list[RowError]):
        DomainError.__init__(
            self,
            _("Nothing was saved: %(problems)s") % {"problems": "；".join(f"{e.column}：{e.message}" for e in errors)},
            code="invalid_values",
        )
        self.errors = errors


@dataclass
class Entry:
    element: DataElement
    org: Org
    text: str


@transaction.atomic
def values_save(*, actor: User, period: str, entries: list[Entry], source: str = ValueSource.TYPED) -> ImportResult:
    """Type or correct values; all or nothing. Each entry's org must be one the actor may fill."""
    result = ImportResult()
    errors: list[RowError] = []
    for n, entry in enumerate(entries, start=1):
        if not can_enter_value(actor, entry.org):
            raise PermissionDenied(_("You may not enter values for %(org)s.") % {"org": entry.org.name})
        try:
            outcome, _value = _write(entry.element, entry.org, period, entry.text, actor=actor, source=source)
        except (ValueError, DomainError) as exc:
            errors.append(RowError(n, entry.element.name, getattr(exc, "message", str(exc))))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    if errors:
        raise ValuesRejected(errors)
    if result.created:
        audit.record(
            action="ledger.values_enter",
            actor=actor,
            after={"period": period, "created": result.created, "updated": result.updated},
        )
    return result


# ---------------------------------------------------------------- report templates


def _check_item(item: WorkItem, department: Org) -> None:
    """The item a report is built on stands (catalog/gate.py `standing`): of the department, of a
    report kind, on a list that enters communities, in this year's catalog. Which communities it
    covers is asked when the report is sent (`request_send`)."""
    if item.department_id != department.pk:
        raise DomainError(_("The catalog item belongs to another department."))
    if item.kind not in REPORT_KINDS:
        raise DomainError(
            _("A report needs an approved catalog item of kind ledger/report or census/survey; %(item)s is not one.")
            % {"item": item.name}
        )
    reason = gate.standing(item, kind=REPORT_KINDS)
    if reason:
        raise DomainError(
            _("No approved item in force, no report: %(reason)s") % {"reason": reason}, code="item_not_in_force"
        )


@transaction.atomic
def template_create(
    *, actor: User, department: Org, item: WorkItem, name: str, period_type: str, elements: list[DataElement]
) -> ReportTemplate:
    require(can_build_template(actor, department), _("Only a clerk of the department builds its reports."))
    _check_item(item, department)
    if not elements:
        raise DomainError(_("Pick at least one data element."))
    template = ReportTemplate.objects.create(department=department, item=item, name=name.strip())
    version = TemplateVersion.objects.create(template=template, number=1, period_type=period_type)
    _set_fields(version, elements)
    audit.record(
        action="ledger.template_create",
        actor=actor,
        obj=template,
        org=department,
        after={"name": template.name, "item": item.code, "fields": [e.code for e in elements]},
    )
    return template


def _set_fields(version: TemplateVersion, elements: list[DataElement]) -> None:
    district_ids = {e.district_id for e in elements}
    if district_ids - {version.template.department.district_id}:
        raise DomainError(_("Data elements must belong to the department's district."))
    if any(e.state != ElementState.ACTIVE for e in elements):
        raise DomainError(_("Only data elements in use can be asked for; proposed ones await the office."))
    version.fields.all().delete()
    TemplateField.objects.bulk_create(
        [TemplateField(version=version, element=e, position=i) for i, e in enumerate(elements)]
    )


@transaction.atomic
def version_edit(*, actor: User, version: TemplateVersion, elements: list[DataElement]) -> TemplateVersion:
    version = VERSION.lock(version)
    check(VERSION, version, "edit", actor)  # a published version never changes: a new version does
    before = list(version.fields.values_list("element__code", flat=True))
    _set_fields(version, elements)
    return apply(
        VERSION,
        version,
        "edit",
        actor=actor,
        locked=True,
        before={"fields": before},
        after={"fields": [e.code for e in elements]},
    )


def templates_in_force(department: Org) -> int:
    return (
        ReportTemplate.objects.filter(department=department, retired=False, versions__state=VersionState.PUBLISHED)
        .distinct()
        .count()
    )


# 只报一次: the cap on report templates in force is each district's own setting, made by its access
# office (DistrictReportCap; 5 until it sets one). No source document gives a number, so no message
# cites one: they ask that ledgers and report forms be cut back, without a number per department.
# The office may set any positive whole number; outside this range it is kept, with a warning.
USUAL_CAP = (3, 5)
# What the source documents do say about ledgers and reports (quoted as they stand), shown beside the
# setting so that no one takes the number for theirs: (seed, place, passage).
CAP_SEED_QUOTES = [
    ("001", "北京市", "社区会议、纸质工作台账减少了50%"),
    ("001", "北京市", "对社区居委会填报的各种台账、各类报表和上墙资料、制度等进行彻底清理,力求做到简洁、准确、实用"),
    ("000", "宁波市海曙区", "考核台账多达47套"),
]


@dataclass(frozen=True)
class CapRule:
    """The cap a department works under, and whose setting it is (for the messages that name it)."""

    number: int
    district_id: int
    department_own: bool  # an exception the office set for this one department
    set_by_office: bool  # False: the default, since the office has not set the district's number


def default_cap() -> int:
    return settings.JIANFU["LEDGER_TEMPLATE_CAP"]


def district_cap(district: Org) -> int:
    own = DistrictReportCap.objects.filter(district=district).values_list("max_templates", flat=True).first()
    return own if own is not None else default_cap()


def cap_unusual(number: int) -> bool:
    low, high = USUAL_CAP
    return not low <= number <= high


def cap_rule(department: Org) -> CapRule:
    district_id = department.district_id
    own = TemplateCap.objects.filter(department=department).values_list("max_templates", flat=True).first()
    if own is not None:
        return CapRule(own, district_id, department_own=True, set_by_office=True)
    setting = DistrictReportCap.objects.filter(district=district_id).values_list("max_templates", flat=True).first()
    if setting is not None:
        return CapRule(setting, district_id, department_own=False, set_by_office=True)
    return CapRule(default_cap(), district_id, department_own=False, set_by_office=False)


def cap_for(department: Org) -> int:
    return cap_rule(department).number


def _over_cap_message(department: Org, in_force: int, rule: CapRule) -> str:
    district = Org.objects.only("name").get(pk=rule.district_id)
    values = {"department": department.name, "n": in_force, "cap": rule.number, "district": district.name}
    if rule.department_own:
        message = _(
            "%(department)s already has %(n)s report template(s) in force. The access office of %(district)s set "
            "this department's cap at %(cap)s (只报一次): retire one first, or ask the office."
        )
    elif rule.set_by_office:
        message = _(
            "%(department)s already has %(n)s report template(s) in force. The access office of %(district)s set "
            "the district's cap at %(cap)s per department (只报一次): retire one first, or ask the office."
        )
    else:
        message = _(
            "%(department)s already has %(n)s report template(s) in force. The cap in %(district)s is %(cap)s per "
            "department, the default until its access office sets its own (只报一次): retire one first."
        )
    return message % values


@transaction.atomic
def version_publish(*, actor: User, version: TemplateVersion) -> TemplateVersion:
    version = VERSION.lock(version)
    template = version.template
    check(VERSION, version, "publish", actor)
    _check_item(template.item, template.department)
    Org.objects.select_for_update().get(pk=template.department_id)  # one publisher at a time per cap
    already = template.versions.filter(state=VersionState.PUBLISHED).exists()
    rule = cap_rule(template.department)
    in_force = templates_in_force(template.department)
    if not already and in_force >= rule.number:
        raise DomainError(_over_cap_message(template.department, in_force, rule), code="over_cap")
    if not version.fields.exists():
        raise DomainError(_("A version needs at least one field."))
    return apply(
        VERSION,
        version,
        "publish",
        actor=actor,
        locked=True,
        after={"template": template.name, "number": version.number},
    )


@transaction.atomic
def version_new(*, actor: User, template: ReportTemplate) -> TemplateVersion:
    """A new draft, starting from the latest version's fields."""
    require(can_build_template(actor, template.department), _("Only a clerk of the department edits it."))
    template = ReportTemplate.objects.select_for_update().get(pk=template.pk)
    latest = template.versions.order_by("-number").first()
    if latest.state == VersionState.DRAFT:
        return latest
    version = TemplateVersion.objects.create(
        template=template, number=latest.number + 1, period_type=latest.period_type
    )
    _set_fields(version, [f.element for f in latest.fields.select_related("element")])
    audit.record(action="ledger.version_new", actor=actor, obj=version, after={"number": version.number})
    return version


@transaction.atomic
def template_retire(*, actor: User, template: ReportTemplate) -> ReportTemplate:
    require(can_build_template(actor, template.department), _("Only a clerk of the department retires it."))
    template = ReportTemplate.objects.select_for_update().get(pk=template.pk)
    template.retired = True
    template.save(update_fields=["retired"])
    audit.record(action="ledger.template_retire", actor=actor, obj=template, after={"retired": True})
    return template


def _check_cap_number(number) -> None:
    # bool is an int to Python; "4" or 2.5 is not a whole number to us.
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= CAP_MAX:
        raise DomainError(
            _("The cap is a whole number of report templates, from 1 to %(max)s.") % {"max": CAP_MAX}, code="invalid"
        )


@transaction.atomic
def district_cap_set(*, actor: User, district: Org, max_templates: int, reason: str = "") -> DistrictReportCap:
    """The district's access office sets how many report templates each of its departments may have
    in force (只报一次). Any positive whole number is kept; callers warn outside USUAL_CAP."""
    require(can_set_cap(actor, district), _("Only the district's access office sets its report template cap."))
    if district.kind != OrgKind.DISTRICT:
        raise DomainError(_("The report template cap is set for a district."), code="invalid")
    _check_cap_number(max_templates)
    reason = reason.strip()[:200]
    Org.objects.select_for_update().get(pk=district.pk)  # one change at a time, as version_publish reads it
    setting = DistrictReportCap.objects.filter(district=district).first() or DistrictReportCap(district=district)
    before = setting.max_templates if setting.pk else default_cap()
    setting.max_templates = max_templates
    setting.reason = reason
    setting._history_user = actor  # simple_history: who and when, from the project's clock
    setting._history_date = clock.now()
    setting.save()
    audit.record(
        action="ledger.district_cap_set",
        actor=actor,
        obj=setting,
        org=district,
        before={"max_templates": before},
        after={"max_templates": max_templates},
        reason=reason,
    )
    return setting


@transaction.atomic
def cap_set(*, actor: User, department: Org, max_templates: int | None) -> TemplateCap | None:
    """A department's own cap, an exception to its district's; None removes it (the district's applies)."""
    require(can_set_cap(actor, department), _("Only the office sets the report caps."))
    if department.kind not in (OrgKind.DEPARTMENT, OrgKind.GROUP_ORG):
        raise DomainError(_("A department's own cap is set for a department."), code="invalid")
    if max_templates is not None:
        _check_cap_number(max_templates)
    Org.objects.select_for_update().get(pk=department.pk)
    cap = TemplateCap.objects.filter(department=department).first()
    before = cap.max_templates if cap else None
    if max_templates is None:
        if cap is None:
            return None
        cap.delete()
    else:
        cap = cap or TemplateCap(department=department)
        cap.max_templates = max_templates
        cap.save()
    audit.record(
        action="ledger.cap_set",
        actor=actor,
        obj=department,
        org=department,
        before={"max_templates": before},
        after={"max_templates": max_templates},
    )
    return cap if max_templates is not None else None


# ---------------------------------------------------------------- requests and submissions


def _refused(template: ReportTemplate, refused: dict[Org, str], message: str) -> RefusedAtGate:
    return RefusedAtGate(
        message % {"item": template.item.name, "reasons": " ".join(refused.values())},
        code="out_of_scope",
        sender=template.department,
        kind=template.item.kind,
        item=template.item,
        refused=refused,
    )


@arrivals.keeps_refusals(CheckChannel.LEDGER)
@transaction.atomic
def request_send(
    *,
    actor: User,
    version: TemplateVersion,
    period: str,
    communities: list[Org] | None = None,
    due_workdays: int = 5,
    note: str = "",
) -> ReportRequest:
    """Send a published report to communities, each covered by the template's item (catalog/gate.py:
    in force, in its approved streets and community types).

    Without a list of communities the report goes to every community of the district the item
    covers. With a list, one community the item does not cover refuses the whole send before it
    reaches anyone: the refusal names every such community and why, so the clerk sends again to
    the others or applies for access for them (非准不入: nothing goes out half-checked)."""
    version = TemplateVersion.objects.select_related("template__department", "template__item__department").get(
        pk=version.pk
    )
    template = version.template
    require(can_build_template(actor, template.department), _("Only a clerk of the department sends its reports."))
    if version.state != VersionState.PUBLISHED:
        raise DomainError(_("Only a published version can be sent."))
    if template.retired:
        raise DomainError(_("This report template is retired."))
    _check_item(template.item, template.department)
    key = periods.parse(period, version.period_type).key
    district_path = f"/{template.department.district_id}/"
    all_communities = Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district_path)
    if communities is None:
        district = list(all_communities)
        refused = gate.refusals(template.item, district, kind=REPORT_KINDS)
        communities = [c for c in district if c not in refused]
        if not communities:
            raise _refused(
                template, refused, _("“%(item)s” covers no community of the district: apply for access first.")
            )
    elif set(c.pk for c in communities) - set(all_communities.values_list("pk", flat=True)):
        raise DomainError(_("Reports go only to communities of the department's district."))
    else:
        refused = gate.refusals(template.item, communities, kind=REPORT_KINDS)
        if refused:
            raise _refused(
                template,
                refused,
                _(
                    "Not sent to anyone: %(reasons)s Send it only to communities the item covers, "
                    "or apply for access for the others."
                ),
            )
    if not communities:
        raise DomainError(_("Pick at least one community."))
    if not 1 <= due_workdays <= 60:
        raise DomainError(_("The due date is 1 to 60 working days away."))
    today = clock.today()
    request = ReportRequest.objects.create(
        number=next_number("BB", today.year),
        version=version,
        period=key,
        sent_by=actor,
        sent_on=today,
        due_on=workdays.add_workdays(today, due_workdays),
        note=note,
    )
    field_count = version.fields.count()
    Submission.objects.bulk_create(
        [Submission(request=request, community=c, field_count=field_count) for c in communities]
    )
    dirty.mark_on(template.department.district_id, request.sent_on)  # the monitor counts the new submissions
    audit.record(
        action="ledger.request_send",
        actor=actor,
        obj=request,
        org=template.department,
        after={"template": template.name, "version": version.number, "period": key, "communities": len(communities)},
    )
    return request


def _mark_dirty(submission: Submission) -> None:
    """The monitor counts a submission (fields asked, filled, typed) in the month its request was sent."""
    dirty.mark_on(submission.community.district_id, submission.request.sent_on)


def _move(submission: Submission, action: str, actor: User, note: str = "", **kw) -> Submission:
    """One step of the approval chain (jianfu.core.workflow), marking the monitor's month."""
    submission = apply(SUBMISSION, submission, action, actor=actor, note=note, **kw)
    _mark_dirty(submission)
    return submission


@transaction.atomic
def submission_open(*, actor: User, submission: Submission) -> Submission:
    """Record, the first time a community opens it, how many fields the ledger filled by itself."""
    from .selectors import sheet

    submission = SUBMISSION.lock(submission)
    if submission.prefilled_count is None and can_fill(actor, submission):
        rows = sheet(submission)
        submission.prefilled_count = sum(1 for r in rows if r.filled)
        submission.opened_at = clock.now()
        submission.save(update_fields=["prefilled_count", "opened_at"])
        _mark_dirty(submission)
    return submission


@transaction.atomic
def submission_save(*, actor: User, submission: Submission, entries: list[Entry]) -> ImportResult:
    submission = SUBMISSION.lock(submission)
    community_ok = can_fill(actor, submission)
    require(community_ok or can_fill_grid(actor, submission), _("You cannot fill this report now."))
    for entry in entries:
        if not entry.org.path.startswith(submission.community.path):
            raise PermissionDenied(_("Values go to this community or its grids only."))
    result = values_save(actor=actor, period=submission.request.period, entries=entries, source=ValueSource.REPORT)
    Submission.objects.filter(pk=submission.pk).update(typed_count=submission.typed_count + result.created)
    _mark_dirty(submission)
    return result


@transaction.atomic
def submission_submit(*, actor: User, submission: Submission) -> Submission:
    from .selectors import sheet

    submission = SUBMISSION.lock(submission)
    check(SUBMISSION, submission, "submit", actor)
    rows = sheet(submission)
    problems = [
        _("%(field)s (%(org)s): a value is required.") % {"field": r.element.name, "org": org.name}
        for r in rows
        if r.field.required
        for org, cell in r.cells
        if cell.text == ""
    ]
    problems += validation.check(submission.community.district_id, {r.element.code: r.total for r in rows})
    if problems:
        raise DomainError(
            _("The report was not submitted: %(count)s problem(s). %(problems)s")
            % {"count": len(problems), "problems": "；".join(problems)},
            code="invalid_report",
        )
    submission.data = {
        r.element.code: {"value": r.total_text, "by_org": {org.code: cell.text for org, cell in r.cells}} for r in rows
    }
    return _move(submission, "submit", actor, locked=True)


@transaction.atomic
def submission_accept(*, actor: User, submission: Submission) -> Submission:
    submission = SUBMISSION.lock(submission)
    # The street accepts a report awaiting it; the department, one the street accepted.
    action = "street_accept" if submission.state == SubmissionState.SUBMITTED else "accept"
    submission = _move(submission, action, actor, locked=True)
    if action == "accept":
        _lock_values(submission)
    return submission


@transaction.atomic
def submission_return(*, actor: User, submission: Submission, comment: str) -> Submission:
    submission = SUBMISSION.lock(submission)
    check(SUBMISSION, submission, "return", actor)
    if not comment.strip():
        raise DomainError(_("Say what needs correcting."))
    return _move(submission, "return", actor, comment.strip(), locked=True)


@transaction.atomic
def submission_unlock(*, actor: User, submission: Submission, reason: str) -> Submission:
    submission = SUBMISSION.lock(submission)
    check(SUBMISSION, submission, "unlock", actor)
    if not reason.strip():
        raise DomainError(_("Give the reason for unlocking."))
    Value.objects.filter(locked_by=submission).update(locked_by=None)
    return _move(submission, "unlock", actor, reason.strip(), locked=True)


def _lock_values(submission: Submission) -> None:
    from .selectors import sheet

    pks = [cell.value.pk for row in sheet(submission) for _org, cell in row.cells if cell.value is not None]
    Value.objects.filter(pk__in=pks, locked_by__isnull=True).update(locked_by=submission)


# ---------------------------------------------------------------- import and XLSForm


@dataclass
class _Incoming:
    row: int
    element: DataElement
    org: Org
    key: str
    text: str
    number: object


@transaction.atomic
def values_import(*, actor: User, community: Org, table) -> ImportResult:
    """A community's values from a sheet with columns 数据元编码, 组织编码, 期间, 值. Any bad cell: nothing changes.
    Rows are checked first, then written in bulk: one read of the stored values, one insert, one
    pass over the aggregates (as-of elements, whose roll-up follows each unit's latest value, go
    one by one)."""
    require(can_enter_value(actor, community), _("You may not enter values for %(org)s.") % {"org": community.name})
    columns = {"element": "数据元编码", "org": "组织编码", "period": "期间", "value": "值"}
    table.require(list(columns.values()))
    codes = {row.values[columns["element"]].strip().upper() for row in table.rows}
    elements = {e.code: e for e in DataElement.objects.filter(district_id=community.district_id, code__in=codes)}
    orgs = {o.code: o for o in Org.objects.filter(path__startswith=community.path)}
    errors: list[RowError] = []
    incoming: list[_Incoming] = []
    seen: set[tuple] = set()
    keys: dict[tuple[str, str], str] = {}  # (period type, period as typed) → the element's period
    for row in table.rows:
        cells = row.values
        element = elements.get(cells[columns["element"]].strip().upper())
        if element is None:
            errors.append(RowError(row.number, columns["element"], _("No data element has this code.")))
            continue
        org = orgs.get(cells[columns["org"]].strip())
        if org is None:
            errors.append(RowError(row.number, columns["org"], _("Not this community or one of its grids.")))
            continue
        try:
            typed = cells[columns["period"]]
            key = keys.get((element.period_type, typed))
            if key is None:
                key = keys[(element.period_type, typed)] = _value_key(element, typed)
        except DomainError as exc:
            errors.append(RowError(row.number, columns["period"], exc.message))
            continue
        if (element.pk, org.pk, key) in seen:
            errors.append(RowError(row.number, "", _("The same element, unit and period appear twice.")))
            continue
        seen.add((element.pk, org.pk, key))
        try:
            _check_writable(element, org)
            text, number = values.parse(element, cells[columns["value"]])
        except ValueError as exc:
            errors.append(RowError(row.number, columns["value"], str(exc)))
            continue
        except DomainError as exc:
            errors.append(RowError(row.number, columns["value"], exc.message))
            continue
        incoming.append(_Incoming(row.number, element, org, key, text, number))
    if errors:
        raise ImportRejected(errors)
    result = _store_imported(actor, incoming, errors)
    if errors:
        raise ImportRejected(errors)
    audit.record(
        action="ledger.values_import",
        actor=actor,
        org=community,
        after={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return result


def _store_imported(actor: User, incoming: list[_Incoming], errors: list[RowError]) -> ImportResult:
    result = ImportResult()
    as_of = [i for i in incoming if i.element.period_type == PeriodType.AS_OF]
    plain = [i for i in incoming if i.element.period_type != PeriodType.AS_OF]
    for item in as_of:
        try:
            with transaction.atomic():
                outcome, _value = _write(
                    item.element, item.org, item.key, item.text, actor=actor, source=ValueSource.IMPORTED
                )
        except (ValueError, DomainError) as exc:
            errors.append(RowError(item.row, "值", getattr(exc, "message", str(exc))))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    if not plain:
        return result
    stored = {
        (v.element_id, v.org_id, v.period): v
        for v in Value.objects.select_for_update()
        .filter(
            element_id__in={i.element.pk for i in plain},
            org_id__in={i.org.pk for i in plain},
            period__in={i.key for i in plain},
        )
        .order_by("pk")
    }
    now = clock.now()
    created: list[_Incoming] = []
    deltas: list[tuple] = []
    for item in plain:
        existing = stored.get((item.element.pk, item.org.pk, item.key))
        if existing is not None and existing.locked_by_id:
            errors.append(RowError(item.row, "值", _locked(item.element, item.key)))
            continue
        if existing is not None and existing.text == item.text:
            result.unchanged += 1
            continue
        if existing is None:
            created.append(item)
            deltas.append((item.element, item.org, item.key, None, item.number))
            result.created += 1
            continue
        old_number = existing.number
        _correct(
            existing, item.element, item.org, item.text, item.number, actor=actor, source=ValueSource.IMPORTED, now=now
        )
        deltas.append((item.element, item.org, item.key, old_number, item.number))
        result.updated += 1
    if errors:
        return result
    _insert_values(created, actor, now)
    values.apply_deltas(deltas)
    return result


def _insert_values(items: list[_Incoming], actor: User, now) -> None:
    """New values and their creation in the history table, as plain rows (an import may bring
    tens of thousands)."""
    number = (lambda n: None if n is None else str(n)) if connection.vendor == "sqlite" else (lambda n: n)
    when = now if connection.vendor != "sqlite" else connection.ops.adapt_datetimefield_value(now)
    source = ValueSource.IMPORTED.value
    rows = [
        (i.element.pk, i.org.pk, i.org.path, i.key, i.text, number(i.number), source, actor.pk, when, None)
        for i in items
    ]
    ids = insert_rows(
        Value,
        [
            "element_id",
            "org_id",
            "org_path",
            "period",
            "text",
            "number",
            "source",
            "entered_by_id",
            "entered_at",
            "locked_by_id",
        ],
        rows,
    )
    insert_rows(
        Value.history.model,
        [
            "id",
            "element_id",
            "org_id",
            "period",
            "text",
            "number",
            "source",
            "entered_by_id",
            "entered_at",
            "locked_by_id",
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user_id",
        ],
        [
            (pk, r[0], r[1], r[3], r[4], r[5], r[6], r[7], r[8], None, when, None, "+", actor.pk)
            for pk, r in zip(ids, rows, strict=True)
        ],
    )


@transaction.atomic
def survey_import(*, actor: User, department: Org, data: bytes, file_name: str) -> SurveyImport:
    """Read an XLSForm; each question is matched to the registry or an element; the rest become
    proposed elements for the office to review. The survey itself still needs access approval."""
    from . import xlsform
    from .matching import QuestionMatcher

    require(can_build_template(actor, department), _("Only a clerk of the department uploads its surveys."))
    survey = xlsform.read(data)
    matcher = QuestionMatcher(department.district_id)
    district = Org.objects.get(pk=department.district_id)
    prefix = "".join(ch for ch in survey.form_id.upper() if ch.isalnum() or ch == "_")[:16] or "SURVEY"
    questions = []
    for q in survey.questions:
        match = matcher.match(q.name, q.label)
        if not match["reuse"]:
            code = f"{prefix}_{q.name}".upper()[:40]
            existing = DataElement.objects.filter(district=district, code=code).first()
            if existing is None:
                existing = DataElement.objects.create(
                    district=district,
                    department=department,
                    code=code,
                    name=q.label[:100] or q.name,
                    definition=_("Proposed from the survey %(title)s, question %(name)s.")
                    % {"title": survey.title, "name": q.path},
                    value_type=q.value_type,
                    options=q.options,
                    level=Level.COMMUNITY,
                    period_type=PeriodType.AS_OF,
                    aggregation="none" if q.value_type in ("text", "date", "option") else "sum",
                    state=ElementState.PROPOSED,
                    created_by=actor,
                )
            match = {"reuse": "", "key": existing.code, "target": existing.name, "score": 0.0, "proposed": True}
        questions.append({"name": q.name, "path": q.path, "label": q.label, "type": q.type, **match})
    record = SurveyImport.objects.create(
        department=department,
        uploaded_by=actor,
        uploaded_at=clock.now(),
        file_name=file_name[:200],
        title=survey.title[:200],
        form_id=survey.form_id[:100],
        form_version=survey.version[:50],
        questions=questions,
    )
    audit.record(
        action="ledger.survey_import",
        actor=actor,
        obj=record,
        org=department,
        after={
            "title": record.title,
            "reused": sum(1 for q in questions if q["reuse"]),
            "proposed": sum(1 for q in questions if q.get("proposed")),
        },
    )
    return record


def in_force_report_items(department: Org):
    """The items a department may build a report on (which communities each covers is asked on sending)."""
    return gate.in_force_anywhere(kind=REPORT_KINDS, department=department)


def communities_q(district_id: int) -> Q:
    return Q(kind=OrgKind.COMMUNITY, path__startswith=f"/{district_id}/")
