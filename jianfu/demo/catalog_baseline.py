"""The baseline year's stock of work: what the demo communities carried the year before the system.

Pure data, no Django imports; ``demo.catalog.load`` creates ``rows(year)`` for the baseline year
(this year − 1), after this year's items. Nothing here is put on a list or into a published catalog.

* Predecessors: every item that enters communities this year (duty, assist, certificate) already
  existed the year before — same fields, code ``CX-<baseline year>-…``, validity one year earlier.
* The negative list's items were still pushed or issued then: they are ``cancelled`` items of the
  baseline year (cancelled for the year after), codes ``CX-<baseline year>-N01`` ….
* Further items cleared out by the clean-up (seed 001: 150 items, 25 evaluation projects and 27 work
  bodies cancelled, paper ledgers and meetings −50 %), so that the baseline year carries the "六多"
  of seed 000: 90+ work tasks (「社区承担大小工作90多项」: the only use of that figure — this year's catalog
  rests on seed 001's lists; here this year's task predecessors, the negative list's tasks and the
  cleared-out TASKS make 91), 47 ledger sets, 41 creation/evaluation campaigns, 36 surveys in two
  years (18 a year), 23 information platforms, 60+ seal items, and twice this year's meetings.
  Cancelled items have no scope restriction: every community carried them.

``hours_per_occurrence`` of a cancelled item is what it used to cost a community, for the
burden-reduction figures.
"""

from . import catalog_items

# (name, department, frequency, hours per occurrence[, occurrences per year when as needed])
TASKS = [
    ("代收代缴有线电视费", "市文化广电旅游体育局", "monthly", 4),
    ("协助催缴物业费", "市住房和城乡建设局", "quarterly", 6),
    ("党报党刊征订任务", "市委办公室", "yearly", 8),
    ("慈善一日捐募集任务", "市民政局", "yearly", 12),
    ("红十字会员发展指标", "市红十字会", "yearly", 6),
    ("无偿献血动员指标", "市卫生健康局", "half_yearly", 6),
    ("城乡居民养老保险扩面指标", "市人力社保局", "quarterly", 8),
    ("老年人意外伤害保险参保动员指标", "市民政局", "yearly", 10),
    ("文明城市测评点位迎检值守", "市委办公室", "monthly", 8),
    ("路灯、窨井盖等市政设施巡查报告", "市综合行政执法局", "weekly", 1),
    ("户外广告和店招店牌登记", "市综合行政执法局", "quarterly", 6),
    ("辖区企业用工情况统计", "市人力社保局", "monthly", 3),
    ("个体工商户年报催报", "市市场监督管理局", "yearly", 16),
    ("农民工工资支付情况排查", "市人力社保局", "quarterly", 4),
    ("非法集资风险排查", "市财政局", "quarterly", 4),
    ("校外培训机构排查", "市教育局", "half_yearly", 6),
    ("网吧和娱乐场所巡查", "市文化广电旅游体育局", "monthly", 2),
    ("燃气安全入户检查", "市住房和城乡建设局", "half_yearly", 16),
    ("电动自行车上牌动员", "市公安局", "yearly", 8),
    ("“僵尸车”摸排清理", "市公安局", "quarterly", 3),
    ("秸秆禁烧巡查", "市农业农村局", "as_needed", 4, 8),
    ("建筑工地扬尘巡查", "宁波市生态环境局慈溪分局", "monthly", 2),
    ("节水型居民小区宣传动员", "市水利局", "yearly", 6),
    ("交通文明劝导岗值守", "市公安局", "weekly", 2),
    ("公路沿线环境整治巡查", "市交通运输局", "monthly", 3),
    ("学生安全护学岗值守", "市教育局", "weekly", 1.5),
    ("国家反诈中心APP安装注册指标", "市公安局", "quarterly", 6),
    ("消费券发放组织", "市商务局", "as_needed", 8, 3),
    ("家政服务员信息采集", "市商务局", "yearly", 6),
    ("家庭节能承诺书签订", "市经信局", "yearly", 6),
    ("平安建设满意度测评宣传动员", "市公安局", "yearly", 12),
    ("“法治宣传进万家”资料入户发放指标", "市司法局", "half_yearly", 8),
    ("职工医疗互助保障参保动员", "市总工会", "yearly", 6),
    ("妇女“两癌”筛查动员指标", "市妇联", "yearly", 6),
    ("团员青年志愿服务时长指标", "团市委", "quarterly", 3),
    ("残疾人就业岗位开发指标", "市残联", "yearly", 6),
    ("退役军人就业推荐指标", "市退役军人事务局", "half_yearly", 4),
    ("医保电子凭证激活指标", "市医疗保障局", "yearly", 10),
    ("不动产权证书代领代发", "市自然资源和规划局", "as_needed", 3, 4),
]

