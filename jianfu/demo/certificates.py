"""Demo certificates for 慈溪: the office's settings for the national first batch on the catalog's
lists (15 may-issue types with their guides, 20 must-not types with responsible bodies — seeds
001/003), this year's requests in 古塘 and 旦苑 with issued / refused / redirected outcomes, and the
baseline year's counts from the paper seal log, so the figures show the ≈40 % fall of seed 001.

The year's history is generated in bulk (like the registry), deterministically; the latest requests
are replayed through the services as the demo accounts, so their audit entries and history are real.
Running it again changes nothing."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from jianfu.catalog.models import WorkItem
from jianfu.certificates import lists, services
from jianfu.certificates.models import (
    BaselineCount,
    Certificate,
    CertificateRequest,
    CertificateType,
    Channel,
    RequestEvent,
    RequestState,
    SealUse,
)
from jianfu.core import clock, workdays
from jianfu.core.models import Sequence
from jianfu.deliberations import services as deliberations
from jianfu.deliberations.models import DeliberationKind
from jianfu.orgs.models import Org, User
from jianfu.registry.models import Person

from . import years as demo_years

COMMUNITIES = ["古塘社区", "旦苑社区"]
# Seed 001: certificates issued by committees fell by about 40 % once the lists were in force.
FALL = 0.40
# Share of may-issue requests the community refuses (evidence missing, facts it cannot vouch for).
REFUSED_SHARE = 0.10
# Residents still ask for must-not certificates, a quarter as often as they used to be issued.
REDIRECTED_SHARE = 0.25
REFUSALS = [
    "材料不全：缺少房屋所有权人书面同意借住声明",
    "经入户核实，申请人未在本社区实际居住",
    "所需事实社区无法核实，请向有关部门申请",
    "申请人未能提供居民身份证原件",
]
OTHER_BASELINE = "其他无法律依据的证明（如“我妈是我妈”类证明）"

_P = "经{community}居民委员会核实，"
# name: (aliases, facts vouched, wording; notify-and-commit, public interest, commitment text)
MAY_ISSUE = {
    "最低生活保障申请家庭经济状况民主评议意见": (
        ["低保民主评议意见", "低保评议意见", "低保评议"],
        "申请家庭在本社区的居住和生活情况；民主评议的过程和结论",
        "经{community}居民委员会组织民主评议，{name}（公民身份号码：{id_number}）家庭申请最低生活保障，评议意见如下：",
    ),
    "特困人员供养申请情况说明": (
        ["特困供养证明", "特困人员证明"],
        "申请人的实际生活情况（入户了解）",
        "经入户了解，{name}（公民身份号码：{id_number}），现住{address}，生活情况如下：",
    ),
    "临时救助申请情况说明": (
        ["临时救助证明", "困难情况说明"],
        "申请家庭因突发情况陷入困境的事实（入户核实）",
        "{name}（公民身份号码：{id_number}），现住{address}，因突发情况导致基本生活暂时出现严重困难，"
        + _P
        + "情况属实。",
    ),
    "困难残疾人生活补贴和重度残疾人护理补贴申请初审意见": (
        ["残疾人两项补贴初审意见", "残疾人补贴证明"],
        "申请人的户籍和生活情况",
        "经初审，{name}（公民身份号码：{id_number}）户籍在本社区，现住{address}，符合申请条件。",
    ),
    "困境儿童认定申请情况核实意见": (
        ["困境儿童证明"],
        "儿童的家庭生活和监护情况（儿童主任入户核实）",
        "经入户核实，{name}（公民身份号码：{id_number}）家庭和监护情况如下：",
    ),
    "指定监护人意见书": (
        ["监护人证明", "指定监护证明"],
        "听取各方和被监护人意见后的集体研究结论",
        "根据《中华人民共和国民法典》第三十一条，经听取各方意见，指定____为{name}（公民身份号码：{id_number}）的监护人。"
        "对指定不服的，可以向人民法院申请指定监护人。",
    ),
    "认定无民事行为能力、限制民事行为能力人申请": (
        ["无民事行为能力认定申请"],
        "被申请人的居住和生活情况",
        "申请人：{community}居民委员会；被申请人：{name}（公民身份号码：{id_number}），现住{address}。"
        "请求事项：认定被申请人为无民事行为能力人（限制民事行为能力人）。",
    ),
    "人民调解协议书": (
        ["调解协议书", "调解书"],
        "调解的过程和当事人自愿达成的协议",
        "经{community}人民调解委员会调解，当事人{name}（公民身份号码：{id_number}）与____自愿达成如下协议：",
    ),
    "赡养协议见证": (
        ["赡养协议"],
        "老年人同意、赡养人签订协议的事实",
        "本赡养协议经老年人{name}（公民身份号码：{id_number}）同意，由赡养人签订，{community}居民委员会见证。",
    ),
    "收养人抚养教育能力情况证明": (
        ["收养证明", "收养家庭情况证明"],
        "收养人的家庭和居住情况（走访了解）",
        "兹证明{name}（公民身份号码：{id_number}）居住在{address}，家庭和睦，具备抚养教育被收养人的能力。",
    ),
    "社区矫正调查评估意见": (
        ["社区矫正调查评估", "社区矫正意见"],
        "被调查人的家庭、邻里和社区影响情况",
        "被调查人{name}（公民身份号码：{id_number}）居住在{address}，经走访家属和邻里，社区意见如下：",
    ),
    "应征公民政治考核意见": (
        ["政审证明", "征兵政审"],
        "应征公民在本社区居住期间的现实表现",
        "{name}（公民身份号码：{id_number}）在本社区居住期间遵纪守法，现实表现良好。",
    ),
    "借住人员实际居住情况证明（申领居住证用）": (
        ["居住证明", "住址证明", "实际居住证明", "借住证明"],
        "申请人在本社区的实际居住情况（网格员上门核实）",
        "经核实，{name}（公民身份号码：{id_number}）借住于{address}，情况属实。仅供申领居住证使用。",
    ),
    "业主大会首次会议和业主委员会选举情况意见": (
        ["业委会选举证明", "业主委员会备案意见"],
        "业主大会召开和业主委员会选举的程序",
        "____小区业主大会首次会议于____召开，经核对，业主委员会选举程序符合规定。申请人：{name}。",
    ),
    "社区志愿服务记录证明": (
        ["志愿服务证明", "志愿者证明", "义工证明"],
        "在本社区参加志愿服务的记录",
        "兹证明{name}（公民身份号码：{id_number}）在{community}参加志愿服务，累计____小时。",
    ),
}
NOTIFY_AND_COMMIT = {
    "借住人员实际居住情况证明（申领居住证用）": "本人承诺：本人确实借住于所申报的住址，房屋所有权人同意借住；如有不实，愿承担相应法律责任，并接受撤销本证明的处理。",
    "临时救助申请情况说明": "本人承诺：所申报的家庭遭遇和困难情况真实；如有不实，愿退还所获救助并承担相应法律责任。",
}
PUBLIC_INTEREST = {"业主大会首次会议和业主委员会选举情况意见"}
MUST_NOT_ALIASES = {
    "亲属关系证明": ["关系证明", "父母子女关系证明", "夫妻关系证明"],
    "居民身份信息证明": ["身份证明", "身份信息证明", "本人身份证明"],
    "户口登记项目内容变更申请证明": ["户口变更证明", "户籍信息变更证明"],
    "居民养犬证明": ["养狗证明", "养犬证明"],
    "无犯罪记录证明": ["无违法犯罪证明", "无犯罪证明", "良民证"],
    "社区戒毒社区康复人员情况证明（表现证明）": ["戒毒人员表现证明"],
    "人员失踪证明": ["失踪证明"],
    "婚姻状况证明": ["单身证明", "未婚证明", "离异证明", "婚姻证明"],
    "出生证明": ["出生医学证明"],
    "健在证明": ["生存证明", "在世证明"],
    "死亡证明": ["去世证明"],
    "疾病状况证明": ["病情证明", "患病证明"],
    "残疾状况证明": ["残疾证明"],
    "婚育状况证明": ["独生子女证明", "生育状况证明", "计划生育证明"],
    "居民就业状况证明": ["失业证明", "无业证明", "就业证明", "待业证明"],
    "居民个人档案证明": ["档案证明"],
    "居民财产证明": ["收入证明", "房产证明", "房屋产权证明", "无房证明", "财产证明"],
    "遗产继承权证明": ["继承权证明", "遗产继承证明"],
    "市场主体住所证明": ["住所证明", "经营场所证明"],
    "证件遗失证明": ["遗失证明", "丢失证明", "证件丢失证明"],
}


@transaction.atomic
def load(district: Org) -> dict[str, int]:
    office = User.objects.filter(username="office").first()
    _configure_types(district, office)
    if not CertificateRequest.objects.filter(community__path__startswith=district.path).exists():
        communities = list(Org.objects.filter(name__in=COMMUNITIES, path__startswith=district.path).order_by("code"))
        communities = [c for c in communities if Person.objects.filter(community=c).exists()]
        if communities:
            _history(district, communities)
            _recent(district, communities[0])
    return {
        "types": CertificateType.objects.count(),
        "requests": CertificateRequest.objects.count(),
        "certificates": Certificate.objects.count(),
    }


def _configure_types(district: Org, office: User | None) -> None:
    found = lists.listed(district)
    done = set(CertificateType.objects.values_list("item_id", flat=True))
    for item in found.may:
        if item.pk in done or item.name not in MAY_ISSUE:
            continue
        aliases, facts, statement = MAY_ISSUE[item.name]
        services.type_configure(
            actor=office,
            item=item,
            aliases=aliases,
            facts_vouched=facts,
            statement=statement,
            within_duties=True,
            notify_and_commit=item.name in NOTIFY_AND_COMMIT,
            commitment_text=NOTIFY_AND_COMMIT.get(item.name, ""),
            public_interest=item.name in PUBLIC_INTEREST,
        )
    for item in found.must_not:
        if item.pk not in done and item.name in MUST_NOT_ALIASES:
            services.type_configure(actor=office, item=item, aliases=MUST_NOT_ALIASES[item.name])


# ------------------------------------------------------------------------------------ the year so far


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights summing exactly to total (largest remainder)."""
    if total <= 0 or not weights or sum(weights) <= 0:
        return [0] * len(weights)
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _monthly(rng: random.Random, per_year: float) -> list[int]:
    """Requests per month for a yearly rate, with some month-to-month variation."""
    return [max(0, round(per_year / 12 * rng.uniform(0.6, 1.4))) for _ in range(12)]


