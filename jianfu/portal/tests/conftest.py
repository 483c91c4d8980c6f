"""Portal fixtures on the root cast's small district (tree): catalog items in and out of force,
departments' commitments, evaluation campaigns released and not, deliberation records."""

import datetime as dt

import pytest
from django.utils import timezone

from jianfu.catalog.models import Category, ItemKind, WorkItem
from jianfu.core import clock
from jianfu.deliberations import services
from jianfu.deliberations.models import DeliberationKind
from jianfu.evaluation import services as evaluation
from jianfu.evaluation.models import Campaign, Direction
from jianfu.evaluation.tests.conftest import add_households, create
from jianfu.portal.models import Commitment

TODAY = dt.date(2026, 12, 7)  # inside the evaluation fixtures' ballot weeks (1–20 December 2026)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The cast's accounts are created for every test; Argon2 would make that most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def freeze(monkeypatch) -> dt.date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: timezone.make_aware(dt.datetime.combine(TODAY, dt.time(9))))
    return TODAY


@pytest.fixture
def frozen(monkeypatch):
    return freeze(monkeypatch)


def hearing(actor, community, *, publish: bool = True, **fields):
    """A cooking-fume hearing recorded (and published) through the services."""
    values = {
        "kind": DeliberationKind.HEARING,
        "held_on": TODAY - dt.timedelta(days=30),
        "subject": "幸福路12号烧烤店油烟扰民居民听证会",
        "agenda": "一、通报投诉情况；二、经营者陈述；三、居民代表发言；四、表决。",
        "participants": 36,
        "outcome": "经营者15日内加装油烟净化装置，排烟管改至楼顶。",
        "follow_up": "执法中队复查：已整改到位，投诉居民满意。",
    } | fields
    record = services.deliberation_record(actor=actor, community=community, **values)
    if publish:
        record = services.deliberation_publish(actor=actor, deliberation=record)
    return record


def work_item(tree, code: str, **fields) -> WorkItem:
    values = {
        "name": f"事项{code}",
        "kind": ItemKind.TASK,
        "category": Category.DUTY,
        "department": tree["health"],
        "year": TODAY.year,
    } | fields
    streets = values.pop("scope_streets", [])
    item = WorkItem.objects.create(code=code, **values)
    item.scope_streets.set(streets)
    return item


@pytest.fixture
def items(tree, frozen):
    """Items in force for community11 (two), and four that are not: another street's, another
    community type's, the negative list, last year's and an expired temporary one."""
    return {
        "task": work_item(tree, "T1", name="组织居民参与传染病预防与控制"),
        "ledger": work_item(
            tree,
            "L1",
            name="协助做好残疾人服务台账",
            kind=ItemKind.LEDGER,
            category=Category.ASSIST,
            funding_yuan=2000,
            scope_streets=[tree["street1"]],
        ),
        "other_street": work_item(
            tree, "L2", name="只在第二街道的台账", kind=ItemKind.LEDGER, scope_streets=[tree["street2"]]
        ),
        "bungalow": work_item(
            tree, "S1", name="平房区专项调查", kind=ItemKind.SURVEY, scope_community_types=["bungalow"]
        ),
        "negative": work_item(tree, "N1", name="招商引资任务", category=Category.NEGATIVE),
        "last_year": work_item(tree, "T0", name="去年的创建评比", kind=ItemKind.CAMPAIGN, year=TODAY.year - 1),
        "expired": work_item(
            tree, "T9", name="已到期的临时任务", temporary=True, valid_until=TODAY - dt.timedelta(days=1)
        ),
    }


def make_commitments(tree) -> dict[str, Commitment]:
    """卫健局 serves every community; 民政局 only the second street."""
    health = Commitment.objects.create(
        department=tree["health"],
        duties="家庭医生签约与上门服务；慢病随访；预防接种",
        duty_phone="0574-63012301",
        complaint_phone="12320",
        hours="工作日 8:30—17:00",
        updated_at=clock.now(),
    )
    civil = Commitment.objects.create(
        department=tree["civil_affairs"],
        duties="低保、特困、临时救助政策咨询",
        duty_phone="0574-63012101",
        complaint_phone="0574-63012199",
        updated_at=clock.now(),
    )
    civil.streets.set([tree["street2"]])
    return {"health": health, "civil": civil}


@pytest.fixture
def commitments(tree, frozen):
    return make_commitments(tree)


def resident_campaign(office, community, title: str, *, votes: int, value: int = 4) -> Campaign:
    """A residents-rate-their-community campaign, open, with `votes` households voting `value`."""
    campaign = create(office, Direction.COMMUNITY, title=title)
    evaluation.targets_set(actor=office, campaign=campaign, keys=[f"o{community.pk}"])
    evaluation.campaign_open(actor=office, campaign=campaign)
    slips = evaluation.codes_issue(actor=office, campaign=campaign, community=community)
    target = campaign.targets.get(org=community, worker__isnull=True)
    opinion = [i for i in campaign.indicators.all() if i.is_opinion]
    for slip in slips[:votes]:
        evaluation.household_vote(code=slip.code, ratings={target.pk: {i.pk: value for i in opinion}})
    return campaign


def make_campaigns(tree, office) -> dict[str, Campaign]:
    """For community11: one campaign released (4 of 5 households voted), one closed but not
    released, and a released rating of its workers (never public, person by person). The
    community worker must exist before the workers' campaign picks its targets."""
    community = tree["community11"]
    add_households(community, 5)
    released = resident_campaign(office, community, "2026年度居民评议社区", votes=4)
    evaluation.campaign_close(actor=office, campaign=released)
    evaluation.campaign_release(actor=office, campaign=Campaign.objects.get(pk=released.pk))
    pending = resident_campaign(office, community, "2026年度居民评议社区（复评）", votes=2, value=2)
    evaluation.campaign_close(actor=office, campaign=pending)
    workers = create(office, Direction.WORKER, title="2026年度居民评议社区工作者")
    evaluation.campaign_open(actor=office, campaign=workers)
    evaluation.campaign_close(actor=office, campaign=workers)
    evaluation.campaign_release(actor=office, campaign=Campaign.objects.get(pk=workers.pk))
    return {
        "released": Campaign.objects.get(pk=released.pk),
        "pending": Campaign.objects.get(pk=pending.pk),
        "workers": Campaign.objects.get(pk=workers.pk),
    }


@pytest.fixture
def campaigns(tree, office, community_worker, frozen):
    return make_campaigns(tree, office)
