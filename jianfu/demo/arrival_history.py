"""What reached the demo communities month by month in the baseline year and the reform year
(issue 21, point 7), shared by the demo's orders, violation reports and ledger requests.

The story: before the reform a few departments (``LEAKERS``) and one street (``LEAKING_STREET``) sent
work no item covered — orders refused at the gate, violations the office confirmed — about a third of
all that arrived; after it they send little, about one arrival in twenty. Every date comes from
``demo.years`` and the clock: a month of the reform year is filled only once its day has passed."""

import datetime as dt

from jianfu.core import clock, workdays
from jianfu.orgs.models import Membership, Org, OrgKind, Role, User
from jianfu.orgs.services import membership_grant

from . import years as demo_years

LEAKERS = ["市统计局", "市商务局", "市人力社保局"]
LEAKING_STREET = "古塘街道"
# Work orders under items in force, each month to four communities in turn: (department, item, hours).
COVERED_ORDERS = [
    ("市民政局", "协助做好最低生活保障、特困人员供养和临时救助", "4", "低保家庭月度入户走访"),
    ("市人力社保局", "协助做好就业失业登记和就业援助", "2", "就业困难人员帮扶登记"),
    ("市应急管理局", "群众性消防工作", "2", "楼道堆物和电动自行车违规充电排查"),
]
COVERED_TARGETS = 4
# What the leaking senders push without an item (refused at the gate, or confirmed as violations).
UNAPPROVED = {
    "市统计局": ["辖区个体工商户用工情况统计表", "小微企业经营情况入户摸底", "居民消费支出抽样登记"],
    "市商务局": ["招商引资线索摸排", "消费券发放居民名单报送", "家政服务企业信息采集"],
    "市人力社保局": ["城乡居民养老保险扩面指标分解", "辖区企业用工缺口摸排", "职业技能培训报名人数指标"],
    "古塘街道": ["沿街商铺每日巡查照片上报", "创建文明街道迎检值守", "街道月度排名材料报送"],
}


def month_days(year: int, day: int) -> list[dt.date]:
    """The first working day from `day` of each month of the year that lies before today."""
    today = clock.today()
    out = []
    for month in range(1, 13):
        on = dt.date(year, month, day)
        while not workdays.is_workday(on):
            on += dt.timedelta(days=1)
        if on < today:
            out.append(on)
    return out


def story_years() -> tuple[int, int]:
    years = demo_years.years()
    return years.baseline, years.reform


def communities(district: Org) -> list[Org]:
    return list(
        Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path)
        .select_related("parent")
        .order_by("path")
    )


def community_worker(community: Org) -> User:
    """The community's worker; communities without a demo account get one that cannot log in."""
    membership = Membership.objects.filter(org=community, role=Role.COMMUNITY).select_related("user").first()
    if membership is not None:
        return membership.user
    worker = User.objects.create_user(username=f"community-{community.code}", display_name=f"{community.name}社工")
    membership_grant(actor=None, user=worker, org=community, role=Role.COMMUNITY)
    return worker