# Paper ledgers kept per department line ("条线台账"), replaced by the electronic ledger.
LEDGERS = [
    ("社区民政工作纸质台账", "市民政局", "monthly", 4),
    ("社区工作年终考核迎检台账", "市民政局", "yearly", 24),
    ("社区综治工作纸质台账", "市公安局", "monthly", 4),
    ("社区禁毒工作台账", "市公安局", "quarterly", 3),
    ("社区司法行政工作台账", "市司法局", "quarterly", 3),
    ("社区卫生健康工作纸质台账", "市卫生健康局", "monthly", 3),
    ("社区劳动保障工作台账", "市人力社保局", "monthly", 3),
    ("社区残联工作纸质台账", "市残联", "quarterly", 3),
    ("社区科普工作台账", "市科协", "quarterly", 2),
    ("社区妇联工作台账", "市妇联", "quarterly", 3),
    ("社区团建工作台账", "团市委", "quarterly", 2),
    ("社区工会工作台账", "市总工会", "quarterly", 2),
    ("社区文化体育工作台账", "市文化广电旅游体育局", "quarterly", 3),
    ("社区教育工作台账", "市教育局", "quarterly", 2),
    ("社区环境保护工作台账", "宁波市生态环境局慈溪分局", "quarterly", 2),
    ("社区城市管理工作台账", "市综合行政执法局", "monthly", 3),
    ("社区统计工作台账", "市统计局", "quarterly", 3),
    ("社区双拥优抚工作台账", "市退役军人事务局", "quarterly", 3),
    ("社区食品安全工作台账", "市市场监督管理局", "quarterly", 2),
]

CAMPAIGNS = [
    ("文明社区评比", "市委办公室", "yearly", 24),
    ("和谐社区示范单位评比", "市民政局", "yearly", 20),
    ("星级社区评定", "市民政局", "yearly", 16),
    ("敬老模范社区评比", "市民政局", "yearly", 12),
    ("民主法治示范社区创建", "市司法局", "yearly", 20),
    ("法治宣传教育先进社区评比", "市司法局", "yearly", 8),
    ("“无邪教”社区创建", "市公安局", "yearly", 12),
    ("“文明养犬”示范小区评比", "市公安局", "yearly", 8),
    ("消防安全示范社区创建", "市应急管理局", "yearly", 16),
    ("安全生产示范社区创建", "市应急管理局", "yearly", 12),
    ("卫生社区创建", "市卫生健康局", "yearly", 20),
    ("无烟社区创建", "市卫生健康局", "yearly", 12),
    ("婚育新风进万家示范社区评比", "市卫生健康局", "yearly", 8),
    ("充分就业社区创建", "市人力社保局", "yearly", 16),
    ("和谐劳动关系社区评比", "市人力社保局", "yearly", 8),
    ("园林式居住小区评比", "市住房和城乡建设局", "yearly", 12),
    ("美丽庭院评比", "市妇联", "yearly", 8),
    ("“五好文明家庭”评选", "市妇联", "yearly", 8),
    ("青年文明号社区评比", "团市委", "yearly", 8),
    ("残疾人康复示范社区评比", "市残联", "yearly", 12),
    ("体育健身特色社区评比", "市文化广电旅游体育局", "yearly", 12),
    ("书香社区评比", "市文化广电旅游体育局", "yearly", 8),
    ("节水型社区创建", "市水利局", "yearly", 12),
    ("生态文明示范社区创建", "宁波市生态环境局慈溪分局", "yearly", 16),
    ("垃圾分类示范小区评比", "市综合行政执法局", "yearly", 12),
    ("终身学习品牌项目评比", "市教育局", "yearly", 8),
    ("便民商业服务示范社区评比", "市商务局", "yearly", 8),
    ("放心消费示范社区创建", "市市场监督管理局", "yearly", 12),
    ("应急救护示范社区评比", "市红十字会", "yearly", 8),
    ("统计规范化建设示范社区评比", "市统计局", "yearly", 8),
    ("智慧社区示范点评比", "市经信局", "yearly", 16),
    ("清廉社区示范点评比", "市纪委市监委", "yearly", 12),
]

