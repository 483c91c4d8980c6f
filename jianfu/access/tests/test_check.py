"""The "is this allowed?" check and overlap detection, on the demo district's real catalog."""

import pytest

from jianfu.access import overlap
from jianfu.access.models import Application
from jianfu.catalog.models import Category, ItemKind, WorkItem
from jianfu.core import clock


@pytest.fixture
def demo_catalog(demo_module, db):
    return None


# Twelve realistic messages as they reach a community, each about work in the demo catalog:
# (message, a phrase of the item's name it must match)
IN_FORCE = [
    ("请各社区于周五前报送辖区内80岁以上独居老人名单及联系方式", "老年人"),
    ("【紧急】各社区本周内完成低保家庭入户核查，并上报核查结果", "最低生活保障"),
    ("请网格员本月底前完成辖区流动人口信息登记", "流动人口"),
    ("各社区于下周一前报送残疾人基本服务状况调查表", "残疾人"),
    ("请社区协助开展城乡居民医保参保登记和缴费动员", "医疗保险"),
    ("請各社區本週內完成轄區出租房屋登記", "出租房屋"),
    ("请各社区开展本季度消防安全隐患排查并上报台账", "消防"),
    ("请各社区协助做好社区矫正对象日常走访", "矫正"),
    ("请各社区组织居民开展禁毒宣传活动", "禁毒"),
    ("请各社区于周三前报送今年老旧小区改造居民意愿调查问卷", "老旧小区"),
    ("各社区本周开展垃圾分类宣传督导并上报照片", "垃圾分类"),
    ("请各社区组织犬只狂犬病集中免疫，下周一报送免疫数量", "狂犬病"),
]
NOT_IN_FORCE = [
    "请各社区于月底前完成本年度招商引资任务指标并报送项目线索",
    "请各社区组织参加全市无人机航拍摄影大赛，每社区至少报送5幅作品",
    "请各社区转发本局公众号文章，截图上报点赞数",
    "请各社区配合做好今年征兵宣传和适龄青年报名工作",
    "请各社区统计辖区内餐饮店营业执照办理情况",
]


@pytest.mark.django_db
@pytest.mark.parametrize("message,expected", IN_FORCE)
def test_a_reworded_request_matches_its_item_in_force(demo_catalog, message, expected):
    result = overlap.check_request(message)
    assert result.status == "in_force", (message, result)
    assert expected in result.item.name, (message, result.item.name)


@pytest.mark.django_db
@pytest.mark.parametrize("message", NOT_IN_FORCE)
def test_an_unrelated_request_is_not_in_force(demo_catalog, message):
    assert overlap.check_request(message).status in {"not_in_force", "negative"}


@pytest.mark.django_db
def test_a_negative_list_certificate_is_answered_must_not_enter(demo_catalog):
    result = overlap.check_request("派出所让社区给居民开具无犯罪记录证明")
    assert result.status == "negative" and "公安" in result.item.responsible_body


def _probe(name: str, description: str = "") -> Application:
    return Application(name=name, description=description, kind=ItemKind.LEDGER, category=Category.DUTY)


@pytest.mark.django_db
def test_a_reworded_duplicate_of_an_item_ranks_first(demo_catalog):
    item = WorkItem.objects.get(name="协助流动人口居住登记和出租房屋信息采集", year=clock.today().year)
    hits = overlap.similar_items(_probe("流动人口居住登记及出租房屋信息采集工作"))
    assert hits and hits[0]["code"] == item.code


@pytest.mark.django_db
def test_a_traditional_script_rewording_ranks_above_unrelated_items(demo_catalog):
    item = WorkItem.objects.get(name="最低生活保障和特困供养对象动态管理台账", year=clock.today().year)
    from opencc import OpenCC

    traditional = OpenCC("s2t").convert(item.name)
    assert traditional != item.name
    hits = overlap.similar_items(_probe(traditional))
    assert hits[0]["code"] == item.code
    assert all(h["score"] < hits[0]["score"] for h in hits[1:])
