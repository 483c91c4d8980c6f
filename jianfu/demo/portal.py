"""Demo deliberation records for the demo district, after seed 004 (武汉, 2004): 74 communities held
residents' hearings on cooking-fume nuisance (油烟扰民) and 100+ cases were resolved; communities also
held public opinion forums (民情恳谈会) and dialogues with departments (社区对话).

In the demo district (慈溪, 48 communities) most communities held a cooking-fume hearing in the
previous or the current year, some a second one; there are forums, dialogues and consultations too.
All are published except a couple of drafts. Deterministic (fixed seed); running it again changes
nothing. Demo rows are inserted in bulk and, like the other demo loaders' generated history, carry
no audit entries."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from jianfu.core import bulk, clock
from jianfu.deliberations.models import Deliberation, DeliberationKind
from jianfu.orgs.models import DEPARTMENT_KINDS, Org, OrgKind, User
from jianfu.portal.models import Commitment

from .cases_data import COMMITMENTS

SEED = 2004  # the year 武汉's communities held their cooking-fume hearings (seed 004)
HEARING_SHARE = 0.72  # of the communities: about 34 of 48 held a cooking-fume hearing
SECOND_HEARING_SHARE = 0.3
WINDOW_DAYS = 640  # records of about the last 21 months

ROADS = [
    "新城大道",
    "三北大街",
    "孙塘路",
    "青少年宫路",
    "开发大道",
    "古塘路",
    "界牌路",
    "明州路",
    "南二环线",
    "北三环",
    "慈甬路",
    "峙山路",
    "白沙路",
    "周西公路",
    "观附公路",
]
SHOPS = ["烧烤店", "小吃店", "面馆", "大排档", "火锅店", "快餐店", "早餐店", "饭店", "龙虾馆", "臭豆腐摊"]
HEARING_OUTCOMES = [
    "{voters}名听证代表中{yes}名同意：经营者{days}日内加装油烟净化装置，排烟管道改至楼顶高空排放，"
    "晚上10点后停止露天烧烤；逾期未整改的，社区将听证意见书报送市综合行政执法局依法处理。",
    "经营者当场承诺将灶台移至后厨，更换高效油烟净化器并每季度清洗一次，清洗记录在店门口公示，"
    "接受居民监督；{voters}名听证代表中{yes}名表示认可。",
    "听证代表一致认为该店排烟口正对住宅窗户，现有条件无法达标排放，建议经营者停止明火作业或另行选址；"
    "社区将听证意见书报送市综合行政执法局和宁波市生态环境局慈溪分局依法处理。",
    "经营者同意{days}日内完成整改：安装油烟净化设备、延长排烟管道、加装隔音罩；社区组织居民代表和"
    "经营者签订《睦邻公约》，整改期间由网格员每周回访。",
]
HEARING_FOLLOW_UPS = [
    "{after}日后社区会同市综合行政执法局中队联合复查：已加装油烟净化装置，排烟管改至楼顶，投诉居民表示满意，此案办结。",
    "经营者按期完成整改；社区网格员连续三个月每月回访一次，未再接到油烟投诉。",
    "经营者未按期整改，市综合行政执法局立案查处并责令停止露天烧烤，该店已停业整改；社区向参会居民通报了处理结果。",
    "经营者更换了油烟净化器并把营业时间调整到晚上10点前；宁波市生态环境局慈溪分局检测油烟排放达标。",
]
PENDING = "后续事项正在办理，社区每周跟踪，办结后在此更新。"
HEARING_PENDING = "听证意见书已送市综合行政执法局，经营者整改期限未到，社区网格员每周跟踪。"

FORUMS = [
    ("老旧小区加装电梯民情恳谈会", "低层住户担心采光和噪声，高层老人盼望加装电梯，费用如何分摊。"),
    ("小区停车难民情恳谈会", "夜间车位不足、消防通道被占，外来车辆进入小区。"),
    ("垃圾分类投放点设置民情恳谈会", "投放点位置、定时定点投放时段、督导员安排。"),
    ("物业服务质量民情恳谈会", "保洁、绿化、门岗管理不到位，物业费收缴率低。"),
    ("居家养老服务站运营民情恳谈会", "助餐服务价格和口味、上门服务时间、志愿者排班。"),
    ("电动自行车集中充电棚建设民情恳谈会", "楼道充电火灾隐患，充电棚选址和收费标准。"),
]
FORUM_OUTCOMES = [
    "形成三条共识：成立由居民代表参加的工作小组；方案在各楼道公示7天征求意见；费用分摊办法由业主大会表决。",
    "社区将居民提出的{n}条意见整理成清单，分别交物业公司、业委会和相关部门办理，办理结果在社区公开栏公示。",
    "多数居民同意试行方案三个月，试行期满再开恳谈会评估；社区负责收集试行期间的意见。",
]
FORUM_FOLLOW_UPS = [
    "工作小组已成立，方案公示期满无异议，已进入实施阶段；社区每月在公开栏通报进度。",
    "意见清单{n}条中已办结{done}条，其余{rest}条列入物业公司下季度整改计划。",
    "试行三个月后复评，{yes}%的参会居民表示满意，方案转为长期执行。",
]
DIALOGUES = [
    ("市住房和城乡建设局", "老旧小区改造", "改造范围、施工期间出行安排、雨污分流和外墙保温。"),
    ("市综合行政执法局", "占道经营与夜市管理", "夜市摊位噪声和油烟、占用人行道、收摊后卫生。"),
    ("市公安局", "小区技防与电信诈骗防范", "小区门禁和监控覆盖、老年人防范电信诈骗。"),
    ("市卫生健康局", "社区卫生服务站就诊", "家庭医生签约服务、慢病配药、夜间就诊。"),
    ("市交通运输局", "公交线路与站点调整", "公交站点离小区太远、早晚高峰班次少。"),
]
DIALOGUE_OUTCOMES = [
    "{department}负责人现场答复居民提出的{n}个问题，对其中{k}个问题承诺了办理时限，并留下了承诺电话。",
    "{department}同意在{days}个工作日内拿出书面方案，方案在社区公示征求意见后实施。",
]
DIALOGUE_FOLLOW_UPS = [
    "{department}已按承诺办结{k}个问题，社区向参会居民逐一反馈；其余问题列入部门年度计划。",
    "书面方案已在社区公示，居民意见已由{department}采纳并实施。",
]
CONSULTATIONS = [
    ("小区公共收益使用议事协商", "电梯广告和停车收益约{money}元，用于补充维修资金还是改造休闲广场。"),
    ("楼道堆物清理议事协商", "楼道堆放杂物和电瓶车，存在消防隐患。"),
    ("小区绿地改建停车位议事协商", "部分居民要求将闲置绿地改为停车位，部分居民反对减少绿化。"),
]
CONSULTATION_OUTCOMES = [
    "经居民代表表决，{yes}票赞成，{no}票反对，通过协商方案；方案及表决结果在小区公示。",
    "协商达成一致：划定集中堆放点，一个月内由楼道长组织清理，逾期未清理的由物业统一清运。",
]
CONSULTATION_FOLLOW_UPS = [
    "方案已由物业公司按协商结果实施，费用支出在小区公示栏逐项公开。",
    "楼道长组织清理完毕，消防通道畅通；社区网格员每月巡查一次。",
]


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    # One draw whatever the span, so every date picks the same records.
    return start + dt.timedelta(days=int(rng.random() * (max(0, (end - start).days) + 1)))


class _Maker:
    def __init__(self, district: Org, today: dt.date):
        self.rng = random.Random(SEED)
        self.today = today
        self.now = clock.now()
        self.start = today - dt.timedelta(days=WINDOW_DAYS)
        self.last = today - dt.timedelta(days=2)
        self.rows: list[Deliberation] = []
        users = {u.username: u for u in User.objects.filter(username__in=["office", "street", "street2", "community"])}
        self.users = users
        self.communities = list(
            Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path)
            .select_related("parent")
            .order_by("code")
        )

    def recorder(self, community: Org) -> User | None:
        """Who keeps the record: the demo community worker for 古塘社区, the demo street workers for
        their streets, the office elsewhere."""
        if community.name == "古塘社区" and "community" in self.users:
            return self.users["community"]
        by_street = {"古塘街道": "street", "浒山街道": "street2"}
        return self.users.get(by_street.get(community.parent.name, "office"), self.users.get("office"))

    def add(self, community: Org, kind: str, held_on: dt.date, subject: str, agenda: str, outcome: str, follow_up):
        """follow_up: (text, days until done or None while still under way)."""
        rng = self.rng
        text, after = follow_up
        done = held_on + dt.timedelta(days=after) if after is not None else None
        if done is not None and done > self.today:
            text, done = HEARING_PENDING if kind == DeliberationKind.HEARING else PENDING, None
        recorded = timezone.make_aware(
            dt.datetime.combine(held_on + dt.timedelta(days=1), dt.time(16, rng.randint(0, 59)))
        )
        published = recorded + dt.timedelta(days=rng.randint(1, 5), hours=1)
        self.rows.append(
            Deliberation(
                kind=kind,
                community=community,
                held_on=held_on,
                subject=subject,
                agenda=agenda,
                participants=rng.randint(20, 80),
                outcome=outcome,
                follow_up=text,
                follow_up_done=done,
                published_at=min(published, self.now),
                recorded_by=self.recorder(community),
                created_at=min(recorded, self.now),
            )
        )

    def hearing(self, community: Org, held_on: dt.date) -> None:
        rng = self.rng
        road, shop = rng.choice(ROADS), rng.choice(SHOPS)
        number = rng.randint(1, 388)
        complaints = rng.randint(4, 30)
        voters = rng.randint(11, 21)
        days = rng.choice([15, 20, 30])
        agenda = (
            f"一、社区通报{road}{number}号{shop}油烟、噪声扰民情况（近半年居民投诉{complaints}次）；"
            "二、经营者陈述经营情况和整改打算；三、受影响居民代表发言；"
            "四、市综合行政执法局、宁波市生态环境局慈溪分局说明油烟排放标准和执法依据；五、听证代表评议表决。"
        )
        outcome = rng.choice(HEARING_OUTCOMES).format(voters=voters, yes=rng.randint(voters - 3, voters), days=days)
        follow_up = rng.choice(HEARING_FOLLOW_UPS).format(after=days + rng.randint(1, 10))
        self.add(
            community,
            DeliberationKind.HEARING,
            held_on,
            f"{road}{number}号{shop}油烟扰民居民听证会",
            agenda,
            outcome,
            (follow_up, days + rng.randint(5, 25)),
        )

    def forum(self, community: Org, held_on: dt.date) -> None:
        rng = self.rng
        subject, issue = rng.choice(FORUMS)
        n = rng.randint(6, 18)
        done = rng.randint(n // 2, n)
        self.add(
            community,
            DeliberationKind.FORUM,
            held_on,
            subject,
            f"一、社区通报居民反映的问题：{issue}二、居民自由发言；三、物业公司、业委会回应；四、梳理意见、形成共识。",
            rng.choice(FORUM_OUTCOMES).format(n=n),
            (
                rng.choice(FORUM_FOLLOW_UPS).format(n=n, done=done, rest=n - done, yes=rng.randint(78, 96)),
                rng.randint(30, 100),
            ),
        )

    def dialogue(self, community: Org, held_on: dt.date) -> None:
        rng = self.rng
        department, topic, issue = rng.choice(DIALOGUES)
        n = rng.randint(5, 14)
        k = rng.randint(2, n)
        self.add(
            community,
            DeliberationKind.DIALOGUE,
            held_on,
            f"社区对话：与{department}面对面谈{topic}",
            f"一、{department}负责人介绍相关政策；二、居民提问：{issue}三、部门现场答复；四、记录需要后续办理的问题。",
            rng.choice(DIALOGUE_OUTCOMES).format(department=department, n=n, k=k, days=rng.choice([10, 15, 20])),
            (rng.choice(DIALOGUE_FOLLOW_UPS).format(department=department, k=k), rng.randint(20, 60)),
        )

    def consultation(self, community: Org, held_on: dt.date) -> None:
        rng = self.rng
        subject, issue = rng.choice(CONSULTATIONS)
        yes = rng.randint(14, 25)
        self.add(
            community,
            DeliberationKind.CONSULTATION,
            held_on,
            subject,
            f"一、议题说明：{issue.format(money=rng.randint(3, 12) * 10000)}二、各方陈述意见；三、协商讨论；四、表决。",
            rng.choice(CONSULTATION_OUTCOMES).format(yes=yes, no=rng.randint(0, 6)),
            (rng.choice(CONSULTATION_FOLLOW_UPS), rng.randint(15, 45)),
        )

    def run(self) -> None:
        rng = self.rng
        for community in self.communities:
            if rng.random() < HEARING_SHARE or community.name == "古塘社区":
                self.hearing(community, _day_between(rng, self.start, self.last))
                # 古塘 always has a second: its newest record stays a draft, the other is public.
                if rng.random() < SECOND_HEARING_SHARE or community.name == "古塘社区":
                    self.hearing(community, _day_between(rng, self.start, self.last))
            if rng.random() < 0.4:
                self.forum(community, _day_between(rng, self.start, self.last))
            if rng.random() < 0.2:
                self.dialogue(community, _day_between(rng, self.start, self.last))
            if rng.random() < 0.15:
                self.consultation(community, _day_between(rng, self.start, self.last))
        # A couple of drafts not yet published: the newest record of 古塘社区 (for the demo community
        # worker to publish) and the newest record of the district.
        self.rows.sort(key=lambda r: (r.held_on, r.community.code, r.subject))
        gutang = next((r for r in reversed(self.rows) if r.community.name == "古塘社区"), None)
        other = next(r for r in reversed(self.rows) if r is not gutang)
        for row in (gutang, other):
            if row is not None:
                row.published_at = None


def _commitments(district: Org) -> int:
    """四到社区: the departments' duties and phones on every community page (idempotent)."""
    departments = {o.name: o for o in Org.objects.filter(parent=district, kind__in=DEPARTMENT_KINDS)}
    now = clock.now()
    for name, duties, duty_phone, complaint_phone in COMMITMENTS:
        Commitment.objects.get_or_create(
            department=departments[name],
            defaults={
                "duties": duties,
                "duty_phone": duty_phone,
                "complaint_phone": complaint_phone,
                "hours": "工作日 8:30—12:00，13:30—17:00",
                "updated_at": now,
            },
        )
    return len(COMMITMENTS)


def load(district: Org) -> str:
    commitments = _commitments(district)
    existing = Deliberation.objects.filter(community__path__startswith=district.path)
    if existing.filter(kind=DeliberationKind.HEARING).exists():  # the certificates' demo records one consultation
        return f"{commitments} commitments; {existing.count()} deliberation records (already loaded)"
    maker = _Maker(district, clock.today())
    maker.run()
    with transaction.atomic():
        bulk.insert(maker.rows)
    hearings = [r for r in maker.rows if r.kind == DeliberationKind.HEARING]
    return (
        f"{commitments} commitments; {len(maker.rows)} deliberation records, {len(hearings)} cooking-fume hearings in "
        f"{len({r.community_id for r in hearings})} communities, "
        f"{sum(1 for r in maker.rows if r.published_at is None)} drafts"
    )
