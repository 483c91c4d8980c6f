import pytest
from hypothesis import given
from hypothesis import strategies as st

from jianfu.registry.addresses import AddressParts, address_key, parse_address


def full_width(text: str) -> str:
    """ASCII printable characters as their full-width forms, space as the ideographic space."""
    return "".join("\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@pytest.mark.parametrize("area", ["", "古塘新村"])
def test_variants_of_one_room_share_a_key(area):
    keys = {address_key(area + text) for text in ["1幢2单元301", "1栋2单元301室", "１幢２單元３０１"]}
    assert keys == {f"{area}|1|2|301"}


def test_a_standard_address_splits_into_area_building_unit_and_room():
    parts = parse_address("古塘新村1幢2单元301室")
    assert parts == AddressParts(area="古塘新村", building="1", unit="2", room="301")
    assert parts.key() == "古塘新村|1|2|301"
    assert parts.label() == "古塘新村1幢2单元301室"


def test_address_key_is_the_key_of_the_parsed_address():
    assert address_key("古塘新村1幢2单元301") == parse_address("古塘新村1幢2单元301").key()


def test_different_rooms_units_buildings_and_areas_get_different_keys():
    texts = [
        "古塘新村1幢2单元301",
        "古塘新村1幢2单元302",
        "古塘新村1幢3单元301",
        "古塘新村2幢2单元301",
        "旦苑花园1幢2单元301",
    ]
    assert len({address_key(text) for text in texts}) == len(texts)


def test_a_room_number_is_not_confused_with_a_building_or_unit_number():
    assert address_key("古塘新村1幢301") != address_key("古塘新村1单元301")
    assert address_key("古塘新村12幢301") != address_key("古塘新村1幢2单元301")


@pytest.mark.parametrize(
    ("text", "building", "unit"),
    [
        ("二单元101", "", "2"),
        ("2单元101", "", "2"),
        ("十二幢101", "12", ""),
        ("二十一幢101", "21", ""),
        ("一百零一幢101", "101", ""),
        ("三幢十单元101", "3", "10"),
        ("第三幢第二单元101", "3", "2"),
    ],
)
def test_chinese_numerals_in_buildings_and_units_become_digits(text, building, unit):
    parts = parse_address(text)
    assert (parts.building, parts.unit, parts.room) == (building, unit, "101")


@pytest.mark.parametrize(
    "text", ["1幢", "1栋", "1棟", "1号楼", "1號樓", "1#楼", "1#", "1＃", "1 # ", "1座", "一幢", "01幢", "1号", "1楼"]
)
def test_every_building_marker_means_the_same_building(text):
    assert address_key(f"古塘新村{text}2单元301") == "古塘新村|1|2|301"


def test_a_lettered_block_is_a_building():
    assert parse_address("万达广场A座1201室") == AddressParts("万达广场", "A", "", "1201")
    assert address_key("万达广场a座1201") == address_key("万达广场Ａ座1201室")


def test_a_road_number_stays_in_the_area():
    assert parse_address("三北大街88号1幢101室") == AddressParts("三北大街88号", "1", "", "101")
    assert parse_address("三北大街88号101室") == AddressParts("三北大街88号", "", "", "101")
    assert parse_address("三北大街88号2单元101") == AddressParts("三北大街88号", "", "2", "101")
    assert parse_address("中山路88号1号楼101") == AddressParts("中山路88号", "1", "", "101")


def test_a_number_after_a_lane_or_a_house_number_is_a_building():
    assert parse_address("长春路100弄5号601室") == AddressParts("长春路100弄", "5", "", "601")
    assert parse_address("古塘新村1号301") == AddressParts("古塘新村", "1", "", "301")
    assert parse_address("三北大街88号3号101") == AddressParts("三北大街88号", "3", "", "101")


@pytest.mark.parametrize("text", ["三北大街88号", "张家村5号", "中山路88-1号", "中山路88-1"])
def test_a_bare_door_number_is_all_area(text):
    parts = parse_address(text)
    assert (parts.building, parts.unit, parts.room) == ("", "", "")
    assert parts.area == text


def test_door_numbers_with_a_sub_number_are_not_merged_with_longer_numbers():
    assert address_key("中山路88-1号") != address_key("中山路881号")


def test_traditional_script_compound_names_are_simplified():
    assert parse_address("古塘新村東區3棟2單元502室") == AddressParts("古塘新村东区", "3", "2", "502")
    assert address_key("幸福家園1號樓101戶") == address_key("幸福家园1号楼101户") == "幸福家园|1||101"


def test_the_script_is_converted_after_spaces_are_removed():
    # OpenCC converts by phrase; a space must not split 乾隆 into 干 + 隆.
    assert parse_address("乾 隆路3号楼101").area == "乾隆路"


@pytest.mark.parametrize(
    ("text", "room"), [("0301", "301"), ("0301室", "301"), ("301房", "301"), ("301户", "301"), ("301号", "301")]
)
def test_room_suffixes_and_leading_zeros_are_dropped(text, room):
    assert parse_address(f"古塘新村1幢2单元{text}").room == room


def test_a_floor_before_the_room_is_dropped():
    assert address_key("古塘新村1幢2单元3楼301") == "古塘新村|1|2|301"
    assert address_key("古塘新村1幢3层301室") == "古塘新村|1||301"
    assert address_key("古塘新村三楼301") == "古塘新村|||301"


def test_a_storey_number_that_does_not_start_the_room_is_a_building():
    assert parse_address("古塘新村5楼301") == AddressParts("古塘新村", "5", "", "301")
    assert parse_address("古塘新村1楼2单元301") == AddressParts("古塘新村", "1", "2", "301")


@pytest.mark.parametrize(
    "text", ["古塘新村1-2-301", "古塘新村1-2-301室", "古塘新村1幢2-301", "古塘新村1#2－301", "古塘新村1幢2单元—301"]
)
def test_hyphenated_building_unit_and_room(text):
    assert address_key(text) == "古塘新村|1|2|301"


def test_hyphenated_building_and_room():
    assert address_key("古塘新村5-301") == address_key("古塘新村5幢301室") == "古塘新村|5||301"
    assert address_key("中山路88-301室") == address_key("中山路88号301室") == "中山路88号|||301"


@pytest.mark.parametrize(
    "text",
    [
        " 古塘新村 1 幢 2 单元 301 室 ",
        "古塘新村　１幢　２单元　３０１室",
        "古塘新村1幢，2单元，301室。",
        "古塘新村-1栋-2单元-301",
        "古塘新村1幢2单元301室（出租）",
        "古塘新村1幢2单元301室(空置) ",
        "古塘新村【1幢】2单元301",
    ],
)
def test_messy_inputs_are_cleaned(text):
    assert address_key(text) == "古塘新村|1|2|301"


def test_brackets_inside_the_area_keep_their_text():
    assert address_key("古塘新村（东区）1幢2单元301室") == "古塘新村东区|1|2|301"
    assert address_key("古塘新村(東區) 1棟 2單元 301") == "古塘新村东区|1|2|301"


def test_labelled_rooms_keep_their_name():
    # The demo data stores shops as room "商铺001" with no building or unit.
    assert parse_address("古塘家园商铺001") == AddressParts("古塘家园", "", "", "商铺001")
    assert parse_address("古塘家园商铺001").label() == "古塘家园商铺001"


@pytest.mark.parametrize("text", ["古塘新村", "古塘新村小区东门", "村委会", "ABC", ""])
def test_unparseable_text_falls_back_to_the_folded_text(text):
    parts = parse_address(f" {text} ")
    assert parts == AddressParts(text.lower(), "", "", "")
    assert parse_address(text.upper()).key() == parts.key()


def test_text_that_only_differs_in_folding_still_dedups_when_it_does_not_parse():
    assert address_key("古塘新村，小區東門") == address_key("古塘新村 小区东门")


@pytest.mark.parametrize(
    "text",
    [
        "古塘新村1幢2单元301室",
        "１幢２單元３０１",
        "三北大街88号1幢101室",
        "三北大街88号101室",
        "三北大街88号",
        "中山路88-1",
        "长春路100弄5号601室",
        "万达广场A座1201",
        "古塘家园商铺001",
        "古塘新村5楼301",
        "古塘新村3楼301",
        "二单元301",
        "古塘新村（東區）1棟",
        "古塘新村",
        "",
    ],
)
def test_the_label_reads_back_to_the_same_parts(text):
    parts = parse_address(text)
    assert parse_address(parts.label()) == parts


ADDRESS_CHARS = "0123456789abcAB#-()（）古塘新村东區路街号號楼樓幢栋棟座单單元室房户层第一二三十 "


@given(st.text(alphabet=ADDRESS_CHARS, max_size=30), st.data())
def test_the_key_is_stable_under_inserting_spaces_and_full_width(text, data):
    spaced = "".join(ch + data.draw(st.sampled_from(["", " ", "\u3000", "\t"])) for ch in text)
    assert address_key(full_width(spaced)) == address_key(text)


# (as written, normalised) area names, none ending in a numeral or a marker
AREAS = [
    ("", ""),
    ("古塘新村", "古塘新村"),
    ("幸福家園", "幸福家园"),
    ("古塘新村（东区）", "古塘新村东区"),
    ("三北大街88号", "三北大街88号"),
]
CN_DIGITS = "零一二三四五六七八九"


def chinese(number: int) -> str:
    tens, ones = divmod(number, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


@st.composite
def spelled_addresses(draw) -> tuple[str, str]:
    """A room written one of many ways, and the key all its spellings should get."""
    written_area, area = draw(st.sampled_from(AREAS))
    building = draw(st.one_of(st.none(), st.integers(1, 30)))
    unit = draw(st.one_of(st.none(), st.integers(1, 9)))
    floor, door = draw(st.integers(1, 30)), draw(st.integers(1, 12))
    room = f"{floor}{door:02d}"

    def number(n: int) -> str:
        return draw(st.sampled_from([str(n), f"0{n}", chinese(n)]))

    if building and unit and draw(st.booleans()):
        text = f"{building}-{unit}-{draw(st.sampled_from(['', '0']))}{room}{draw(st.sampled_from(['', '室']))}"
    else:
        text = ""
        if building:
            text += number(building) + draw(st.sampled_from(["幢", "栋", "棟", "座", "号楼", "號樓", "#", "#楼", "号"]))
        if unit:
            text += number(unit) + draw(st.sampled_from(["单元", "單元"]))
        if draw(st.booleans()):
            text += number(floor) + draw(st.sampled_from(["楼", "层", "F"]))
        suffixes = ["", "室", "房", "户"] + (["号"] if building or unit else [])
        text += draw(st.sampled_from(["", "0"])) + room + draw(st.sampled_from(suffixes))
    text = written_area + text
    if draw(st.booleans()):
        text = " ".join(text)
    if draw(st.booleans()):
        text = full_width(text)
    return text, f"{area}|{building or ''}|{unit or ''}|{room}"


@given(spelled_addresses())
def test_every_spelling_of_a_room_gets_its_key(spelled):
    text, key = spelled
    parts = parse_address(text)
    assert parts.key() == key
    assert parse_address(parts.label()) == parts