SURVEYS = [
    ("社区居民安全感满意度入户调查", "市公安局", "yearly", 16),
    ("住户收支调查记账户动员和入户", "市统计局", "yearly", 12),
    ("慢性病及其危险因素入户调查", "市卫生健康局", "once", 16),
    ("房屋建筑和市政设施入户核查", "市应急管理局", "once", 24),
    ("居民文化消费需求问卷调查", "市文化广电旅游体育局", "once", 8),
    ("全民健身活动状况调查", "市文化广电旅游体育局", "once", 8),
    ("妇女儿童发展规划监测调查", "市妇联", "yearly", 8),
    ("残疾人家庭收入状况调查", "市残联", "yearly", 12),
    ("失业人员和灵活就业人员摸底调查", "市人力社保局", "half_yearly", 12),
    ("学龄前儿童数量摸底调查", "市教育局", "yearly", 12),
    ("居民住房状况调查", "市住房和城乡建设局", "once", 16),
    ("居民出行方式问卷调查", "市交通运输局", "once", 8),
]

# Information platforms each department had communities keep up, "互不相通" (seed 000).
PLATFORMS = [
    ("社区管理与服务信息系统（旧版）", "市民政局", "weekly", 2),
    ("平安建设信息系统（旧版）社区端", "市公安局", "weekly", 2),
    ("流动人口信息采集APP（旧版）", "市公安局", "weekly", 1),
    ("人口计生信息系统社区录入端", "市卫生健康局", "monthly", 3),
    ("居民电子健康档案社区录入端", "市卫生健康局", "monthly", 2),
    ("就业失业登记信息系统社区端", "市人力社保局", "monthly", 2),
    ("残疾人服务管理信息系统（社区版）", "市残联", "monthly", 2),
    ("城管通APP社区协管端", "市综合行政执法局", "weekly", 1),
    ("安全生产网格化管理APP", "市应急管理局", "weekly", 1),
    ("食品安全信息平台社区协管端", "市市场监督管理局", "monthly", 2),
    ("社区教育学习平台打卡", "市教育局", "weekly", 1),
    ("文化云平台活动发布", "市文化广电旅游体育局", "monthly", 2),
    ("“网上妇女之家”维护", "市妇联", "monthly", 2),
    ("志愿服务信息平台活动录入（旧版）", "团市委", "monthly", 2),
    ("智慧党建APP学习打卡", "市直机关工委", "weekly", 1),
    ("社区微信公众号信息报送和转发", "市委办公室", "weekly", 1),
    ("环保随手拍APP", "宁波市生态环境局慈溪分局", "monthly", 1),
]

# Stamped certificates beyond the negative list's 20 ("奇葩证明""循环证明", seed 000: from a damaged
# banknote to a house sale): (name, department, requests per community per year).
CERTIFICATES = [
    ("纸币缺损情况证明", "市财政局", 2),
    ("房屋买卖情况证明", "市住房和城乡建设局", 6),
    ("家庭经济困难证明（学生资助）", "市教育局", 20),
    ("子女入学居住年限证明", "市教育局", 15),
    ("分户情况证明", "市公安局", 5),
    ("同一人证明", "市公安局", 8),
    ("学生假期社会实践证明", "市教育局", 20),
    ("水电气过户居住情况证明", "市住房和城乡建设局", 6),
    ("电动自行车所有权证明", "市公安局", 10),
    ("医疗费用报销情况证明", "市医疗保障局", 8),
    ("医疗救助家庭困难证明", "市医疗保障局", 10),
    ("长期病假在家休养证明", "市卫生健康局", 5),
    ("孤寡老人证明", "市民政局", 4),
    ("下岗职工工龄证明", "市人力社保局", 6),
    ("个体工商户歇业证明", "市市场监督管理局", 5),
    ("房屋来源证明", "市自然资源和规划局", 6),
    ("征收安置人口情况证明", "市住房和城乡建设局", 4),
    ("纠纷发生经过证明", "市司法局", 6),
    ("火灾受灾情况证明", "市应急管理局", 2),
    ("台风受灾财产损失证明", "市应急管理局", 6),
    ("贷款用途和还款能力证明", "市财政局", 8),
    ("退役军人现居住地证明", "市退役军人事务局", 3),
    ("残疾人生活困难证明", "市残联", 6),
    ("计划生育奖励扶助对象资格证明", "市卫生健康局", 10),
    ("夫妻分居证明", "市民政局", 3),
    ("单亲家庭证明", "市妇联", 4),
    ("农贸市场摊位经营证明", "市商务局", 3),
]

