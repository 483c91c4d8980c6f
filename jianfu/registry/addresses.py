"""Standard-address (标准地址) normalisation, so that an import merges the spellings of one room.

``parse_address("古塘新村１栋二單元0301室")`` gives ``AddressParts(area="古塘新村", building="1", unit="2",
room="301")``, whose ``key()`` is ``"古塘新村|1|2|301"`` and ``label()`` is ``"古塘新村1幢2单元301室"``.

Normalisation, before anything is parsed: NFKC (full-width → half-width), hyphen and dash variants → ``-``,
whitespace and every punctuation mark except ``#`` and ``-`` dropped, then traditional → simplified (OpenCC
"t2s") and lowercase. This is ``jianfu.core.similarity.fold`` with two differences: ``#`` and ``-`` are kept
because they carry structure (``1#``, ``1-2-301``), and whitespace is dropped *before* the script conversion,
because OpenCC converts phrase by phrase ("乾 隆路" would come out as "干隆路", "乾隆路" stays).

The normalised text is read from its end, each part optional, in this order:

* room: digits with an optional 室/房/户/号 suffix (``0301`` → ``301``); or a labelled non-residential room such
  as ``商铺001`` or ``车库3``, kept as written (the demo data stores shop rooms so);
* floor: ``3楼``/``3层``/``3F`` right before the room; dropped, the room number already says it;
* unit: ``2单元``, ``二单元``, ``第2单元``;
* building: a number (digits or 一二三…十百) or one Latin letter, then 号楼, #楼, 幢, 栋, 座, #, 楼 or 号
  (``1号楼``, ``1#``, ``A座``, ``十二幢`` → ``12``);
* area: whatever is left, e.g. ``古塘新村``, ``三北大街88号``.

Heuristics for the ambiguous markers:

* ``N号`` right after a road name (text ending in 路, 街, 道, 巷 or 胡同, so also 大街, 大道, 公路) is the road's
  street number and stays in the area: ``三北大街88号1幢101室`` → area ``三北大街88号``, building 1, and
  ``三北大街88号101室`` → area ``三北大街88号``, no building. Elsewhere ``N号`` before a unit or room is a
  building (``古塘新村1号301`` → building 1); after 弄 it is a building too (``…路100弄5号601室``). ``N号`` followed
  by another building (``…3号1幢…``) stays in the area because the parts are read from the end.
* A room written ``N号`` with no building or unit before it is a door number (门牌号): ``三北大街88号`` and
  ``张家村5号`` are all area.
* ``N楼`` before a unit is a building (``1楼2单元301``). ``N楼`` right before the room is a floor when a building or
  unit comes before it or the room number starts with N (``1幢3楼301``, ``3楼301``), otherwise a building
  (``5楼301`` → building 5).
* Hyphens: ``1-2-301`` is building-unit-room; ``5-301`` is building-room, or unit-room after a building
  (``1幢2-301``). After a road name ``88-301室`` is street number and room (area ``…路88号``), and ``88-1`` without
  a room suffix is a door number (area). Other hyphens between digits stay in the area (``88-1号`` ≠ ``881号``).
* A bracketed tail after the room is a remark and is dropped (``…301室（出租）``); other brackets are removed
  but their text kept (``古塘新村（东区）1幢…`` → area ``古塘新村东区``).
* Text where nothing parses falls back to area = the normalised text, so ``key()`` still merges exact matches.

Not attempted: province/city/district prefixes (``宁波市…古塘新村`` and ``古塘新村`` get different keys),
compound-name aliases (``古塘新村`` vs ``古塘新村小区``), rooms written in Chinese numerals.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import opencc

__all__ = ["AddressParts", "address_key", "parse_address"]


@dataclass(frozen=True)
class AddressParts:
    """A standard address split into its parts, each normalised; any part may be ""."""

    area: str
    building: str
    unit: str
    room: str

    def key(self) -> str:
        """Canonical key for dedup, e.g. ``"古塘新村|1|2|301"``."""
        return f"{self.area}|{self.building}|{self.unit}|{self.room}"

    def label(self) -> str:
        """Canonical display form, e.g. ``"古塘新村1幢2单元301室"``; ``parse_address`` reads it back to the same parts."""
        building = f"{self.building}{'座' if self.building.isalpha() else '幢'}" if self.building else ""
        unit = f"{self.unit}单元" if self.unit else ""
        room = f"{self.room}室" if self.room[:1].isdigit() else self.room
        return f"{self.area}{building}{unit}{room}"


def parse_address(text: str) -> AddressParts:
    """The parts of a free-text address; see the module docstring for the rules."""
    text = unicodedata.normalize("NFKC", text)
    remark = _TRAILING_REMARK.search(text)
    if remark:
        head = _parse(_normalise(text[: remark.start()]))
        if head.room:
            return head
    return _parse(_normalise(text))


def address_key(text: str) -> str:
    """``parse_address(text).key()``."""
    return parse_address(text).key()


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
# Everything but letters, digits, "#" and "-"; "_" counts as punctuation, as in ``fold``.
_DROPPED = re.compile(r"[^\w#-]|_")
_OPEN = "([{【〔〖「『<《"
_CLOSE = ")]}】〕〗」』>》"
_TRAILING_REMARK = re.compile(rf"[{re.escape(_OPEN)}][^{re.escape(_OPEN + _CLOSE)}]*[{re.escape(_CLOSE)}]\s*$")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _DROPPED.sub("", _DASHES.sub("-", text))
    return _converter().convert(text).lower()


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN = "零〇一二两三四五六七八九十百"
_NUM = rf"\d+|[{_CN}]+"
_ROAD = re.compile(r"(?:路|街|道|巷|胡同)$")
_LABELLED_ROOM = re.compile(r"((?:商铺|店铺|店面|门面|车库|车位|储藏室|储藏间|储物间|杂物间)\d+)号?$")
_ROOM = re.compile(r"(\d+)(室|房|户|号)?$")
_FLOOR = re.compile(rf"第?({_NUM})(层|楼|f)$")
_UNIT = re.compile(rf"第?({_NUM})单元$")
_BUILDING = re.compile(rf"第?({_NUM}|(?<![a-z])[a-z])(号楼|#楼|幢|栋|座|#|楼|号)$")
_HYPHEN3 = re.compile(r"(?<![\d-])(\d+)-(\d+)-(\d+)(室|房|户)?$")
_HYPHEN2 = re.compile(r"(?<![\d-])(\d+)-(\d+)(室|房|户)?$")


def _number(value: str) -> str:
    """Digits without leading zeros, from digits, Chinese numerals (一二三, 十二, 一百零一, 一零一) or a letter."""
    if not value:
        return ""
    if value.isdigit() and value.isascii():
        return str(int(value))
    if value.isalpha() and value.isascii():
        return value.upper()
    if "十" not in value and "百" not in value:
        return str(int("".join(str(_CN_DIGITS[ch]) for ch in value)))
    total = current = 0
    for ch in value:
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return str(total + current)


def _clean_area(area: str) -> str:
    # "#" only marks buildings; a hyphen stays only between digits, where it tells 88-1号 from 881号.
    return re.sub(r"(?<!\d)-|-(?!\d)", "", area.replace("#", ""))


def _building_at_end(text: str) -> re.Match[str] | None:
    """A building at the end of ``text``, unless it is a road's street number (…路88号)."""
    match = _BUILDING.search(text)
    if match and match.group(2) == "号" and _ROAD.search(text[: match.start()]):
        return None
    return match


