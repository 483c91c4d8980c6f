"""Results to .xlsx and a printable PDF report with charts; household slips as PDF or an .xlsx list."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from jianfu.core.tabular import xlsx_bytes

from . import charts, scoring
from .models import Campaign, Direction, VoterKind


def _percent(value) -> str:
    return "" if value is None else f"{value}%"


def _blank(value):
    return "" if value is None else value


def result_headers(campaign: Campaign) -> list[str]:
    headers = ["名次", "评议对象", "所属组织", "综合得分"]
    headers += [f"{i.name}（{i.weight}%）" for i in campaign.indicators.all()]
    headers += ["票数", "应参评（户或单位）", "已参评", "参评率", "是否有效"]
    if campaign.direction == Direction.DEPARTMENT:
        headers += ["社区评价得分", "其他考核得分", f"年终综合得分（社区评价占{campaign.composite_share}）"]
    return headers


def result_rows(campaign: Campaign, results: list[scoring.TargetResult]):
    for r in results:
        row = [r.rank or "", r.target.name, r.target.org.name, r.score if r.score is not None else ""]
        row += [line.score if line.score is not None else "" for line in r.lines]
        row += [r.ballots, r.eligible, r.voted, _percent(r.turnout), "有效" if r.valid else "无效"]
        if campaign.direction == Direction.DEPARTMENT:
            row += [_blank(r.community_score), _blank(r.other_score), _blank(r.composite)]
        yield [float(v) if hasattr(v, "as_tuple") else v for v in row]


def results_xlsx(campaign: Campaign, results) -> bytes:
    return xlsx_bytes(result_headers(campaign), result_rows(campaign, results), title="评议结果")


def score_chart(campaign: Campaign, results) -> charts.Chart:
    return charts.bar_chart(
        _("Weighted score"), [(r.target.name, r.score, r.valid) for r in results if r.ballots or r.score is not None]
    )


def indicator_chart(campaign: Campaign, results) -> charts.Chart:
    means = scoring.indicator_means(campaign, results)
    return charts.bar_chart(_("Mean score per indicator"), [(i.name, v, True) for i, v in means])


def report_pdf(campaign: Campaign, results, request=None) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, needed only for PDFs

    html = render_to_string(
        "evaluation/report_print.html",
        {
            "campaign": campaign,
            "results": results,
            "score_chart": score_chart(campaign, results),
            "indicator_chart": indicator_chart(campaign, results),
            "indicators": list(campaign.indicators.all()),
            "valid_count": sum(1 for r in results if r.valid),
        },
    )
    return HTML(string=html, base_url=request.build_absolute_uri("/") if request else None).write_pdf()


def slips_pdf(campaign: Campaign, community, slips, vote_url: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "evaluation/slips_print.html",
        {"campaign": campaign, "community": community, "slips": slips, "vote_url": vote_url},
    )
    return HTML(string=html).write_pdf()


def sms_text(campaign: Campaign, community, slip, vote_url: str) -> str:
    return (
        f"【{community.name}】{campaign.title}：请于{campaign.closes_on:%m月%d日}前打开 {vote_url} 输入投票码 "
        f"{slip.code} 为社区工作打分。每户一码、只能用一次，投票不记名。"
    )


def slips_xlsx(campaign: Campaign, community, slips, vote_url: str) -> bytes:
    kinds = {VoterKind.HOUSEHOLD: "住户", VoterKind.UNIT: "驻区单位"}
    rows = [
        [n, s.grid, s.label, kinds.get(s.kind, s.kind), s.code, sms_text(campaign, community, s, vote_url)]
        for n, s in enumerate(slips, start=1)
    ]
    return xlsx_bytes(["序号", "网格", "地址（户）", "类别", "投票码", "短信内容"], rows, title="投票码")