# Work bodies cleared out with their plaques (seed 001: 27 work bodies cancelled; five of them are in
# ``catalog_items.CANCELLED_ITEMS``): (the plaque, department).
BODIES = [
    ("社区老年协会", "市民政局"),
    ("社区禁毒工作站", "市公安局"),
    ("社区计生协会", "市卫生健康局"),
    ("社区科普站", "市科协"),
    ("社区关工委", "市教育局"),
    ("社区调解委员会", "市司法局"),
    ("社区妇女之家", "市妇联"),
    ("社区青少年活动中心", "团市委"),
    ("社区残疾人之家", "市残联"),
    ("社区消防工作站", "市应急管理局"),
    ("社区综治中心", "市公安局"),
    ("社区安全生产监管站", "市应急管理局"),
    ("社区红十字服务站", "市红十字会"),
    ("社区退役军人服务站", "市退役军人事务局"),
    ("社区健康教育室", "市卫生健康局"),
    ("社区流动人口服务站", "市公安局"),
    ("社区环保监督站", "宁波市生态环境局慈溪分局"),
    ("社区党风廉政监督站", "市纪委市监委"),
    ("社区市民学校", "市教育局"),
    ("社区食品安全监督站", "市市场监督管理局"),
    ("社区农家书屋", "市文化广电旅游体育局"),
    ("社区双拥工作站", "市退役军人事务局"),
]

INSPECTIONS = [
    ("社区综治工作年度考核（一票否决）", "市公安局", "yearly", 16),
    ("社区计划生育目标责任制考核（一票否决）", "市卫生健康局", "yearly", 16),
    ("社区安全生产目标责任考核", "市应急管理局", "half_yearly", 8),
    ("社区党建工作专项检查", "市直机关工委", "yearly", 12),
    ("社区统计工作规范化检查", "市统计局", "yearly", 8),
    ("社区档案工作检查", "市委办公室", "yearly", 12),
    ("社区就业和社会保障工作考核", "市人力社保局", "yearly", 12),
    ("社区文化工作考核", "市文化广电旅游体育局", "yearly", 8),
    ("社区信访工作考核", "市政府办公室", "half_yearly", 8),
]

# Meetings departments called communities to; with the predecessors and "部门条线社区工作推进会"
# (``catalog_items.CANCELLED_ITEMS``, quarterly) the baseline year holds twice this year's burden
# meetings in every month (seed 001: 社区会议减少50%): this year's are one monthly and one quarterly
# meeting; residents' own hearings and consultations are not burden (monitor.selfgov).
MEETINGS = [
    ("平安建设工作例会", "市公安局", "monthly", 2),
]

