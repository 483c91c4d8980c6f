"""Demo evaluations: for last year, one closed and released campaign in each direction (communities
and streets rate the departments, communities rate their street, residents rate their community,
residents rate the community workers), and for this year an open campaign in which most communities have already rated.

Campaigns go through the services on past dates (clock.frozen_at), so their states, codes and audit
entries are real; the thousands of ballots are written in bulk. Household ballots follow the codes:
as many household ballots for a community as codes marked used, as in a real vote. Deterministic."""

import datetime as dt
import random

from django.db import transaction

from jianfu.core import clock
from jianfu.core.tabular import Row, Table
from jianfu.evaluation import services
from jianfu.evaluation.models import (
    Campaign,
    CommentState,
    Direction,
    Scale,
    VoterKind,
    VotingCode,
)
from jianfu.evaluation.rows import Rows
from jianfu.orgs import services as org_services
from jianfu.orgs.models import Org, OrgKind, Role, User

# Work that reached 古塘社区 last year without approval, confirmed by the office: the objective
# indicators of last year's department campaign count them.
PAST_VIOLATIONS = [
    ("市统计局", "要求社区每月填报辖区小微企业经营情况统计表", (3, 12)),
    ("市人力社保局", "电话通知社区为辖区失业人员开具失业证明并加盖社区公章", (5, 20)),
    ("市住房和城乡建设局", "要求社区牵头排查违章建筑并每周上报排查台账", (8, 6)),
    ("市统计局", "微信群通知社区报送农业普查入户数据表", (10, 15)),
]
# Community workers who are rated by residents, besides the demo account 刘书记.
WORKERS = {
    "古塘社区": [("gt-chen", "陈晓燕"), ("gt-wang", "王建国"), ("gt-li", "李娟")],
    "旦苑社区": [("dy-zhou", "周敏"), ("dy-wu", "吴海涛"), ("dy-zheng", "郑丽"), ("dy-sun", "孙浩")],
}
COMMENTS = {
    Direction.DEPARTMENT: (
        [
            "指导社区工作耐心细致，有问题能及时到社区现场解决",
            "今年没有再向社区派发报表，减负效果明显",
            "吹哨后第二天就到社区现场办公，值得点赞",
            "业务培训讲得实在，材料一次说清楚",
        ],
        [
            "仍通过微信群要求社区报送各类表格，希望纳入一表通",
            "业务培训多、实际支持少，协助事项的经费没有随事转",
            "有事才找社区，平时很少深入基层",
            "检查考核名目多，希望合并精简",
        ],
    ),
    Direction.COMMUNITY: (
        [
            "社区工作人员服务热情，办事很方便",
            "居务公开栏更新及时，账目清楚",
            "加装电梯的事社区多次上门协调，感谢",
            "老年食堂办得好，希望继续",
        ],
        [
            "晚上和周末找不到人办事",
            "停车问题反映多次没有回音",
            "希望公开活动经费的使用情况",
            "楼道堆物清理不及时",
        ],
    ),
    Direction.STREET: (
        ["街道今年清理了下派社区的台账，减负看得见", "街道干部经常到社区帮忙解决实际问题"],
        ["街道借调社区工作者太多，社区人手紧张", "街道各科室仍然直接给社区布置任务，希望统一归口"],
    ),
    Direction.WORKER: (
        ["处理邻里纠纷很公道", "办低保材料一次讲清楚，不用来回跑", "经常上门看望独居老人"],
        ["态度有时不太耐心", "答应的事情拖了很久"],
    ),
}
# Comments the office refuses: they name a neighbour.
REFUSED = ["3幢的张某某天天占道停车，请社区处理！", "隔壁王某某家养狗扰民，电话138开头的那个"]


def load(district: Org) -> dict[str, int]:
    if Campaign.objects.filter(district=district).exists():
        return {"campaigns": Campaign.objects.filter(district=district).count(), "ballots": 0}
    with transaction.atomic():
        office = User.objects.get(username="office")
        year = clock.today().year - 1
        rng = random.Random(2012)  # seed 000's year
        _past_violations(district, year)
        ballots = _department_campaign(district, office, rng, year=year, open_now=False)
        communities = _communities_with_households(district)
        if communities:
            ballots += _resident_campaign(district, office, rng, year, Direction.COMMUNITY, communities)
            _workers()
            ballots += _resident_campaign(district, office, rng, year, Direction.WORKER, communities)
        ballots += _department_campaign(district, office, rng, year=year + 1, open_now=True)
        # Its own generator, so the other campaigns stay as they were before streets were rated.
        ballots += _street_campaign(district, office, random.Random(2002), year)
    return {"campaigns": Campaign.objects.filter(district=district).count(), "ballots": ballots}


# ---------------------------------------------------------------------------------------- helpers


def _values(rng: random.Random, campaign: Campaign, opinion, quality: float, offsets: dict) -> dict[int, int]:
    low, high = campaign.scale_range
    return {
        ind.pk: round(low + (high - low) * min(1.0, max(0.0, quality + offsets[ind.pk] + rng.gauss(0, 0.16))))
        for ind in opinion
    }


