"""The generator's order of work, the refusal to mix with existing data, and the summary."""

import time
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import translation

from jianfu.audit import services as audit
from jianfu.core.models import Sequence
from jianfu.monitor.models import CommunityMonth, DepartmentMonth
from jianfu.orgs.models import Org, OrgKind

from .. import sizes
from . import cases, catalog, certificates, evaluation, ledger, monitor, orgs
from .base import Progress, Writer
from .world import World


class Refused(Exception):
    """The database already holds an org tree and --fresh was not given."""


def run(scale: str, *, seed: int = sizes.DEFAULT_SEED, fresh: bool = False, out: Callable[[str], None] = print) -> dict:
    s = sizes.SCALES[scale]
    started = time.monotonic()
    if fresh:
        out("清空数据库中的现有数据（--fresh）…")
        call_command("flush", interactive=False, verbosity=0)
    existing = Org.objects.count()
    if existing:
        raise Refused(
            f"数据库中已有 {existing:,} 个组织，为免与现有数据混在一起，拒绝生成。"
            "如确需清空后重新生成，请加 --fresh（将删除数据库中的全部数据）。"
        )
    writer = Writer(out)
    progress = Progress(writer, out)
    world = World(sizes=s, seed=seed, writer=writer, progress=progress)
    out(f"生成规模：{scale}（随机种子 {seed}，数据库 {connection.vendor}）")
    with translation.override("zh-hans"), transaction.atomic():
        if connection.vendor == "postgresql":
            # Foreign keys are checked at the end of each statement, not queued to the commit: a
            # queue of millions of checks is slow, and pending checks forbid the bulk loads' ALTER TABLE.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with progress.stage("组织架构"):
            orgs.build(world)
        with progress.stage("账号与角色"):
            orgs.accounts(world)
        if s.full:
            with progress.stage("工作事项、清单与年度目录"):
                catalog.build(world)
            with progress.stage("一表通：数据元、台账数据、报表"):
                ledger.build(world)
            with progress.stage("盖章证明"):
                certificates.build(world)
            with progress.stage("案件：一窗受理、网格事项、吹哨"):
                cases.build(world)
            if s.evaluation:
                writer.analyze()
                with progress.stage("双向评议"):
                    evaluation.build(world)
        writer.analyze()
        with progress.stage("减负监测月度数据"):
            monitor.build(world)
        with progress.stage("编号序列与审计"):
            _sequences(world)
            writer.restore_foreign_keys()
            writer.reset_sequences()
            writer.analyze()
            summary = _summary(world, scale, seed)
            audit.record(action="scale.generate", after={"scale": scale, "seed": seed, "rows": summary["total_rows"]})
    summary["seconds"] = round(time.monotonic() - started, 1)
    summary["stages"] = progress.stages
    return summary


def _sequences(world: World) -> None:
    """Human-readable numbers continue after the generated ones (core.numbering.next_number)."""
    counters = world.notes.get("sequences", {})
    if counters:
        Sequence.objects.bulk_create(
            [Sequence(key=k, value=v) for k, v in sorted(counters.items())],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["value"],
            batch_size=2_000,
        )
        world.writer.counts[Sequence._meta.db_table] += len(counters)


def _count(model) -> int:
    return model.objects.count()


