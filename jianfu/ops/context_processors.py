from jianfu.core import clock, workdays
from jianfu.orgs.permissions import is_office, memberships


def navigation(request):
    return {"my_memberships": memberships(request.user)}


def schedule_notice(request):
    """For the office: the year whose official holiday schedule is missing — this year, or from
    1 November next year — or None. Asked only when a template shows it (htmx fragments do not), and
    then with at most one small query, shared with the page's "按周末估算" marks."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    answer = []

    def missing_schedule_year() -> int | None:
        if not answer:
            today = clock.today()
            years = [today.year, today.year + 1] if today.month >= 11 else [today.year]
            official = workdays.year_is_official
            answer.append(
                next((y for y in years if not official(y, request=request)), None) if is_office(user) else None
            )
        return answer[0]

    return {"missing_schedule_year": missing_schedule_year}