def _comment_text(rng: random.Random, direction: str, quality: float) -> str:
    good, bad = COMMENTS[direction]
    return rng.choice(good if rng.random() < quality else bad)


def _profile(rng, targets, opinion, mean: float, spread: float):
    quality = {t.pk: min(0.96, max(0.3, rng.gauss(mean, spread))) for t in targets}
    offsets = {t.pk: {i.pk: rng.gauss(0, 0.06) for i in opinion} for t in targets}
    return quality, offsets


def _past_violations(district: Org, year: int) -> None:
    from jianfu.access import services as access

    reporter = User.objects.get(username="community")
    office = User.objects.get(username="office")
    community = Org.objects.get(name="古塘社区", path__startswith=district.path)
    for department, what, (month, day) in PAST_VIOLATIONS:
        arrived = dt.date(year, month, day)
        with clock.frozen_at(arrived):
            report = access.violation_report(
                actor=reporter,
                community=community,
                department=Org.objects.get(name=department, parent=district),
                what=what,
                arrived_on=arrived,
            )
        with clock.frozen_at(arrived + dt.timedelta(days=5)):
            access.violation_decide(actor=office, report=report, confirm=True, note="经核实未经准入，已责令停止")


def _communities_with_households(district: Org) -> list[Org]:
    from jianfu.registry.models import Person

    ids = Person.objects.filter(community__path__startswith=district.path, address__isnull=False).values("community_id")
    return list(Org.objects.filter(pk__in=ids, kind=OrgKind.COMMUNITY).order_by("path"))


def _workers() -> None:
    for community_name, people in WORKERS.items():
        community = Org.objects.filter(name=community_name, kind=OrgKind.COMMUNITY).first()
        if community is None:
            continue
        for username, name in people:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, display_name=name)
                user.set_unusable_password()  # rated, not logging in: the demo accounts are listed in README
                user.save()
            org_services.membership_grant(actor=None, user=user, org=community, role=Role.COMMUNITY)


# ------------------------------------------------------------------------------------ campaigns


def _create(district, office, title, direction, year, opens, closes, scale=Scale.FIVE) -> Campaign:
    """A campaign over the whole year, made ten days before it opens."""
    with clock.frozen_at(opens - dt.timedelta(days=10)):
        return services.campaign_create(
            actor=office,
            district=district,
            title=title,
            direction=direction,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            opens_on=opens,
            closes_on=closes,
            scale=scale,
        )


def _department_campaign(district: Org, office: User, rng: random.Random, *, year: int, open_now: bool) -> int:
    today = clock.today()
    if open_now:
        opens, closes = today - dt.timedelta(days=10), today + dt.timedelta(days=20)
    else:
        opens, closes = dt.date(year, 12, 1), dt.date(year, 12, 20)
    campaign = _create(district, office, f"{year}年度社区和街道评议部门", Direction.DEPARTMENT, year, opens, closes)
    with clock.frozen_at(opens):
        services.campaign_open(actor=office, campaign=campaign)
    targets = list(campaign.targets.all())
    opinion = [i for i in campaign.indicators.all() if i.is_opinion]
    quality, offsets = _profile(rng, targets, opinion, 0.7, 0.11)
    evaluators = list(
        Org.objects.filter(
            path__startswith=district.path, kind__in=[OrgKind.COMMUNITY, OrgKind.STREET, OrgKind.TOWN]
        ).order_by("path")
    )
    if open_now:
        # Most have rated; the demo accounts' community and street have not, so they can.
        evaluators = [e for e in evaluators if e.name not in {"古塘社区", "古塘街道"} and rng.random() < 0.7]
    else:
        evaluators = [e for e in evaluators if rng.random() < 0.95]
    rows = Rows()
    moderated = closes + dt.timedelta(days=3)
    for evaluator in evaluators:
        for target in targets:
            values = _values(rng, campaign, opinion, quality[target.pk], offsets[target.pk])
            rows.ballot(target.pk, VoterKind.ORG, evaluator.pk, values)
            if rng.random() < 0.03:
                text = _comment_text(rng, Direction.DEPARTMENT, quality[target.pk])
                if open_now:
                    rows.comment(target.pk, evaluator.pk, text)
                else:
                    rows.comment(target.pk, evaluator.pk, text, CommentState.APPROVED, office.pk, moderated)
    count = rows.write(rng, analyze=True)
    if not open_now:
        with clock.frozen_at(closes + dt.timedelta(days=1)):
            services.campaign_close(actor=office, campaign=campaign, reason="评议期满")
            rows = [
                Row(n, {"部门编码": t.org.code, "其他考核得分": f"{rng.uniform(82, 96):.1f}"})
                for n, t in enumerate(campaign.targets.select_related("org"), start=2)
            ]
            services.year_end_import(
                actor=office, campaign=campaign, table=Table(header=services.YEAR_END_COLUMNS, rows=rows)
            )
        with clock.frozen_at(closes + dt.timedelta(days=8)):
            services.campaign_release(actor=office, campaign=campaign)
    return count