def _days_in(year: int, month: int) -> int:
    return ((dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.date(year, month, 1)).days


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _history(district: Org, communities: list[Org]) -> None:
    """The reform year up to yesterday (in January: all of last year), per community: may-issue
    requests issued or refused, must-not asks redirected; and the baseline year's counts such that
    the issued fall by ≈40 % month by month."""
    rng = random.Random(2020)  # 民发〔2020〕20号
    today = clock.today()
    year, last_day = demo_years.years(today).reform, today - dt.timedelta(days=1)
    found = lists.listed(district)
    worker = User.objects.filter(username="community").first()
    gutang = Org.objects.filter(name=COMMUNITIES[0]).first()
    requests: list[CertificateRequest] = []
    issued_plan: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)  # (community, month) → item → issued
    for community in communities:
        people = list(Person.objects.filter(community=community).select_related("address").order_by("pk")[:400])
        actor = worker if community == gutang else None
        for item in found.may:
            for month, n in enumerate(_monthly(rng, float(item.occurrences_per_year)), start=1):
                refused = sum(rng.random() < REFUSED_SHARE for _ in range(n))
                issued_plan[(community.pk, month)][item.pk] = n - refused
                for k in range(n):
                    day = dt.date(year, month, rng.randint(1, _days_in(year, month)))
                    state = RequestState.REFUSED if k < refused else RequestState.ISSUED
                    requests.append(_request(rng, community, item, day, state, people, actor))
        for item in found.must_not:
            rate = float(item.occurrences_per_year) * REDIRECTED_SHARE
            for month, n in enumerate(_monthly(rng, rate), start=1):
                for _ in range(n):
                    day = dt.date(year, month, rng.randint(1, _days_in(year, month)))
                    requests.append(_request(rng, community, item, day, RequestState.REDIRECTED, people, actor))
    requests = [r for r in requests if r.requested_on <= last_day]
    for r in requests:
        if r.decided_on and r.decided_on > last_day:  # not answered yet
            r.state, r.decided_on, r.decided_by, r.reason = RequestState.REQUESTED, None, None, ""
    requests.sort(key=lambda r: (r.requested_on, r.created_at))
    _insert(requests, year)
    _baseline(district, communities, issued_plan, year - 1, found)


