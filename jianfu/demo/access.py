"""Demo applications in every state, a joint meeting, and violation reports — replayed through the
services on past dates (clock.frozen_at), so their history, deadlines and audit entries are real.

Streets are in the gate too (issue 19): 古塘街道 applies for work beyond the catalog and the office
approves it for 古塘's communities, and 古塘社区 reports a street's unapproved demand. A campaign rests on
a higher level's explicit request or is refused at submission (seed 001: 「除中央和市委市政府有明确要求外，
其他一律取消」). Violations month by month in the baseline and the reform year: ``_violation_history``."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from jianfu.access import services
from jianfu.access.models import Application, Decision, Opinion, ReviewDuty
from jianfu.catalog.models import BasisLevel, Category, Frequency, ItemKind
from jianfu.core import clock, workdays
from jianfu.core.errors import DomainError
from jianfu.orgs.models import Org, OrgKind, User

from . import arrival_history as history

# (name, kind, category, description, target state, submitted this many working days ago)
APPLICATIONS = [
    ("家庭医生签约居民信息季度核对", ItemKind.LEDGER, Category.DUTY, "每季度核对辖区家庭医生签约居民名单", "draft", 0),
    ("社区慢性病患者随访登记", ItemKind.LEDGER, Category.ASSIST, "每月登记高血压、糖尿病患者随访情况", "submitted", 2),
    ("居民健康素养调查问卷", ItemKind.SURVEY, Category.ASSIST, "入户发放并回收居民健康素养调查问卷", "submitted", 25),
    ("社区卫生健康宣传月活动", ItemKind.TASK, Category.ASSIST, "组织卫生健康宣传月活动并报送照片", "returned", 6),
    ("社区心理健康服务点", ItemKind.BODY, Category.DUTY, "在社区设立心理健康服务点并挂牌", "reviewed", 5),
    ("老年人免费体检入户通知", ItemKind.TASK, Category.ASSIST, "通知65岁以上老人参加免费体检", "consultation", 7),
    ("适龄儿童疫苗接种摸底", ItemKind.SURVEY, Category.ASSIST, "摸底辖区适龄儿童疫苗接种情况", "deliberation", 12),
    ("病媒生物防制宣传", ItemKind.TASK, Category.ASSIST, "每月开展病媒生物防制宣传", "changes_requested", 14),
    ("社区急救知识培训", ItemKind.TASK, Category.ASSIST, "每半年组织居民急救知识培训", "adjusted", 14),
    (
        "婴幼儿照护服务需求调查",
        ItemKind.SURVEY,
        Category.ASSIST,
        "调查辖区3岁以下婴幼儿家庭照护服务需求",
        "approved",
        14,
    ),
    ("社区健康积分排名评比", ItemKind.CAMPAIGN, Category.ASSIST, "按季度对社区健康工作打分排名", "rejected", 14),
    # No higher level asks for it: refused at submission, it stays a draft.
    ("无烟社区星级评比", ItemKind.CAMPAIGN, Category.ASSIST, "每半年对社区控烟工作评星并通报排名", "refused", 2),
    ("控烟志愿者招募", ItemKind.TASK, Category.ASSIST, "招募社区控烟志愿者", "withdrawn", 4),
    ("冬季流感疫苗接种宣传", ItemKind.TASK, Category.ASSIST, "冬季流感高发期入户宣传疫苗接种", "fast_track", 3),
]
LEGAL_BASIS = "《中华人民共和国基本医疗卫生与健康促进法》第二十条"
# The higher request a campaign cites (the ranking above cites one; the meeting finds it asks for no ranking).
HIGHER_BASIS = {
    "社区健康积分排名评比": (
        BasisLevel.CENTRAL,
        "全国爱卫会《关于开展健康城市健康村镇建设的指导意见》（全爱卫发〔2016〕5号）",
    ),
}
REJECTED_BECAUSE = "上级文件只要求建设健康社区，未要求对社区打分排名；属于变相排名，与社区年度综合考评重复"
# 古塘街道's own work for its communities (seed 003: 「街道下派的行政任务」), applied for like a department's.
STREET_APPLICATION = {
    "name": "老旧小区加装电梯居民意愿征询",
    "kind": ItemKind.SURVEY,
    "category": Category.ASSIST,
    "description": "社区协助街道向老旧小区各单元住户发放加装电梯意愿征询表并汇总，一次性完成",
    "reason": "街道老旧小区改造提升项目需要各单元住户意愿",
    "funding_yuan": 1200,
    "funding_channel": "街道老旧小区改造专项经费",
    "frequency": Frequency.ONCE,
    "hours_per_occurrence": Decimal("6"),
}
VIOLATIONS = [
    ("市统计局", "微信群通知：请各社区于本周五前报送辖区内个体工商户用工情况统计表", "confirm"),
    ("市商务局", "电话通知社区协助完成年度招商引资线索摸排", "confirm"),
    ("市文化广电旅游体育局", "要求社区组织居民参加广场舞比赛并报送参赛名单", "dismiss"),
    ("市应急管理局", "要求社区每周上报辖区企业安全生产检查台账", "open"),
    ("古塘街道", "街道微信群通知：请各社区每天上报辖区“门前三包”巡查照片，纳入月度排名", "confirm"),
]


def _users() -> dict[str, User]:
    return {
        u.username: u for u in User.objects.filter(username__in=["office", "reviewer", "clerk", "community", "street"])
    }


@transaction.atomic
def load(district: Org) -> int:
    if Application.objects.exists():
        return Application.objects.count()
    u = _users()
    # The office names the unit that reviews the whole (民政局, whose reviewer the demo has); 财政
    # (funding) and 编办 (bodies and plaques) may be added on the review duties page.
    services.review_assign(
        actor=u["office"], district=district, unit=Org.objects.get(name="市民政局"), duty=ReviewDuty.WHOLE
    )
    department = Org.objects.get(name="市卫生健康局")
    gutang = Org.objects.get(name="古塘街道")
    consulted = list(Org.objects.filter(kind=OrgKind.COMMUNITY, parent=gutang).order_by("code")[:4])
    today = clock.today()
    meeting_day = workdays.add_workdays(today, 0) - dt.timedelta(days=7)
    with clock.frozen_at(meeting_day):
        meeting = services.meeting_create(
            actor=u["office"],
            district=district,
            title=f"{today.year}年第四次社区工作准入联席会议",
            held_on=meeting_day,
            minutes="审议卫生健康条线进社区事项",
        )
    for name, kind, category, description, target, days_ago in APPLICATIONS:
        submitted = _workdays_before(today, days_ago)
        with clock.frozen_at(submitted):
            temporary = target == "fast_track"
            application = services.application_create(
                actor=u["clerk"],
                department=department,
                name=name,
                kind=kind,
                category=category,
                description=description,
                reason="落实上级卫生健康工作部署",
                legal_basis=LEGAL_BASIS,
                funding_yuan=2000 if category == Category.ASSIST else 0,
                funding_channel="市财政专项" if category == Category.ASSIST else "",
                frequency=Frequency.ONCE if kind == ItemKind.SURVEY else Frequency.MONTHLY,
                hours_per_occurrence=Decimal("3"),
                start_date=submitted + dt.timedelta(days=60) if temporary else workdays.add_workdays(submitted, 35),
                temporary=temporary,
                valid_until=submitted + dt.timedelta(days=90) if temporary else None,
                **_higher_basis(name),
            )
            if target == "draft":
                services.attachment_add(actor=u["clerk"], application=application, upload=_form_file(name))
                continue
            if target == "refused":
                _refused_without_basis(application, u)
                continue
            services.application_submit(actor=u["clerk"], application=application)
        _advance(application, target, submitted, u, [gutang, *consulted[:3]], meeting)
    _street_application(gutang, u, consulted, meeting)
    services.escalate_overdue()
    _violations(u)
    _violation_history(district, u)
    return Application.objects.count()


def _higher_basis(name: str) -> dict:
    if name not in HIGHER_BASIS:
        return {}
    level, document = HIGHER_BASIS[name]
    return {"basis_level": level, "basis_document": document}


def _refused_without_basis(application, u) -> None:
    """The clerk tries to submit a campaign no higher level asks for; the rule keeps it in draft."""
    try:
        services.application_submit(actor=u["clerk"], application=application)
    except DomainError as refused:
        if "除中央和市委市政府有明确要求外" not in refused.message:
            raise
    else:
        raise RuntimeError("the demo's campaign without a higher basis was submitted")


def _street_application(street: Org, u, consulted, meeting) -> None:
    """古塘街道 applies through its street worker; a member unit reviews, 古塘's communities are consulted
    (the street does not answer for them: silence closes the round), the joint meeting approves."""
    today = clock.today()
    submitted = _workdays_before(today, 20)
    with clock.frozen_at(submitted):
        application = services.application_create(
            actor=u["street"],
            department=street,
            start_date=workdays.add_workdays(submitted, 35),
            **STREET_APPLICATION,
        )
        services.application_submit(actor=u["street"], application=application)
    step = workdays.add_workdays(submitted, 2)
    with clock.frozen_at(step):
        services.application_pass_review(actor=u["reviewer"], application=application, comment="初审通过")
    step = workdays.add_workdays(step, 1)
    with clock.frozen_at(step):
        consultations = services.consultation_open(actor=u["office"], application=application, orgs=consulted)
    with clock.frozen_at(workdays.add_workdays(step, 1)):
        first = next(c for c in consultations if c.org.name == "古塘社区")
        services.opinion_give(
            actor=u["community"], consultation=first, opinion=Opinion.SUGGEST, comment="请街道提供统一的征询表样"
        )
    step = workdays.add_workdays(consultations[0].due, 1)
    with clock.frozen_at(step):
        services.consultation_close(actor=u["office"], application=application)
    with clock.frozen_at(max(step, meeting.held_on)):
        services.application_decide(
            actor=u["office"],
            application=application,
            meeting=meeting,
            decision=Decision.APPROVE,
            reason="街道专项经费落实，一次性征询，限古塘街道各社区",
        )


def _form_file(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jianfu.core.tabular import XLSX_MIME, xlsx_bytes

    content = xlsx_bytes(["社区", "签约居民数", "已核对数", "备注"], [["古塘社区", "", "", ""]], title="核对表")
    return SimpleUploadedFile(f"{name}（表样）.xlsx", content, content_type=XLSX_MIME)


def _workdays_before(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day -= dt.timedelta(days=1)
        n -= workdays.is_workday(day)
    return day


def _advance(application, target, submitted, u, consulted, meeting) -> None:
    step = submitted
    if target == "submitted":
        return
    if target == "returned":
        with clock.frozen_at(workdays.add_workdays(step, 2)):
            services.application_return(actor=u["reviewer"], application=application, reason="请补充经费来源和活动频次")
        return
    if target == "withdrawn":
        with clock.frozen_at(workdays.add_workdays(step, 1)):
            services.application_withdraw(actor=u["clerk"], application=application, reason="与团市委项目合并")
        return
    if target == "fast_track":
        with clock.frozen_at(workdays.add_workdays(step, 1)):
            services.application_fast_track(
                actor=u["office"], application=application, reason="流感高发，临时性项目先行准入"
            )
        return
    step = workdays.add_workdays(step, 2)
    with clock.frozen_at(step):
        services.application_pass_review(actor=u["reviewer"], application=application, comment="初审通过")
    if target == "reviewed":
        return
    step = workdays.add_workdays(step, 1)
    with clock.frozen_at(step):
        consultations = services.consultation_open(actor=u["office"], application=application, orgs=consulted)
    with clock.frozen_at(workdays.add_workdays(step, 1)):
        first = next(c for c in consultations if c.org.name == "古塘社区")
        services.opinion_give(
            actor=u["community"],
            consultation=first,
            opinion=Opinion.SUGGEST,
            comment="建议与现有老年人台账合并，避免重复入户",
        )
    if target == "consultation":
        return
    # 古塘街道 answers for itself (never for its communities); with half of the consulted answered
    # the office closes the round early, and the silent communities are marked as closed early.
    with clock.frozen_at(workdays.add_workdays(step, 2)):
        street = next(c for c in consultations if c.org.kind in (OrgKind.STREET, OrgKind.TOWN))
        services.opinion_give(actor=u["street"], consultation=street, opinion=Opinion.AGREE)
    step = workdays.add_workdays(step, 3)
    with clock.frozen_at(step):
        services.consultation_close(actor=u["office"], application=application)
    if target == "deliberation":
        return
    with clock.frozen_at(max(step, meeting.held_on)):
        decision = {
            "approved": Decision.APPROVE,
            "rejected": Decision.REJECT,
        }.get(target, Decision.APPROVE_WITH_CHANGES)
        services.application_decide(
            actor=u["office"],
            application=application,
            meeting=meeting,
            decision=decision,
            reason={"rejected": REJECTED_BECAUSE}.get(target, "确有必要，经费落实"),
            changes="" if decision != Decision.APPROVE_WITH_CHANGES else "频次由每月改为每季度，表格与现有台账合并",
        )
    if target == "adjusted":
        with clock.frozen_at(workdays.add_workdays(max(step, meeting.held_on), 1)):
            services.application_adjust(
                actor=u["clerk"], application=application, note="已改为每季度", frequency=Frequency.QUARTERLY
            )


def _violations(u) -> None:
    community = Org.objects.get(name="古塘社区")
    today = clock.today()
    for i, (department, what, outcome) in enumerate(VIOLATIONS):
        arrived = today - dt.timedelta(days=40 - i * 9)
        with clock.frozen_at(arrived):
            report = services.violation_report(
                actor=u["community"],
                community=community,
                department=Org.objects.get(name=department),
                what=what,
                arrived_on=arrived,
            )
        if outcome != "open":
            with clock.frozen_at(arrived + dt.timedelta(days=3)):
                services.violation_decide(
                    actor=u["office"],
                    report=report,
                    confirm=outcome == "confirm",
                    note="经核实未经准入" if outcome == "confirm" else "属于居民自治活动邀请，非部门派发任务",
                )


def _violation_history(district: Org, u) -> None:
    """Unapproved work the communities reported and the office confirmed (arrival_history): two a month
    before the reform, from the leaking departments and the street, and one demand a quarter dismissed
    (residents' own activities); after it one every other month."""
    baseline, reform = history.story_years()
    communities = history.communities(district)
    senders = {
        o.name: o for o in Org.objects.filter(parent=district, name__in=[*history.LEAKERS, history.LEAKING_STREET])
    }
    own = [c for c in communities if c.parent.name == history.LEAKING_STREET]
    culture = Org.objects.get(name="市文化广电旅游体育局", parent=district)
    today = clock.today()
    for year in (baseline, reform):
        before = year == baseline
        for n, day in enumerate(history.month_days(year, 15)):
            reports = []
            if before:
                department = history.LEAKERS[n % len(history.LEAKERS)]
                reports.append((senders[department], communities[(n * 7 + 3) % len(communities)], department, True))
                reports.append((senders[history.LEAKING_STREET], own[n % len(own)], history.LEAKING_STREET, True))
                if n % 3 == 0:
                    reports.append((culture, communities[(n * 13 + 5) % len(communities)], None, False))
            elif n % 2 == 1:
                department = history.LEAKERS[(n // 2) % len(history.LEAKERS)]
                reports.append((senders[department], communities[(n * 7 + 3) % len(communities)], department, True))
            for sender, community, topic, confirm in reports:
                what = (
                    history.UNAPPROVED[topic][(n + 1) % 3] if topic else "要求社区组织居民参加广场舞比赛并报送参赛名单"
                )
                with clock.frozen_at(day):
                    report = services.violation_report(
                        actor=history.community_worker(community),
                        community=community,
                        department=sender,
                        what=f"未经准入：{what}",
                        arrived_on=day,
                    )
                decided = workdays.add_workdays(day, 3)
                if decided >= today:
                    continue
                with clock.frozen_at(decided):
                    services.violation_decide(
                        actor=u["office"],
                        report=report,
                        confirm=confirm,
                        note="经核实未经准入" if confirm else "属于居民自治活动邀请，非部门派发任务",
                    )