def _street_campaign(district: Org, office: User, rng: random.Random, year: int) -> int:
    """Last year's rating of the streets by their own communities (下评上; seed 002), released."""
    opens, closes = dt.date(year, 12, 1), dt.date(year, 12, 20)
    campaign = _create(district, office, f"{year}年度社区评议街道", Direction.STREET, year, opens, closes)
    with clock.frozen_at(opens):
        services.campaign_open(actor=office, campaign=campaign)
    targets = {t.org_id: t for t in campaign.targets.all()}
    opinion = [i for i in campaign.indicators.all() if i.is_opinion]
    quality, offsets = _profile(rng, list(targets.values()), opinion, 0.68, 0.1)
    communities = Org.objects.filter(path__startswith=district.path, kind=OrgKind.COMMUNITY).order_by("path")
    rows = Rows()
    for community in communities:
        target = targets.get(community.parent_id)
        if target is None or rng.random() >= 0.9:
            continue
        rows.ballot(
            target.pk,
            VoterKind.ORG,
            community.pk,
            _values(rng, campaign, opinion, quality[target.pk], offsets[target.pk]),
        )
        if rng.random() < 0.1:
            text = _comment_text(rng, Direction.STREET, quality[target.pk])
            rows.comment(target.pk, community.pk, text, CommentState.APPROVED, office.pk, closes + dt.timedelta(days=3))
    count = rows.write(rng, analyze=True)
    with clock.frozen_at(closes + dt.timedelta(days=1)):
        services.campaign_close(actor=office, campaign=campaign, reason="评议期满")
    with clock.frozen_at(closes + dt.timedelta(days=8)):
        services.campaign_release(actor=office, campaign=campaign)
    return count


def _resident_campaign(
    district: Org, office: User, rng: random.Random, year: int, direction: str, communities: list[Org]
) -> int:
    opens, closes = dt.date(year, 12, 1), dt.date(year, 12, 20)
    title = {
        Direction.COMMUNITY: f"{year}年度居民和驻区单位评议社区（满意度测评）",
        Direction.WORKER: f"{year}年度居民评议社区工作者",
    }[direction]
    scale = Scale.FIVE if direction == Direction.COMMUNITY else Scale.HUNDRED
    campaign = _create(district, office, title, direction, year, opens, closes, scale)
    with clock.frozen_at(opens - dt.timedelta(days=10)):
        ids = {c.pk for c in communities}
        keys = [c.key for c in services.candidates(campaign) if c.org.pk in ids]
        if not keys:
            campaign.delete()
            return 0
        services.targets_set(actor=office, campaign=campaign, keys=keys)
        for community in services.code_communities(campaign):
            services.codes_issue(actor=office, campaign=campaign, community=community)
    with clock.frozen_at(opens):
        services.campaign_open(actor=office, campaign=campaign)
    targets = list(campaign.targets.select_related("org"))
    opinion = [i for i in campaign.indicators.all() if i.is_opinion]
    quality, offsets = _profile(rng, targets, opinion, 0.74 if direction == Direction.COMMUNITY else 0.8, 0.09)
    by_community: dict[int, list] = {}
    for t in targets:
        by_community.setdefault(t.org_id, []).append(t)
    rows, used = Rows(), []
    moderated = closes + dt.timedelta(days=3)
    for n, (community_id, community_targets) in enumerate(sorted(by_community.items())):
        # Turnout: most communities pass 80 %; the second falls short (旦苑: many owners live elsewhere).
        turnout = rng.uniform(0.68, 0.76) if n == 1 else rng.uniform(0.82, 0.95)
        codes = VotingCode.objects.filter(campaign=campaign, community_id=community_id).order_by("pk")
        voters = []
        for kind, share in ((VoterKind.HOUSEHOLD, turnout), (VoterKind.UNIT, 0.6)):
            of_kind = list(codes.filter(kind=kind).values_list("pk", flat=True))
            voters += [(pk, kind) for pk in rng.sample(of_kind, round(share * len(of_kind)))]
        for code_pk, kind in voters:
            used.append(code_pk)
            for target in community_targets:
                if direction == Direction.WORKER and rng.random() < 0.2:
                    continue  # a household that does not know this worker leaves them out
                rows.ballot(
                    target.pk, kind, None, _values(rng, campaign, opinion, quality[target.pk], offsets[target.pk])
                )
                if rng.random() < 0.02:
                    text = _comment_text(rng, direction, quality[target.pk])
                    rows.comment(target.pk, None, text, CommentState.APPROVED, office.pk, moderated)
    for i, text in enumerate(REFUSED):
        rows.comment(targets[i % len(targets)].pk, None, text, CommentState.REJECTED, office.pk, moderated)
    for start in range(0, len(used), 5000):
        VotingCode.objects.filter(pk__in=used[start : start + 5000]).update(used=True)
    with clock.frozen_at(closes + dt.timedelta(days=1)):
        services.campaign_close(actor=office, campaign=campaign, reason="评议期满")
    # Written after the close, already in random order and in one transaction: what the close would
    # have made of them (services.reshuffle_household_ballots), without writing them twice.
    count = rows.write(rng, analyze=True)
    with clock.frozen_at(closes + dt.timedelta(days=8)):
        services.campaign_release(actor=office, campaign=campaign)
    return count