_WHY = {
    "task": "已取消：“{name}”不属于社区依法履职和协助政府事项，部门不得再交由社区落实。",
    "ledger": "已取消：纸质台账“{name}”与电子台账重复，停止填报，部门所需数据从一表通直接提取。",
    "campaign": "已取消：“{name}”不符合社区实际，社区不再申报、准备创建材料和迎检。",
    "survey": "已取消：“{name}”不再要求社区反复入户，所需数据从基础信息库和统计调查中获取。",
    "platform": "已取消：“{name}”与基层智治综合应用重复，停止社区端录入，数据迁入统一平台。",
    "certificate": "已取消：社区不再出具“{name}”，由有关部门自行核查或由本人书面承诺（清理“奇葩证明”“循环证明”）。",
    "body": "已取消：{name}无法律依据和实质工作对象，机构撤销，牌子摘除。",
    "inspection": "已取消：“{name}”不再单独进行，纳入以居民满意度为主的社区年度综合考评，不设一票否决。",
    "meeting": "已取消：部门不再单独召集社区参加“{name}”，工作在街道（镇）社区工作例会上统一布置。",
}
_BASIS = catalog_items._NEGATIVE_2015  # 民政部 中央组织部《关于进一步开展社区减负工作的通知》


def predecessors(baseline_year: int) -> list[dict]:
    """Every item that enters communities this year, as it stood in the baseline year."""
    rows = [
        r for r in catalog_items.ITEMS + catalog_items.EXTRA_ITEMS if r["category"] in ("duty", "assist", "certificate")
    ]
    return catalog_items.for_year(rows, baseline_year)


def negative_predecessors(baseline_year: int) -> list[dict]:
    """The negative list's items, still pushed or issued in the baseline year, then cancelled."""
    rows = []
    for n, row in enumerate(catalog_items.NEGATIVE_ITEMS, start=1):
        item = dict(row)
        item["code"] = f"CX-{baseline_year}-N{n:02d}"
        item["category"] = "cancelled"
        if row["kind"] == "certificate":
            item["description"] = (
                f"已取消：社区曾出具{row['name']}，列入负面清单后不再出具，由{row['responsible_body']}办理。"
            )
        else:
            item["description"] = f"已取消：社区曾承担{row['name']}，列入负面清单后由{row['responsible_body']}负责。"
        rows.append(item)
    return rows


def _topic(code, kind, topic) -> dict:
    name, department, frequency, hours, *occurrences = topic
    return catalog_items._item(
        code,
        name,
        _WHY[kind].format(name=name),
        kind,
        "cancelled",
        department,
        legal_basis=_BASIS,
        frequency=frequency,
        occurrences_per_year=occurrences[0] if occurrences else 0,
        hours_per_occurrence=hours,
    )


def cancelled(baseline_year: int) -> list[dict]:
    """Work cleared out of communities by the clean-up at the end of the baseline year."""
    topics = [("task", t) for t in TASKS]
    topics += [("ledger", t) for t in LEDGERS]
    topics += [("campaign", t) for t in CAMPAIGNS]
    topics += [("survey", t) for t in SURVEYS]
    topics += [("platform", t) for t in PLATFORMS]
    topics += [("certificate", (name, department, "as_needed", 0.5, n)) for name, department, n in CERTIFICATES]
    topics += [("inspection", t) for t in INSPECTIONS]
    topics += [("meeting", t) for t in MEETINGS]
    rows = [_topic(f"CX-{baseline_year}-C{n:03d}", kind, t) for n, (kind, t) in enumerate(topics, start=1)]
    for n, (plaque, department) in enumerate(BODIES, start=len(rows) + 1):
        row = _topic(f"CX-{baseline_year}-C{n:03d}", "body", (f"{plaque}挂牌", department, "yearly", 3))
        row["description"] = _WHY["body"].format(name=plaque)
        rows.append(row)
    return rows


def rows(baseline_year: int) -> list[dict]:
    return predecessors(baseline_year) + negative_predecessors(baseline_year) + cancelled(baseline_year)


if __name__ == "__main__":
    from collections import Counter

    made = rows(2025)
    codes = [r["code"] for r in made]
    assert len(codes) == len(set(codes)), [c for c, n in Counter(codes).items() if n > 1]
    names = [r["name"] for r in cancelled(2025)] + [r["name"] for r in catalog_items.CANCELLED_ITEMS]
    names += [r["name"] for r in catalog_items.ITEMS + catalog_items.EXTRA_ITEMS]
    assert len(names) == len(set(names)), [n for n, k in Counter(names).items() if k > 1]
    kinds = Counter(r["kind"] for r in made)
    assert 90 < kinds["task"] < 100, kinds["task"]  # seed 000: 社区承担大小工作90多项
    print(len(made), dict(kinds))
