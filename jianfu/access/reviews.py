"""Who owes an application its preliminary review (issue 20, point 4). The office of a district says
which member unit reviews what (ReviewAssignment: the funding to 财政, bodies and plaques to 编办, the
whole to one unit); the parts that apply to an application name the units that must each review it.
No unit assigned the whole: any member unit's reviewer reviews the whole. A unit never reviews its
own department's application (permissions.reviewing_units). Each unit's review is an entry of the
application's history (Transition with its `org`), counted from the latest submission."""

from dataclasses import dataclass

from jianfu.catalog.models import Category, ItemKind

from .models import Application, ReviewAssignment, ReviewDuty, Transition

# The actions that record a unit's review (the last one moves the application on).
REVIEW_ACTIONS = ("review", "pass_review")


def duties_of(application: Application) -> list[str]:
    """The parts of the review this application needs: always the whole; the funding when it brings
    money or is an assistance item (费随事转); bodies and plaques when it puts one up."""
    duties = [ReviewDuty.WHOLE]
    if application.category == Category.ASSIST or application.funding_yuan > 0:
        duties.append(ReviewDuty.FUNDING)
    if application.kind == ItemKind.BODY:
        duties.append(ReviewDuty.BODIES)
    return duties


@dataclass
class Plan:
    required: dict[int, list[str]]  # unit id -> the parts it reviews
    any_unit: bool  # no unit is assigned the whole: any member unit's review covers it
    units: dict[int, object]  # unit id -> Org, for the page


def plan(application: Application) -> Plan:
    duties = duties_of(application)
    rows = ReviewAssignment.objects.filter(district_id=application.department.district_id, duty__in=duties)
    required: dict[int, list[str]] = {}
    units = {}
    for row in rows.select_related("unit").order_by("unit__code", "duty"):
        if row.unit_id == application.department_id:
            continue  # never its own department's application
        required.setdefault(row.unit_id, []).append(row.duty)
        units[row.unit_id] = row.unit
    whole_assigned = any(ReviewDuty.WHOLE in parts for parts in required.values())
    return Plan(required=required, any_unit=not whole_assigned, units=units)


def reviews(application: Application, transitions: list[Transition] | None = None) -> dict[int, Transition]:
    """The units' reviews since the latest submission, by unit (the latest of each). `transitions`:
    the application's history in order, when the caller has read it already (the page)."""
    if transitions is not None:
        found: dict[int, Transition] = {}
        for row in transitions:
            if row.action == "submit":
                found = {}
            elif row.action in REVIEW_ACTIONS and row.org_id is not None:
                found[row.org_id] = row
        return found
    last_submit = application.transitions.filter(action="submit").order_by("-at", "-pk").first()
    rows = application.transitions.filter(action__in=REVIEW_ACTIONS, org__isnull=False)
    if last_submit is not None:
        rows = rows.filter(pk__gt=last_submit.pk)
    return {row.org_id: row for row in rows.select_related("org", "actor").order_by("at", "pk")}


def owed_by(units, application: Application, the_plan: Plan | None = None, done=None) -> list:
    """Which of these units (the reviewer's, not the applicant's) still owe this application a review."""
    the_plan = the_plan or plan(application)
    done = reviews(application) if done is None else done
    return [
        unit
        for unit in units
        if (unit.pk in the_plan.required and unit.pk not in done) or (the_plan.any_unit and not done)
    ]


def completes(unit, application: Application) -> bool:
    """Whether this unit's review is the last one the application waits for."""
    the_plan = plan(application)
    done = set(reviews(application)) | {unit.pk}
    return set(the_plan.required) <= done


def status(application: Application, transitions: list[Transition] | None = None) -> list[dict]:
    """Each unit's part and its review, for the application page: the assigned units first (waiting
    or done), then reviews of other units."""
    the_plan = plan(application)
    done = reviews(application, transitions)
    labels = dict(ReviewDuty.choices)
    rows = []
    for unit_id, parts in the_plan.required.items():
        rows.append({"unit": the_plan.units[unit_id], "parts": [labels[p] for p in parts], "review": done.get(unit_id)})
    for unit_id, review in done.items():
        if unit_id not in the_plan.required:
            rows.append({"unit": review.org, "parts": [labels[ReviewDuty.WHOLE]], "review": review})
    return rows
