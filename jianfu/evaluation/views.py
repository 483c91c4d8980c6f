from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.core import clock, workflow
from jianfu.core.errors import DomainError
from jianfu.core.tabular import XLSX_MIME, attachment_response, read_table, xlsx_response
from jianfu.core.uploads import report_imported, run_import
from jianfu.core.views import refusals
from jianfu.orgs.models import Org

from . import exports, scoring, selectors, services
from .forms import (
    BallotForm,
    CampaignForm,
    CloseForm,
    CodeForm,
    IssueForm,
    TargetsForm,
    UploadForm,
    indicator_formset,
)
from .machines import CAMPAIGN
from .models import ORG_DIRECTIONS, Campaign, CampaignState, Comment, CommentState, Direction, Target, VoterKind
from .permissions import (
    can_issue_codes,
    can_manage_campaign,
    can_read_comments,
    can_see_composite,
    can_view_results,
    evaluator_orgs,
    is_evaluation_office,
    rates_target,
)

CODE_FAILURES_PER_HOUR = 20


def _manageable(request, pk: int) -> Campaign:
    campaign = selectors.campaign_for_user(request.user, pk)
    if not can_manage_campaign(request.user, campaign):
        raise PermissionDenied
    return campaign


def _draft_only(request, campaign: Campaign):
    """The pages that change a campaign's set-up answer only while it is a draft."""
    if "edit" in CAMPAIGN.startable(campaign):
        return None
    messages.info(request, _("Only a draft campaign can be changed."))
    return redirect("evaluation:detail", pk=campaign.pk)


