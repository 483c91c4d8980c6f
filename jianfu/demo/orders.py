"""Demo work orders (issue 19, point 2), sent and answered through the services: the health bureau's
orders under its items in force (one taken on, one done, one refused by 古塘社区 with a receipt),
orders refused at the gate (no item; more hours than the item allows) and, when 古塘街道 has an item
of its own in force, a street's meeting notice that a community of another street does not receive.
Before them, the baseline year's and the reform year's months of orders (``_history``, arrival_history):
what three departments sent under their items, and what the leaking senders sent without one."""

from decimal import Decimal

from django.db import transaction

from jianfu.catalog import gate
from jianfu.catalog.models import WorkItem
from jianfu.core import clock
from jianfu.orders import services
from jianfu.orders.models import ORDER_KINDS, Order
from jianfu.orgs.models import Org, OrgKind, User

from . import arrival_history as history
from .ledger import clerk_for

HEALTH = "市卫生健康局"


def _item(department: Org, name: str) -> WorkItem | None:
    in_force = WorkItem.objects.filter(WorkItem.in_force_q(clock.today()), department=department, name=name)
    return in_force.first()


def _history(district: Org) -> None:
    """A year of orders before the reform and the reform year's so far (arrival_history): each month
    three departments send under their items to four communities in turn; the leaking senders send
    work no item covers, refused at the gate — every month before the reform, now and then after."""
    baseline, reform = history.story_years()
    communities = history.communities(district)
    senders = {o.name: o for o in Org.objects.filter(parent=district)}
    street = senders[history.LEAKING_STREET]
    street_worker = User.objects.get(username="street")
    own = [c for c in communities if c.parent_id == street.pk]
    clerks = {name: clerk_for(senders[name]) for name in {d for d, *_ in history.COVERED_ORDERS} | set(history.LEAKERS)}
    for year in (baseline, reform):
        for n, day in enumerate(history.month_days(year, 8)):
            with clock.frozen_at(day):
                _covered(senders, clerks, communities, n)
                _unapproved(year == baseline, n, senders, clerks, communities, street, street_worker, own)


def _covered(senders, clerks, communities, n: int) -> None:
    start = n * history.COVERED_TARGETS
    for k, (department, name, hours, title) in enumerate(history.COVERED_ORDERS):
        item = _item(senders[department], name)
        if item is None:
            continue
        first = (start + k * 16) % len(communities)
        targets = (communities * 2)[first : first + history.COVERED_TARGETS]
        refused = gate.refusals(item, targets, kind=item.kind)
        targets = [c for c in targets if c not in refused]
        if targets:
            services.order_send(
                actor=clerks[department],
                source=senders[department],
                kind=item.kind,
                item=item,
                title=title,
                hours=Decimal(hours),
                workdays_to_do=5,
                communities=targets,
            )


def _unapproved(before: bool, n: int, senders, clerks, communities, street, street_worker, own) -> None:
    """Before the reform every leaking department sends to one community each month, and the street to
    two of its own; after it one department a month, and the street every third month."""
    departments = history.LEAKERS if before else [history.LEAKERS[n % len(history.LEAKERS)]]
    for k, department in enumerate(departments):
        first = (n * 5 + k * 11) % len(communities)
        services.order_send(
            actor=clerks[department],
            source=senders[department],
            kind="task",
            item=None,
            title=history.UNAPPROVED[department][n % 3],
            hours=Decimal(3),
            workdays_to_do=3,
            communities=[communities[first]],
        )
    if before or n % 3 == 2:
        first = n % len(own)
        services.order_send(
            actor=street_worker,
            source=street,
            kind="task",
            item=None,
            title=history.UNAPPROVED[street.name][n % 3],
            hours=Decimal(2),
            workdays_to_do=2,
            communities=(own * 2)[first : first + 2],
        )


@transaction.atomic
def load(district: Org) -> str:
    existing = Order.objects.filter(source__path__startswith=district.path)
    if existing.exists():
        return f"{existing.count()} work orders (already loaded)"
    clerk, community, street_worker = (User.objects.get(username=n) for n in ("clerk", "community", "street"))
    health = Org.objects.get(name=HEALTH, parent=district)
    gutang_street = Org.objects.get(name="古塘街道", parent=district)
    gutang, danyuan, xihe = (
        Org.objects.get(name=n, parent=gutang_street) for n in ("古塘社区", "旦苑社区", "西河社区")
    )
    other_street = Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=district.path).exclude(
        parent=gutang_street
    )
    outside = other_street.order_by("code").first()

    def send(source, actor, item, kind, title, hours, days, communities=(), **extra):
        return services.order_send(
            actor=actor,
            source=source,
            kind=kind,
            item=item,
            title=title,
            hours=Decimal(hours),
            workdays_to_do=days,
            communities=communities,
            **extra,
        )

    checkups = _item(health, "协助开展基本公共卫生服务")
    if checkups is not None:
        send(
            health,
            clerk,
            checkups,
            checkups.kind,
            "65岁以上老年人免费健康体检入户通知",
            "4",
            10,
            [gutang, danyuan, xihe],
            instructions="入户通知辖区65岁以上老年人到社区卫生服务站参加免费健康体检，登记不能到站的老人。",
        )
    epidemic = _item(health, "组织居民参与传染病预防与控制")
    if epidemic is not None:
        order = send(
            health,
            clerk,
            epidemic,
            epidemic.kind,
            "秋冬季呼吸道传染病防控宣传",
            "2",
            5,
            all_in_scope=True,
            instructions="在社区公告栏张贴防控海报，居民群转发防控提示。",
        )
        mine = order.deliveries.filter(community=gutang).first()
        if mine is not None:
            services.delivery_done(actor=community, delivery=mine)
    family = _item(health, "人口与计划生育服务")
    if family is not None:
        order = send(health, clerk, family, family.kind, "计划生育特殊家庭信息核对", "2", 5, [gutang])
        mine = order.deliveries.filter(community=gutang).first()
        if mine is not None:
            services.delivery_refuse(
                actor=community,
                delivery=mine,
                reason="要求每周入户核对并拍照上传，事项只准每季度一次、每次2小时。",
            )
    # Refused at the gate, and recorded: no item (seed: the "这能派吗?" trial), more hours than allowed.
    send(health, clerk, None, "task", "家庭医生签约服务入户宣传", "3", 5, [gutang, danyuan])
    platform = _item(health, "家庭医生签约服务信息系统协助录入")
    if platform is not None:
        send(health, clerk, platform, platform.kind, "家庭医生签约信息集中补录", "8", 3, [gutang, danyuan])
    _history(district)
    street_items = WorkItem.objects.filter(
        WorkItem.in_force_q(clock.today()), department=gutang_street, kind__in=ORDER_KINDS
    ).order_by("kind", "code")
    street_item = street_items.filter(kind="meeting").first() or street_items.first()
    if street_item is not None:
        send(
            gutang_street,
            street_worker,
            street_item,
            street_item.kind,
            "本月社区工作例会通知",
            str(min(street_item.hours_per_occurrence, Decimal(2))),
            3,
            [gutang, danyuan, *([outside] if outside else [])],
        )
    return f"{existing.count()} work orders"