def _parts(area: str, building: str = "", unit: str = "", room: str = "") -> AddressParts:
    return AddressParts(_clean_area(area), _number(building), _number(unit), room)


def _parse(s: str) -> AddressParts:
    fallback = _parts(s)

    match = _HYPHEN3.search(s)
    if match:
        return _parts(s[: match.start()], match.group(1), match.group(2), _number(match.group(3)))

    match = _HYPHEN2.search(s)
    if match:
        head, first, room, suffix = s[: match.start()], match.group(1), _number(match.group(2)), match.group(3)
        building = _building_at_end(head)
        if building:
            return _parts(head[: building.start()], building.group(1), first, room)
        if _ROAD.search(head):
            return _parts(f"{head}{first}号", room=room) if suffix else fallback
        return _parts(head, first, room=room)

    rest, room, door_number = s, "", False
    match = _LABELLED_ROOM.search(rest)
    if match:
        room = match.group(1)
    else:
        match = _ROOM.search(rest)
        if match:
            room, door_number = _number(match.group(1)), match.group(2) == "号"
    floor = floor_marker = ""
    if match:
        rest = rest[: match.start()].rstrip("-")
        match = _FLOOR.search(rest)
        if match:
            floor, floor_marker = _number(match.group(1)), match.group(2)
            rest = rest[: match.start()].rstrip("-")

    unit = ""
    match = _UNIT.search(rest)
    if match:
        unit = match.group(1)
        rest = rest[: match.start()].rstrip("-")

    building = ""
    match = _building_at_end(rest)
    if match:
        building = match.group(1)
        rest = rest[: match.start()].rstrip("-")

    if floor_marker == "楼" and not building and not unit and not room.startswith(floor):
        building = floor  # 5楼301: building 5, not floor 5
    if not building and not unit and (door_number or not room):
        return fallback  # 三北大街88号, 张家村5号, or nothing recognised at all
    return _parts(rest, building, unit, room)
