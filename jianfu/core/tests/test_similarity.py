import random

import pytest

from jianfu.core.similarity import (
    DEFAULT_REQUEST_THRESHOLD,
    SimilarityIndex,
    fold,
    match_request,
    strip_request_boilerplate,
)

CATALOG = [
    "低保家庭入户核查",
    "独居老人关爱服务台账",
    "高龄老人信息统计",
    "流动人口信息登记",
    "消防安全隐患排查",
    "文明城市创建测评",
    "垃圾分类督导检查",
    "居民医保参保登记",
    "退役军人信息采集",
    "残疾人基本状况调查",
    "计划生育服务台账",
    "社区矫正人员走访",
    "禁毒宣传活动记录",
    "安全生产检查",
    "食品安全宣传",
    "人口普查入户登记",
    "出租房屋登记",
    "征兵宣传报名",
    "居住证明",
    "亲属关系证明",
    "特困人员供养核查",
    "重点青少年帮扶台账",
    "防汛物资储备检查",
    "老旧小区改造意见征集",
    "新冠疫苗接种摸排",
    "失业人员就业登记",
    "城乡居民养老保险缴费",
    "电动自行车充电隐患排查",
    "反诈宣传进社区",
    "精神障碍患者随访管理",
]

# Items that share no subject with 独居老人关爱服务台账 (the other elderly-care item and the other 台账/服务 ones do).
UNRELATED_TO_ELDERLY_CARE = [
    name
    for name in CATALOG
    if name not in {"独居老人关爱服务台账", "高龄老人信息统计", "计划生育服务台账", "重点青少年帮扶台账"}
]

# Chat messages as community workers receive them, each with the catalog item it falls under.
REQUESTS = [
    ("请各社区于周五前报送辖区内80岁以上独居老人名单及联系方式", "独居老人关爱服务台账"),
    ("请社区尽快统计辖区内80周岁以上高龄老人信息，含身份证号", "高龄老人信息统计"),
    ("各居委会注意：本周内完成辖区出租屋登记，新增租户信息务必按时填报", "出租房屋登记"),
    ("【紧急通知】请各社区今天下班前上报辖区内低保户入户核查情况，联系人王科长 13812345678", "低保家庭入户核查"),
    ("各网格员：请于3月15日前完成流动人口信息采集登记工作", "流动人口信息登记"),
    ("请各社区本周内组织开展消防安全隐患大排查，并报送排查台账", "消防安全隐患排查"),
    ("下周迎接文明城市创建实地测评，请各社区做好迎检准备", "文明城市创建测评"),
    ("請各社區於週五前上報轄區內殘疾人基本狀況調查表", "残疾人基本状况调查"),
    ("请各社区于月底前完成居民医保参保登记工作，确保应保尽保", "居民医保参保登记"),
    ("退役军人信息采集表请于周三前报送至街道退役军人服务站", "退役军人信息采集"),
    ("请各社区每月走访社区矫正对象一次并填写走访记录", "社区矫正人员走访"),
    ("6月26日国际禁毒日，请各社区开展禁毒宣传活动并上报活动照片及记录", "禁毒宣传活动记录"),
    ("今年征兵工作已启动，请各社区做好征兵宣传和适龄青年报名", "征兵宣传报名"),
    ("垃圾分类督导员请按时到岗，各社区每日上报垃圾分类督导检查情况", "垃圾分类督导检查"),
    ("请各社区于周五前开展电动自行车楼道充电隐患排查", "电动自行车充电隐患排查"),
    ("汛期将至，请各社区于6月1日前检查防汛沙袋、雨衣等物资储备情况", "防汛物资储备检查"),
]

# Messages about work that is in no catalog item, though some share words with one.
UNRELATED_REQUESTS = [
    "请各社区于本月底前上报招商引资目标任务完成情况及签约项目清单",
    "市场监管所本周将对辖区内餐饮店营业执照和食品经营许可证进行检查，请各社区知悉",
    "区文旅局举办“美丽家园”无人机航拍摄影大赛，欢迎各社区踊跃投稿",
    "请各社区于周五前报送辖区内个体工商户纳税统计数据",
    "本周六上午9点召开党建工作会议，请社区书记准时参会",
    "请各社区统计辖区内新能源汽车充电桩建设数量",
    "请各社区转发区融媒体中心公众号文章并截图上报点赞数",
]


@pytest.fixture(scope="module")
def catalog() -> SimilarityIndex[str]:
    return SimilarityIndex((name, name) for name in CATALOG)


def test_fold_turns_traditional_into_simplified():
    assert fold("獨居老人關愛服務臺賬") == "独居老人关爱服务台账"
    assert fold("殘疾人基本狀況調查") == "残疾人基本状况调查"


def test_fold_turns_full_width_digits_and_letters_into_lowercase_half_width():
    assert fold("８０岁以上ＡＢＣ老人") == "80岁以上abc老人"


def test_fold_drops_punctuation_and_whitespace():
    assert fold("【通知】请各社区：周五前，报送“名单”！  谢谢。") == "通知请各社区周五前报送名单谢谢"
    assert fold("Hello, World!") == "helloworld"


