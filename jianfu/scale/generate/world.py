"""The generated world as the stages pass it on: the org tree and the accounts, as plain records
(ids, codes, paths), so later stages never read back what the first one wrote."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from jianfu.core.workdays import Calendar

from .. import sizes
from .base import Progress, Writer


@dataclass
class Node:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str
    depth: int
    registered: int = 0
    resident: int = 0
    population: int = 0
    space: Decimal = Decimal(0)
    staff: int = 0
    community_type: str = ""
    member_unit: bool = False


@dataclass
class Item:
    id: int
    code: str
    name: str
    kind: str
    category: str
    department_id: int
    year: int
    predecessor_id: int | None = None  # 2026 items: the 2025 item they replaced
    days: int = 0  # certificates: working days to issue
    legal_basis: str = ""
    responsible_body: str = ""


@dataclass
class District:
    node: Node
    streets: list[Node] = field(default_factory=list)
    communities: list[Node] = field(default_factory=list)  # in tree order
    grids: dict[int, list[Node]] = field(default_factory=dict)  # community id → its grids
    departments: list[Node] = field(default_factory=list)
    province: tuple[str, str] | None = None  # nation: (code, name)
    city: tuple[str, str] | None = None
    items: list["Item"] = field(default_factory=list)  # catalog items of both years
    service_items: list = field(default_factory=list)
    matters: dict = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.node.id

    @property
    def code(self) -> str:
        return self.node.code


@dataclass
class Accounts:
    """Who acts in the generated records: user ids by the org they hold their role in."""

    office: dict[int, list[int]] = field(default_factory=dict)  # district id → users
    clerk: dict[int, int] = field(default_factory=dict)  # department id → user
    reviewer: dict[int, int] = field(default_factory=dict)  # member unit id → user
    street: dict[int, int] = field(default_factory=dict)  # street id → user
    community: dict[int, int] = field(default_factory=dict)  # community id → user
    grid: dict[int, int] = field(default_factory=dict)  # grid id → user
    resident: dict[int, int] = field(default_factory=dict)  # community id → user
    usernames: dict[int, str] = field(default_factory=dict)


@dataclass
class World:
    sizes: sizes.Sizes
    seed: int
    writer: Writer
    progress: Progress
    districts: list[District] = field(default_factory=list)
    accounts: Accounts = field(default_factory=Accounts)
    calendar: Calendar | None = None
    notes: dict = field(default_factory=dict)  # what stages tell the summary

    def cal(self) -> Calendar:
        """The working days of the generated period (and its deadlines' reach), listed once."""
        if self.calendar is None:
            self.calendar = Calendar(dt.date(2024, 12, 1), dt.date(2027, 3, 31))
        return self.calendar
