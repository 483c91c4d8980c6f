"""Certificates at scale: in every community a few residents of the registry (with their standard
address) who asked for certificates over 2025-01 … 2026-10, the requests, their history, the
certificates issued with serial numbers and verification codes, and the seal log.

Invariants mirrored from jianfu.certificates: request numbers ZQ<year>-NNNN in the order asked;
serials per community and year (services.serial_prefix); an answered request is dated; a redirect
names the responsible body and needs nobody's personal data; one certificate per issued request and
one seal use per certificate. Items follow the year: 2025's requests ask for 2025's list items.
Registry people carry no ID number or phone (nothing to encrypt), only a name and an address.
"""

import datetime as dt
from collections import Counter

from jianfu.catalog.models import Category, ItemKind
from jianfu.certificates import services as certificate_services
from jianfu.certificates.models import Certificate, CertificateRequest, Channel, RequestEvent, RequestState, SealUse
from jianfu.registry.models import Address, Person

from .. import sizes
from . import names
from .base import at, rng_for
from .world import District, World

REQUEST_COLUMNS = [
    "id",
    "number",
    "community_id",
    "item_id",
    "person_id",
    "requested_by_id",
    "channel",
    "purpose",
    "state",
    "requested_on",
    "due_on",
    "decided_on",
    "decided_by_id",
    "reason",
    "responsible_body",
    "rule",
    "evidence_checked",
    "deliberation_id",
    "signed_off_by_id",
    "signed_off_at",
    "created_at",
]
STATEMENT = "兹证明{name}（公民身份号码：{id_number}）居住在{address}，经{community}核实，情况属实。"
REFUSALS = ["所需材料不全，已一次性告知需补充的材料", "经核实申请人不在本社区居住", "申请事项不属实"]
PURPOSES = ["办理社保业务", "子女入学", "银行业务", "申请补贴", "单位要求", ""]
STATES = {RequestState.ISSUED: 82, RequestState.REFUSED: 8, "redirect": 10}


def build(world: World) -> None:
    rng = rng_for(world.seed, "certificates")
    holders = _holders(world, rng)
    plan = []
    days = world.cal().workdays_in(sizes.FIRST_DAY, sizes.TODAY)
    split = next(i for i, d in enumerate(days) if d.year == sizes.CURRENT_YEAR)
    for d, district in enumerate(world.districts):
        for c, _community in enumerate(district.communities):
            for k in range(world.sizes.certificate_requests_per_community):
                # The baseline year asked for more (循环证明, no lists): 60 % of requests fall in 2025.
                pool = days[:split] if rng.random() < 0.6 else days[split:]
                plan.append((rng.choice(pool), rng.randint(8 * 60 + 30, 17 * 60), d, c, k))
    plan.sort()
    _requests(world, plan, holders, rng)


def _holders(world: World, rng) -> dict[int, list[tuple[int, str, str]]]:
    """Registry people who asked for certificates, each at a standard address of a grid of their
    community: (person id, name, address label) per community."""
    n = world.sizes.certificate_holders_per_community
    addresses, people, out = [], [], {}
    for district in world.districts:
        for community in district.communities:
            grid = (district.grids.get(community.id) or [community])[0]
            area = community.name.removesuffix("社区") + rng.choice(["新村", "花园", "小区", "家园"])
            used: set[str] = set()
            for k in range(n):
                while True:  # address_unique_key: one key per community
                    building, unit = str(rng.randint(1, 30)), str(rng.randint(1, 4))
                    room = f"{rng.randint(1, 18)}0{rng.randint(1, 4)}"
                    key = f"{area}|{building}|{unit}|{room}"
                    if key not in used:
                        used.add(key)
                        break
                label = f"{area}{building}幢{unit}单元{room}室"
                (address_id,) = world.writer.ids(Address, 1)
                addresses.append((address_id, grid.id, community.id, grid.path, area, building, unit, room, key, label))
                (person_id,) = world.writer.ids(Person, 1)
                name = rng.choice(names.SURNAMES) + "".join(rng.choice(names.GIVEN) for _ in range(rng.randint(1, 2)))
                female = rng.random() < 0.5
                born = dt.date(rng.randint(1940, 2000), rng.randint(1, 12), rng.randint(1, 28))
                people.append(
                    (person_id, name, "F" if female else "M", born, "", None, "", address_id, grid.id, community.id,
                     grid.path, "head", community.id, label, f"{community.code}{k + 1:04d}", at(sizes.FIRST_DAY))
                )  # fmt: skip
                out.setdefault(community.id, []).append((person_id, name, label))
    world.writer.write(
        Address,
        ["id", "grid_id", "community_id", "org_path", "area", "building", "unit", "room", "key", "label"],
        addresses,
    )
    world.writer.write(
        Person,
        ["id", "name", "gender", "birth_date", "id_number", "id_index", "phone", "address_id", "grid_id", "community_id",
         "org_path", "relation", "hukou_community_id", "hukou_address", "hukou_household", "updated_at"],
        people,
    )  # fmt: skip
    return out


def _catalogue(district: District) -> dict:
    may = {
        year: [
            i
            for i in district.items
            if i.year == year and i.kind == ItemKind.CERTIFICATE and i.category == Category.CERTIFICATE
        ]
        for year in (sizes.BASELINE_YEAR, sizes.CURRENT_YEAR)
    }
    must_not = [i for i in district.items if i.kind == ItemKind.CERTIFICATE and i.category == Category.NEGATIVE]
    return {"may": may, "must_not": must_not}