def _summary(world: World, scale: str, seed: int) -> dict:
    from jianfu.cases.models import Case, CaseEvent, CaseKind
    from jianfu.catalog.models import Category, WorkItem
    from jianfu.certificates.models import Certificate, CertificateRequest
    from jianfu.evaluation.models import Ballot, BallotScore
    from jianfu.ledger.models import DataElement, Value
    from jianfu.orgs.models import User

    s = world.sizes
    acc = world.accounts
    first = world.districts[0]
    kinds = dict(Org.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    totals = {
        "districts": kinds.get(OrgKind.DISTRICT, 0),
        "streets": kinds.get(OrgKind.STREET, 0) + kinds.get(OrgKind.TOWN, 0),
        "communities": kinds.get(OrgKind.COMMUNITY, 0),
        "grids": kinds.get(OrgKind.GRID, 0),
        "departments": kinds.get(OrgKind.DEPARTMENT, 0) + kinds.get(OrgKind.GROUP_ORG, 0),
        "users": _count(User),
        "community_months": _count(CommunityMonth),
        "department_months": _count(DepartmentMonth),
    }
    if s.full:
        in_force = WorkItem.objects.filter(WorkItem.in_force_q(sizes.TODAY)).count()
        negative = WorkItem.objects.filter(category=Category.NEGATIVE).count()
        totals |= {
            "work_items": _count(WorkItem),
            "work_items_in_force_2026": in_force,
            "work_items_for_overlap_detection": in_force + negative,
            "data_elements": _count(DataElement),
            "ledger_values": _count(Value),
            "cases": _count(Case),
            "service_cases": Case.objects.filter(kind=CaseKind.SERVICE).count(),
            "case_events": _count(CaseEvent),
            "ballots": _count(Ballot),
            "ballot_scores": _count(BallotScore),
            "certificate_requests": _count(CertificateRequest),
            "certificates": _count(Certificate),
        }
    community = first.communities[0]
    street = first.streets[0]
    # The clerk of a department that sends reports (民政局 owns the most community work).
    department = next((d for d in first.departments if d.name == "区民政局"), None) or next(
        iter(first.departments), None
    )
    login = {
        "password": sizes.PASSWORD,
        "office": acc.usernames.get(acc.office.get(first.id, [None])[0]),
        "community": acc.usernames.get(acc.community.get(community.id)),
        "community_org": community.code,
        "street": acc.usernames.get(acc.street.get(street.id)),
        "street_org": street.code,
    }
    if department:
        login |= {"clerk": acc.usernames.get(acc.clerk.get(department.id)), "department_org": department.code}
    districts = [
        {
            "id": d.id,
            "code": d.code,
            "name": d.node.name,
            "streets": len(d.streets),
            "communities": len(d.communities),
            "grids": sum(len(g) for g in d.grids.values()),
            "departments": len(d.departments),
            "office": acc.usernames.get(acc.office.get(d.id, [None])[0]),
        }
        for d in world.districts
    ]
    summary = {
        "scale": scale,
        "seed": seed,
        "database": connection.vendor,
        "as_of": sizes.TODAY.isoformat(),
        "first_district": {"id": first.id, "code": first.code, "name": first.node.name},
        "login": login,
        "periods": {
            "monitor_months": [f"{y}-{m:02d}" for y, m in sizes.MONTHS],
            "cases_and_certificates": [sizes.FIRST_DAY.isoformat(), sizes.TODAY.isoformat()],
            "ledger_values": [f"{y}-{m:02d}" for y, m in sizes.VALUE_MONTHS] if s.full else [],
            "report_requests": sizes.REQUEST_PERIODS if s.full else [],
            "catalog_years": [sizes.BASELINE_YEAR, sizes.CURRENT_YEAR] if s.full else [],
        },
        "totals": totals,
        "rows": dict(sorted(world.writer.counts.items())),
        "total_rows": sum(world.writer.counts.values()),
    }
    if s.provinces:
        provinces: dict[str, dict] = {}
        for d in world.districts:
            p = provinces.setdefault(d.province[0], {"code": d.province[0], "name": d.province[1], "cities": {}})
            city = p["cities"].setdefault(
                d.city[0], {"code": d.city[0], "name": d.city[1], "districts": 0, "communities": 0}
            )
            city["districts"] += 1
            city["communities"] += len(d.communities)
        summary["provinces"] = [p | {"cities": list(p["cities"].values())} for p in provinces.values()]
        summary["districts"] = districts[:20]
        summary["districts_listed"] = f"first 20 of {len(districts)}"
    else:
        summary["city"] = (
            {"code": world.districts[0].city[0], "name": world.districts[0].city[1]} if scale != "district" else None
        )
        summary["districts"] = districts
    return summary