@functools.cache
def _add_workdays(day: dt.date, days: int) -> dt.date:
    return workdays.add_workdays(day, days)


def _request(rng, community, item, day, state, people, actor) -> CertificateRequest:
    person = rng.choice(people) if people else None
    request = CertificateRequest(
        community=community,
        item=item,
        person=person,
        requested_by=actor,
        channel=Channel.COUNTER if rng.random() < 0.7 or state == RequestState.REDIRECTED else Channel.ONLINE,
        state=state,
        requested_on=day,
        created_at=_at(day, rng.randint(8, 16), rng.randint(0, 59)),
    )
    if state == RequestState.REDIRECTED:
        request.decided_on, request.decided_by = day, actor
        request.responsible_body, request.rule = item.issuing_body, item.legal_basis
        request.person = None  # a must-not ask needs nobody's personal data
    else:
        request.due_on = _add_workdays(day, item.days_to_issue)
        request.decided_on = _add_workdays(day, rng.randint(0, item.days_to_issue))
        request.decided_by = actor
        if state == RequestState.REFUSED:
            request.reason = rng.choice(REFUSALS)
        else:
            request.evidence_checked = list(item.evidence)
    return request


def _next(key: str, count: int) -> int:
    """Reserve `count` numbers of a yearly series; returns the first."""
    seq, _ = Sequence.objects.select_for_update().get_or_create(key=key)
    first = seq.value + 1
    seq.value += count
    seq.save(update_fields=["value"])
    return first