def test_a_reworded_duplicate_ranks_first_among_the_catalog(catalog: SimilarityIndex[str]):
    rewordings = {
        "辖区低保家庭入户走访核查": "低保家庭入户核查",
        "外来流动人口登记": "流动人口信息登记",
        "消防隐患排查整治": "消防安全隐患排查",
        "社区禁毒宣传活动": "禁毒宣传活动记录",
        "开展社区矫正对象走访": "社区矫正人员走访",
        "出租屋租赁登记": "出租房屋登记",
        "电动车充电安全隐患排查": "电动自行车充电隐患排查",
    }
    for query, expected in rewordings.items():
        results = catalog.search(query, limit=3)
        assert results[0][0] == expected, (query, results)


def test_a_traditional_rewording_ranks_above_unrelated_items(catalog: SimilarityIndex[str]):
    results = dict(catalog.search("轄區獨居老人關愛走訪臺賬", limit=len(CATALOG)))
    best = max(results, key=results.__getitem__)
    assert best == "独居老人关爱服务台账"
    assert all(results.get(name, 0.0) < results[best] / 2 for name in UNRELATED_TO_ELDERLY_CARE)


def test_the_same_name_in_traditional_script_scores_one(catalog: SimilarityIndex[str]):
    assert catalog.search("獨居老人關愛服務臺賬", limit=1) == [("独居老人关爱服务台账", pytest.approx(1.0))]


def test_search_returns_scores_best_first_between_zero_and_one(catalog: SimilarityIndex[str]):
    results = catalog.search("老人信息", limit=5)
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < score <= 1.0 for score in scores)


def test_search_respects_limit_and_min_score(catalog: SimilarityIndex[str]):
    assert len(catalog.search("登记", limit=2)) == 2
    assert all(score >= 0.3 for _, score in catalog.search("登记", min_score=0.3))
    assert catalog.search("登记", limit=0) == []


def test_search_finds_nothing_for_unknown_or_empty_text(catalog: SimilarityIndex[str]):
    assert catalog.search("航拍摄影大赛") == []
    assert catalog.search("，。！  ") == []


def test_a_name_counts_more_than_a_description():
    index = SimilarityIndex(
        [
            ("care", ("独居老人关爱服务台账", "每月上门探访辖区内独居老人")),
            ("census", ("高龄老人信息统计", "统计八十岁以上老人，含独居老人关爱服务需求")),
        ]
    )
    assert index.search("独居老人关爱服务")[0][0] == "care"
    assert index.search("高龄老人统计")[0][0] == "census"


def test_boilerplate_is_stripped_and_the_subject_kept():
    assert strip_request_boilerplate("请各社区于周五前报送辖区内80岁以上独居老人名单及联系方式") == "独居老人名单"
    stripped = strip_request_boilerplate(
        "【紧急通知】请各社区今天下班前上报辖区内低保户入户核查情况，联系人 13812345678"
    )
    assert stripped == "低保户入户核查"


def test_boilerplate_stripping_handles_dates_and_traditional_script():
    assert strip_request_boilerplate("請於3月15日下午5點前填報轄區內相關工作情況：流動人口") == "流动人口"
    assert strip_request_boilerplate("本周内务必按时上报 2025-03-15 17:00 截止") == ""


def test_boilerplate_stripping_keeps_subject_words_that_look_like_dates():
    assert "适龄青年" in strip_request_boilerplate("请做好适龄青年报名")
    assert "老年人" in strip_request_boilerplate("老年人")


def test_each_request_message_matches_its_catalog_item(catalog: SimilarityIndex[str]):
    for message, expected in REQUESTS:
        match = match_request(catalog, message, threshold=DEFAULT_REQUEST_THRESHOLD)
        assert match is not None, message
        assert match[0] == expected, (message, match)


def test_unrelated_request_messages_match_nothing(catalog: SimilarityIndex[str]):
    for message in UNRELATED_REQUESTS:
        assert match_request(catalog, message, threshold=DEFAULT_REQUEST_THRESHOLD) is None, message


def test_a_message_of_pure_boilerplate_matches_nothing(catalog: SimilarityIndex[str]):
    assert match_request(catalog, "请各社区于周五前按时报送相关工作情况，谢谢！", threshold=0.0) is None


def test_an_index_of_ten_thousand_documents_answers_queries():
    rng = random.Random(20250315)
    prefixes = ["社区", "辖区", "街道", "居民", "重点人群", "困难群众"]
    suffixes = ["台账", "登记", "排查", "核查", "走访", "统计", "宣传", "检查"]
    docs = [(number, f"{rng.choice(prefixes)}{rng.choice(CATALOG)}{rng.choice(suffixes)}") for number in range(10_000)]
    index = SimilarityIndex(docs)
    assert len(index) == 10_000
    results = index.search("独居老人关爱服务台账", limit=20)
    assert len(results) == 20
    assert all("独居老人关爱服务" in docs[number][1] for number, _ in results)
    match = match_request(index, REQUESTS[0][0], threshold=0.0)
    assert match is not None and "独居老人" in docs[match[0]][1]


def test_boilerplate_stripping_keeps_subject_words_that_contain_boilerplate_characters():
    assert strip_request_boilerplate("走访社区矫正对象") == "走访社区矫正对象"
    assert strip_request_boilerplate("用人单位岗位申请") == "用人单位岗位申请"