def _requests(world: World, plan: list, holders: dict, rng) -> None:
    cal = world.cal()
    acc = world.accounts
    catalogues = [_catalogue(d) for d in world.districts]
    ids = world.writer.ids(CertificateRequest, len(plan))
    numbers: Counter[str] = Counter()
    serials: Counter[str] = Counter()
    requests, events, certificates, seals = [], [], [], []
    for request_id, (day, minute, d, c, _k) in zip(ids, plan, strict=True):
        district = world.districts[d]
        community = district.communities[c]
        catalogue = catalogues[d]
        worker = acc.community.get(community.id)
        year = day.year
        asked = at(day) + dt.timedelta(minutes=minute - 9 * 60)
        state = rng.choices(list(STATES), list(STATES.values()))[0]
        if not catalogue["must_not"]:
            state = RequestState.ISSUED
        if not catalogue["may"][year]:
            state = "redirect"
        if state == "redirect" and not catalogue["must_not"]:
            continue
        numbers[f"ZQ{year}"] += 1
        number = f"ZQ{year}-{numbers[f'ZQ{year}']:04d}"
        if state == "redirect":
            item = rng.choice(catalogue["must_not"])
            requests.append(
                (request_id, number, community.id, item.id, None, worker, Channel.COUNTER, "", RequestState.REDIRECTED,
                 day, None, day, worker, "", item.responsible_body, item.legal_basis, [], None, None, None, asked)
            )  # fmt: skip
            events.append((request_id, "redirect", RequestState.REQUESTED, RequestState.REDIRECTED, worker, "", asked))
            continue
        item = rng.choice(catalogue["may"][year])
        person_id, person_name, address = rng.choice(holders[community.id])
        channel = Channel.COUNTER if rng.random() < 0.7 else Channel.ONLINE
        due = cal.add(day, item.days)
        decided = cal.add(day, rng.randint(0, item.days))
        purpose = rng.choice(PURPOSES)
        events.append((request_id, "request", "", RequestState.REQUESTED, worker, "", asked))
        if decided > sizes.TODAY:  # not answered yet
            requests.append(
                (request_id, number, community.id, item.id, person_id, worker, channel, purpose, RequestState.REQUESTED,
                 day, due, None, None, "", "", "", [], None, None, None, asked)
            )  # fmt: skip
            continue
        answered = at(decided, 15)
        if state == RequestState.REFUSED:
            reason = rng.choice(REFUSALS)
            requests.append(
                (request_id, number, community.id, item.id, person_id, worker, channel, purpose, RequestState.REFUSED,
                 day, due, decided, worker, reason, "", "", [], None, None, None, asked)
            )  # fmt: skip
            events.append(
                (request_id, "refuse", RequestState.REQUESTED, RequestState.REFUSED, worker, reason, answered)
            )
            continue
        requests.append(
            (request_id, number, community.id, item.id, person_id, worker, channel, purpose, RequestState.ISSUED,
             day, due, decided, worker, "", "", "", ["居民身份证", "户口簿"], None, None, None, asked)
        )  # fmt: skip
        events.append((request_id, "issue", RequestState.REQUESTED, RequestState.ISSUED, worker, "", answered))
        certificates.append((decided, request_id, community, item, person_id, person_name, address, purpose, worker))
    certificate_rows = []
    certificates.sort(key=lambda x: (x[0], x[1]))
    for certificate_id, (decided, request_id, community, item, person_id, person_name, address, purpose, worker) in zip(
        world.writer.ids(Certificate, len(certificates)), certificates, strict=True
    ):
        prefix = certificate_services.serial_prefix(community)
        serials[f"{prefix}{decided.year}"] += 1
        serial = f"{prefix}{decided.year}-{serials[f'{prefix}{decided.year}']:04d}"
        code = "".join(rng.choice(certificate_services.CODE_ALPHABET) for _ in range(certificate_services.CODE_LENGTH))
        statement = STATEMENT.format(name=person_name, id_number="", address=address, community=community.name)
        issued = at(decided, 15)
        certificate_rows.append(
            (certificate_id, request_id, serial, code, community.id, item.id, person_id, statement, purpose, decided,
             issued, worker, False, "", None, None, "", False)
        )  # fmt: skip
        seals.append(
            (community.id, decided, issued, worker, f"{item.name}（{serial}）", certificate_id, None, None, "")
        )
    writer = world.writer
    writer.write(CertificateRequest, REQUEST_COLUMNS, requests)
    event_ids = writer.ids(RequestEvent, len(events))
    writer.write(
        RequestEvent,
        ["id", "request_id", "action", "from_state", "to_state", "actor_id", "note", "at", "role"],
        ((i, *e, "") for i, e in zip(event_ids, events, strict=True)),
    )
    writer.write(
        Certificate,
        ["id", "request_id", "serial", "code", "community_id", "item_id", "person_id", "statement", "purpose",
         "issued_on", "issued_at", "issued_by_id", "by_commitment", "commitment_text", "revoked_at", "revoked_by_id",
         "revoke_reason", "false_commitment"],
        certificate_rows,
    )  # fmt: skip
    seal_ids = writer.ids(SealUse, len(seals))
    writer.write(
        SealUse,
        ["id", "community_id", "used_on", "used_at", "used_by_id", "document", "certificate_id", "revoked_at",
         "revoked_by_id", "revoke_reason"],
        ((i, *s) for i, s in zip(seal_ids, seals, strict=True)),
    )  # fmt: skip
    sequences = world.notes.setdefault("sequences", {})
    sequences.update(numbers)
    sequences.update(serials)