def _insert(requests: list[CertificateRequest], year: int) -> None:
    rng = random.Random(42)
    first = _next(f"ZQ{year}", len(requests))
    for i, r in enumerate(requests):
        r.number = f"ZQ{year}-{first + i:04d}"
    asked_at = {r.number: r.created_at for r in requests}  # bulk_create stamps created_at with now
    CertificateRequest.objects.bulk_create(requests)
    # bulk_create on SQLite may not return primary keys on every backend: read them back.
    by_number = dict(
        CertificateRequest.objects.filter(number__in=[r.number for r in requests]).values_list("number", "pk")
    )
    for r in requests:
        r.pk = by_number[r.number]
    events = []
    for r in requests:
        # A must-not ask is answered at once: its one row is the redirect (as services.request_create writes).
        redirected = r.state == RequestState.REDIRECTED
        events.append(
            RequestEvent(
                request_id=r.pk,
                action="redirect" if redirected else "request",
                from_state=RequestState.REQUESTED if redirected else "",
                to_state=r.state if redirected else RequestState.REQUESTED,
                actor=r.requested_by,
                at=asked_at[r.number],
            )
        )
        if r.state in (RequestState.ISSUED, RequestState.REFUSED):
            events.append(
                RequestEvent(
                    request_id=r.pk,
                    action="issue" if r.state == RequestState.ISSUED else "refuse",
                    from_state=RequestState.REQUESTED,
                    to_state=r.state,
                    actor=r.decided_by,
                    note=r.reason,
                    at=_at(r.decided_on, 15, 0),
                )
            )
    RequestEvent.objects.bulk_create(events)
    issued = sorted((r for r in requests if r.state == RequestState.ISSUED), key=lambda r: (r.decided_on, r.pk))
    per_community: dict[int, list[CertificateRequest]] = defaultdict(list)
    for r in issued:
        per_community[r.community_id].append(r)
    certificates = []
    for rs in per_community.values():
        prefix = services.serial_prefix(rs[0].community)
        start = _next(f"{prefix}{year}", len(rs))
        for i, r in enumerate(rs):
            certificates.append(
                Certificate(
                    request_id=r.pk,
                    serial=f"{prefix}{year}-{start + i:04d}",
                    code="".join(rng.choice(services.CODE_ALPHABET) for _ in range(services.CODE_LENGTH)),
                    community_id=r.community_id,
                    item_id=r.item_id,
                    person_id=r.person_id,
                    statement=services.default_statement(r),
                    purpose=r.purpose,
                    issued_on=r.decided_on,
                    issued_at=_at(r.decided_on, 15, 0),
                    issued_by=r.decided_by,
                )
            )
    Certificate.objects.bulk_create(certificates)
    serials = dict(Certificate.objects.filter(serial__in=[c.serial for c in certificates]).values_list("serial", "pk"))
    names = dict(WorkItem.objects.filter(pk__in={c.item_id for c in certificates}).values_list("pk", "name"))
    SealUse.objects.bulk_create(
        SealUse(
            community_id=c.community_id,
            used_on=c.issued_on,
            used_at=c.issued_at,
            used_by=c.issued_by,
            document=f"{names[c.item_id]}（{c.serial}）",
            certificate_id=serials[c.serial],
        )
        for c in certificates
    )


def _baseline(district, communities, issued_plan, baseline_year, found) -> None:
    """Before the lists, the same communities issued may-issue certificates a little more often
    (循环证明), the must-not ones as they were asked, and others with no basis at all."""
    rng = random.Random(2019)
    weights = [float(i.occurrences_per_year) for i in found.must_not] + [
        sum(float(i.occurrences_per_year) for i in found.must_not) * 0.1
    ]
    labels = [(i, i.name) for i in found.must_not] + [(None, OTHER_BASELINE)]
    cells = []
    for community in communities:
        for month in range(1, 13):
            plan = issued_plan.get((community.pk, month), {})
            total = round(sum(plan.values()) / (1 - FALL))
            may = {pk: min(round(n * rng.uniform(1.0, 1.2)), total) for pk, n in plan.items()}
            rest = max(0, total - sum(may.values()))
            for item in found.may:
                if may.get(item.pk):
                    cells.append(
                        BaselineCount(
                            community=community,
                            item=item,
                            label=item.name,
                            year=baseline_year,
                            month=month,
                            issued=may[item.pk],
                        )
                    )
            for (item, label), n in zip(labels, _apportion(rest, weights), strict=True):
                if n:
                    cells.append(
                        BaselineCount(
                            community=community, item=item, label=label, year=baseline_year, month=month, issued=n
                        )
                    )
    BaselineCount.objects.bulk_create(cells)