@require_GET
@login_required
def index(request):
    return render(
        request,
        "evaluation/index.html",
        {"board": selectors.dashboard_for_user(request.user), "can_create": is_evaluation_office(request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def campaign_new(request):
    if not is_evaluation_office(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals(request) as outcome:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Draft saved with the default indicators. Check them, then open it."))
            return redirect("evaluation:detail", pk=campaign.pk)
    return render(request, "evaluation/campaign_form.html", {"form": form})


@require_GET
@login_required
def campaign_detail(request, pk: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    user = request.user
    manage = can_manage_campaign(user, campaign)
    context = {
        "campaign": campaign,
        "indicators": list(campaign.indicators.all()),
        "targets": list(campaign.targets.select_related("org")),
        "manage": manage,
        "actions": workflow.available(CAMPAIGN, user, campaign),
        "transitions": campaign.transitions.select_related("actor"),
        "evaluators": evaluator_orgs(user, campaign),
        "can_results": can_view_results(user, campaign),
        "can_codes": campaign.is_resident
        and any(can_issue_codes(user, campaign, c) for c in services.code_communities(campaign)),
        "close_form": CloseForm(),
        "today": clock.today(),
    }
    if manage and campaign.state != CampaignState.DRAFT:
        if campaign.direction in ORG_DIRECTIONS:
            voted = selectors.participation(campaign)
            context["progress"] = {"voted": len(voted), "evaluators": scoring.evaluator_count(campaign)}
        context["pending_comments"] = selectors.comments_to_moderate(campaign).count()
    return render(request, "evaluation/campaign_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_edit(request, pk: int):
    campaign = _manageable(request, pk)
    if not_draft := _draft_only(request, campaign):
        return not_draft
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        with refusals(request) as outcome:
            campaign.refresh_from_db()
            services.campaign_update(actor=request.user, campaign=campaign, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Saved."))
            return redirect("evaluation:detail", pk=pk)
    return render(request, "evaluation/campaign_form.html", {"form": form, "campaign": campaign})


@require_http_methods(["GET", "POST"])
@login_required
def indicators_edit(request, pk: int):
    campaign = _manageable(request, pk)
    if not_draft := _draft_only(request, campaign):
        return not_draft
    formset = indicator_formset(campaign, request.POST or None)
    if request.method == "POST" and formset.is_valid():
        with refusals(request) as outcome:
            services.indicators_set(actor=request.user, campaign=campaign, rows=formset.rows())
        if outcome.ok:
            messages.success(request, _("Indicators saved."))
            return redirect("evaluation:detail", pk=pk)
    return render(
        request,
        "evaluation/indicators_form.html",
        {"campaign": campaign, "formset": formset, "max_weight": services.max_weight()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def targets_edit(request, pk: int):
    campaign = _manageable(request, pk)
    if not_draft := _draft_only(request, campaign):
        return not_draft
    candidates = services.candidates(campaign)
    chosen = [services.Candidate(t.org, t.worker).key for t in campaign.targets.select_related("org", "worker")]
    form = TargetsForm(request.POST or None, candidates=candidates, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        with refusals(request) as outcome:
            services.targets_set(actor=request.user, campaign=campaign, keys=form.cleaned_data["keys"])
        if outcome.ok:
            messages.success(request, _("Saved."))
            return redirect("evaluation:detail", pk=pk)
    return render(request, "evaluation/targets_form.html", {"campaign": campaign, "form": form})


@require_POST
@login_required
def campaign_action(request, pk: int, action: str):
    campaign = _manageable(request, pk)
    with refusals(request) as outcome:
        if action == "open":
            services.campaign_open(actor=request.user, campaign=campaign)
        elif action == "close":
            services.campaign_close(actor=request.user, campaign=campaign, reason=request.POST.get("reason", ""))
        elif action == "release":
            services.campaign_release(actor=request.user, campaign=campaign)
        else:
            raise DomainError(_("Unknown action."))
    if outcome.ok:
        messages.success(request, _("Done."))
    return redirect("evaluation:detail", pk=pk)


# ------------------------------------------------------------------------------ organisations rate


def _evaluator(request, campaign: Campaign) -> Org:
    orgs = evaluator_orgs(request.user, campaign)
    if not orgs:
        raise PermissionDenied
    wanted = request.GET.get("as") or request.POST.get("as")
    return next((o for o in orgs if str(o.pk) == wanted), orgs[0])


def _card(campaign, target, indicators, ballot, comment, data=None):
    initial = {}
    if ballot is not None:
        initial = {f"i{s.indicator_id}": s.value for s in ballot.scores.all()}
        initial["comment"] = comment.text if comment else ""
    form = BallotForm(data, indicators=indicators, scale=campaign.scale, prefix=f"t{target.pk}", initial=initial)
    return {"target": target, "form": form, "saved": ballot is not None, "comment": comment}


@require_GET
@login_required
def rate(request, pk: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    evaluator = _evaluator(request, campaign)
    indicators = list(campaign.indicators.all())
    ballots = selectors.ballots_of(evaluator, campaign)
    comments = selectors.comments_of(evaluator, campaign)
    cards = [
        _card(campaign, t, indicators, ballots.get(t.pk), comments.get(t.pk))
        for t in campaign.targets.select_related("org", "campaign")
        if rates_target(evaluator, t)
    ]
    return render(
        request,
        "evaluation/rate.html",
        {
            "campaign": campaign,
            "evaluator": evaluator,
            "evaluators": evaluator_orgs(request.user, campaign),
            "cards": cards,
            "open": campaign.accepts_ballots(clock.today()),
            "done": len(ballots),
        },
    )


@require_POST
@login_required
def rate_target(request, pk: int, target_id: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    evaluator = _evaluator(request, campaign)
    target = get_object_or_404(Target, pk=target_id, campaign=campaign)
    indicators = list(campaign.indicators.all())
    card = _card(campaign, target, indicators, None, None, data=request.POST)
    form = card["form"]
    error = ""
    if form.is_valid():
        try:
            services.ballot_save(
                actor=request.user,
                target=target,
                evaluator=evaluator,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            error = exc.message
    else:
        error = _("Rate every indicator.")
    if not request.htmx:
        if error:
            messages.error(request, f"{target.name}：{error}")
        else:
            messages.success(request, _("Your rating of %(name)s is saved.") % {"name": target.name})
        return redirect(f"{reverse('evaluation:rate', args=[pk])}?as={evaluator.pk}#t{target.pk}")
    if not error:
        ballots = selectors.ballots_of(evaluator, campaign)
        card = _card(
            campaign,
            target,
            indicators,
            ballots.get(target.pk),
            selectors.comments_of(evaluator, campaign).get(target.pk),
        )
    card["error"] = error
    card["just_saved"] = not error
    return render(
        request,
        "evaluation/rate.html#card",
        {"campaign": campaign, "evaluator": evaluator, "card": card, "open": campaign.accepts_ballots(clock.today())},
    )


# ------------------------------------------------------------------------------------ household codes


@require_GET
@login_required
def codes(request, pk: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    communities = [c for c in services.code_communities(campaign) if can_issue_codes(request.user, campaign, c)]
    if not communities:
        raise PermissionDenied
    households = services.household_counts(communities)
    counts = selectors.code_counts(campaign)
    rows = []
    for community in communities:
        issued = counts.get(community.pk, {})
        rows.append(
            {
                "community": community,
                "households": households.get(community.pk, 0),
                "codes": issued.get(VoterKind.HOUSEHOLD, {"issued": 0, "used": 0}),
                "units": issued.get(VoterKind.UNIT, {"issued": 0, "used": 0}),
            }
        )
    can_issue = campaign.state in {CampaignState.DRAFT, CampaignState.OPEN} and clock.today() <= campaign.closes_on
    return render(
        request,
        "evaluation/codes.html",
        {"campaign": campaign, "rows": rows, "form": IssueForm(), "can_issue": can_issue},
    )


@require_POST
@login_required
def codes_issue(request, pk: int, community_id: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    community = get_object_or_404(Org, pk=community_id)
    form = IssueForm(request.POST)
    fmt = form.cleaned_data["format"] if form.is_valid() else "pdf"
    with refusals(request) as outcome:
        slips = services.codes_issue(actor=request.user, campaign=campaign, community=community)
    if not outcome.ok:
        return redirect("evaluation:codes", pk=pk)
    vote_url = request.build_absolute_uri(reverse("evaluation:vote"))
    name = f"{campaign.title}-{community.name}-投票码"
    if fmt == "xlsx":
        return attachment_response(exports.slips_xlsx(campaign, community, slips, vote_url), f"{name}.xlsx", XLSX_MIME)
    return attachment_response(
        exports.slips_pdf(campaign, community, slips, vote_url), f"{name}.pdf", "application/pdf"
    )


# ------------------------------------------------------------------------------- households vote


def _client_key(request) -> str:
    return f"evaluation:code-failures:{request.META.get('REMOTE_ADDR', '')}"


def _ballot_forms(campaign, targets, data=None):
    indicators = list(campaign.indicators.all())
    optional = campaign.direction == Direction.WORKER
    return [
        (t, BallotForm(data, indicators=indicators, scale=campaign.scale, prefix=f"t{t.pk}", optional=optional))
        for t in targets
    ]


def _ballot_page(request, voting_code, code: str, forms, error: str = ""):
    return render(
        request,
        "evaluation/vote_ballot.html",
        {
            "campaign": voting_code.campaign,
            "community": voting_code.community,
            "code": code,
            "forms": forms,
            "error": error,
            "unit": voting_code.kind == VoterKind.UNIT,
        },
    )


@require_http_methods(["GET", "POST"])
def vote(request):
    """Public: a household enters its one-time code, then rates. No login, nothing that identifies it."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = _client_key(request)
        if cache.get(key, 0) >= CODE_FAILURES_PER_HOUR:
            messages.error(request, _("Too many wrong codes from this connection. Try again in an hour."))
        else:
            with refusals(request) as outcome:
                voting_code = services.code_check(form.cleaned_data["code"])
            if not outcome.ok:
                cache.set(key, cache.get(key, 0) + 1, 3600)
            else:
                targets = services.household_targets(voting_code.campaign, voting_code.community)
                code = services.format_code(services.normalise_code(form.cleaned_data["code"]))
                return _ballot_page(request, voting_code, code, _ballot_forms(voting_code.campaign, targets))
    return render(request, "evaluation/vote.html", {"form": form})


@require_POST
def vote_submit(request):
    code = request.POST.get("code", "")
    with refusals(request) as outcome:
        voting_code = services.code_check(code)
    if not outcome.ok:
        return redirect("evaluation:vote")
    campaign = voting_code.campaign
    targets = services.household_targets(campaign, voting_code.community)
    forms = _ballot_forms(campaign, targets, data=request.POST)
    if not all(f.is_valid() for _t, f in forms):
        return _ballot_page(request, voting_code, code, forms, _("Rate every question."))
    ratings, comments = {}, {}
    for target, f in forms:
        scores = f.scores()
        if scores:
            ratings[target.pk] = scores
            comments[target.pk] = f.cleaned_data["comment"]
    with refusals(request) as outcome:
        cast = services.household_vote(code=code, ratings=ratings, comments=comments)
    if not outcome.ok:
        return _ballot_page(request, voting_code, code, forms)
    return render(request, "evaluation/vote_done.html", {"campaign": campaign, "cast": cast})


# -------------------------------------------------------------------------------------- results


def _results_context(request, campaign: Campaign) -> dict:
    results = scoring.results(campaign)
    return {
        "campaign": campaign,
        "results": results,
        "indicators": list(campaign.indicators.all()),
        "score_chart": exports.score_chart(campaign, results),
        "indicator_chart": exports.indicator_chart(campaign, results),
        "preview": campaign.state != CampaignState.RELEASED,
        "composite": campaign.direction == Direction.DEPARTMENT and can_manage_campaign(request.user, campaign),
        "manage": can_manage_campaign(request.user, campaign),
    }


@require_GET
@login_required
def results(request, pk: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    if not can_view_results(request.user, campaign):
        raise PermissionDenied
    return render(request, "evaluation/results.html", _results_context(request, campaign))


@require_GET
@login_required
def results_xlsx(request, pk: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    if not can_view_results(request.user, campaign):
        raise PermissionDenied
    rows = scoring.results(campaign)
    if not can_manage_campaign(request.user, campaign):
        for r in rows:  # the composite belongs to each department's own assessment
            r.community_score = r.other_score = r.composite = None
    return xlsx_response(
        f"{campaign.title}-评议结果.xlsx", exports.result_headers(campaign), exports.result_rows(campaign, rows)
    )


@require_GET
@login_required
def report_pdf(request, pk: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    if not can_view_results(request.user, campaign):
        raise PermissionDenied
    content = exports.report_pdf(campaign, scoring.results(campaign), request)
    return attachment_response(content, f"{campaign.title}-评议报告.pdf", "application/pdf")


@require_GET
@login_required
def target_detail(request, pk: int, target_id: int):
    campaign = selectors.campaign_for_user(request.user, pk)
    target = selectors.target_for_user(request.user, campaign, target_id)
    all_results = scoring.results(campaign)
    result = next(r for r in all_results if r.target.pk == target.pk)
    from . import charts

    chart = charts.bar_chart(
        _("Score per indicator"), [(line.indicator.name, line.score, True) for line in result.lines]
    )
    return render(
        request,
        "evaluation/target.html",
        {
            "campaign": campaign,
            "target": target,
            "result": result,
            "of": sum(1 for r in all_results if r.rank),
            "chart": chart,
            "comments": selectors.visible_comments(request.user, target),
            "can_comments": can_read_comments(request.user, target),
            "composite": can_see_composite(request.user, target),
            "manage": can_manage_campaign(request.user, campaign),
        },
    )


# ----------------------------------------------------------------------------------- moderation


@require_GET
@login_required
def comments(request, pk: int):
    campaign = _manageable(request, pk)
    state = request.GET.get("state", CommentState.PENDING)
    if state not in CommentState.values and state != "":
        state = CommentState.PENDING
    return render(
        request,
        "evaluation/comments.html",
        {
            "campaign": campaign,
            "comments": selectors.comments_to_moderate(campaign, state),
            "state": state,
            "states": CommentState.choices,
        },
    )


@require_POST
@login_required
def comment_moderate(request, pk: int, comment_id):
    campaign = _manageable(request, pk)
    comment = get_object_or_404(Comment, pk=comment_id, target__campaign=campaign)
    with refusals(request) as outcome:
        comment = services.comment_moderate(
            actor=request.user, comment=comment, approve=request.POST.get("decision") == "approve"
        )
    if not outcome.ok:
        return redirect("evaluation:comments", pk=pk)
    if request.htmx:
        return render(request, "evaluation/comments.html#row", {"campaign": campaign, "c": comment})
    return redirect(f"{reverse('evaluation:comments', args=[pk])}?state={request.GET.get('state', 'pending')}")


# ----------------------------------------------------------------------------- year-end composite


@require_http_methods(["GET", "POST"])
@login_required
def year_end(request, pk: int):
    campaign = _manageable(request, pk)
    if campaign.direction != Direction.DEPARTMENT:
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        result, errors = run_import(
            request,
            lambda: services.year_end_import(
                actor=request.user, campaign=campaign, table=read_table(form.cleaned_data["file"])
            ),
        )
        if result is not None:
            report_imported(request, result)
            return redirect("evaluation:year_end", pk=pk)
    scores = campaign.year_end_scores.select_related("department").order_by("department__code")
    return render(
        request,
        "evaluation/year_end.html",
        {
            "campaign": campaign,
            "form": form,
            "errors": errors,
            "scores": scores,
            "columns": services.YEAR_END_COLUMNS,
        },
    )


@require_GET
@login_required
def year_end_template(request, pk: int):
    campaign = _manageable(request, pk)
    if campaign.direction != Direction.DEPARTMENT:
        raise PermissionDenied
    return xlsx_response(
        f"{campaign.title}-其他考核得分.xlsx", services.YEAR_END_COLUMNS, services.year_end_rows(campaign)
    )


# ----------------------------------------------------------------------------------- public portal


@require_GET
def public_index(request):
    return render(request, "evaluation/public_index.html", {"campaigns": selectors.public_campaigns()})


@require_GET
def public_results(request, pk: int):
    campaign = get_object_or_404(selectors.public_campaigns(), pk=pk)
    context = _results_context(request, campaign)
    context["composite"] = False
    context["public"] = True
    return render(request, "evaluation/public_results.html", context)