# -------------------------------------------------------------------------- today, through the services


def _recent(district: Org, community: Org) -> None:
    """Today's counter, as the demo accounts: every path a request can take, audited."""
    users = {u.username: u for u in User.objects.filter(username__in=["community", "resident", "office"])}
    worker, resident = users.get("community"), users.get("resident")
    if worker is None:
        return
    found = lists.listed(district)
    by_name = {i.name: i for i in found.may + found.must_not}
    people = list(Person.objects.filter(community=community).exclude(id_number="").order_by("pk")[:60])
    if len(people) < 8:
        return
    today = clock.today()

    def at(hour: int):
        return clock.frozen_at(today, hour)

    def counter(name, person, purpose=""):
        return services.request_create(
            actor=worker, community=community, item=by_name[name], person=person, purpose=purpose
        )

    with at(8):
        services.seal_use_record(
            actor=worker, community=community, document=f"古塘社区人民调解委员会调解协议书（{today.year}调字第12号）"
        )
        wrong = services.seal_use_record(actor=worker, community=community, document="社区活动场地借用确认函")
        services.seal_use_revoke(actor=worker, seal_use=wrong, reason="登记错误：该函未加盖社区印章")
    with at(9):
        r = counter("借住人员实际居住情况证明（申领居住证用）", people[0], "申领居住证")
        services.certificate_issue(actor=worker, request=r, evidence_checked=by_name[r.item.name].evidence)
        r = counter("临时救助申请情况说明", people[1], "申请临时救助")
        services.certificate_issue(actor=worker, request=r, by_commitment=True)
        r = counter("借住人员实际居住情况证明（申领居住证用）", people[2], "申领居住证")
        false = services.certificate_issue(actor=worker, request=r, by_commitment=True)
    with at(10):
        r = counter("无犯罪记录证明", None, "用人单位入职要求")  # redirected at once
        r = counter("收养人抚养教育能力情况证明", people[3], "办理收养登记")
        services.certificate_refuse(actor=worker, request=r, reason="申请人未能提供结婚证，婚姻状况无法核实")
        r = counter("社区志愿服务记录证明", people[4], "升学")
        revoked = services.certificate_issue(actor=worker, request=r, evidence_checked=by_name[r.item.name].evidence)
        services.certificate_revoke(actor=worker, certificate=revoked, reason="志愿服务时长登记有误，已重新出具")
    with at(11):
        deliberation = deliberations.deliberation_record(
            actor=worker,
            community=community,
            kind=DeliberationKind.CONSULTATION,
            held_on=today - dt.timedelta(days=3),
            subject="古塘花苑业主大会首次会议筹备和业主委员会选举",
            agenda="听取筹备组报告；核对业主委员会选举程序；议定是否出具选举情况意见",
            participants=46,
            outcome="居民代表、业主代表和物业企业参加。听取筹备组报告，核对选举程序，无异议。同意出具选举情况意见。",
            follow_up="社区出具选举情况意见，业主委员会向街道备案",
        )
        r = counter("业主大会首次会议和业主委员会选举情况意见", people[5], "业主委员会备案")
        services.request_sign_off(actor=worker, request=r, deliberation=deliberation)
        services.certificate_issue(actor=worker, request=r, evidence_checked=by_name[r.item.name].evidence)
        deliberations.deliberation_publish(actor=worker, deliberation=deliberation)  # residents see what it rests on
    with at(14):
        services.certificate_revoke(
            actor=worker,
            certificate=false,
            reason="经核查，申请人并未在所申报住址居住，承诺不实",
            false_commitment=True,
        )
        services.dishonesty_record(
            actor=worker, person=people[6], source="全国信用信息共享平台", listed_on=today - dt.timedelta(days=200)
        )
    if resident is not None:
        with at(15):
            mine = services.request_create(
                actor=resident, community=community, item=by_name["社区志愿服务记录证明"], purpose="学校要求"
            )
            namesake = next((p for p in people if p.name.startswith("孙")), people[7])
            services.request_identify(actor=worker, request=mine, person=namesake)
