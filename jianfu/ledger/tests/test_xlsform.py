"""XLSForm surveys: every question matched to what the system already holds before anything new is made.
Test files: tests/data/xlsform/ (see its README.md for their origin and licence)."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.ledger import services
from jianfu.ledger.models import DataElement, ElementState
from jianfu.registry.models import Tag

from .conftest import element

DATA = Path(settings.BASE_DIR) / "tests" / "data" / "xlsform"
REGISTRY_HELD = {
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "hukou_address",
    "actual_address",
    "lives_alone",
    "dibao",
    "disabled",
}


@pytest.fixture
def tags(tree):
    for code, name in [("elderly_alone", "独居老人"), ("dibao", "低保"), ("disabled", "残疾人")]:
        Tag.objects.create(code=code, name=name, department=tree["civil_affairs"])


def upload(clerk, department, name: str):
    data = (DATA / name).read_bytes()
    return services.survey_import(actor=clerk, department=department, data=data, file_name=name)


def test_the_elderly_survey_reuses_everything_the_registry_holds(tree, clerk, tags):
    record = upload(clerk, tree["health"], "elderly_survey_zh.xlsx")
    assert record.title == "老年人基本状况调查表" and record.form_id == "elderly_2026"
    outcome = {q["name"]: q for q in record.questions}
    for name in REGISTRY_HELD:
        assert outcome[name]["reuse"] == "registry", (name, outcome[name])
    assert outcome["id_number"]["key"] == "person.id_number"
    assert outcome["dibao"]["key"] == "tag.dibao" and outcome["lives_alone"]["key"] == "tag.elderly_alone"
    new = {q["name"] for q in record.questions if q.get("proposed")}
    assert new == {"care_need", "children_nearby", "emergency_contact"}
    proposed = DataElement.objects.filter(state=ElementState.PROPOSED)
    assert proposed.count() == 3
    assert proposed.get(code="ELDERLY_2026_CARE_NEED").options == ["无需照料", "部分需要照料", "完全需要照料"]


def test_a_question_matching_an_existing_element_reuses_it(tree, clerk, tags):
    element(
        clerk,
        tree["health"],
        "CARE_NEEDS",
        "日常生活照料需求",
        value_type="option",
        options=["无", "有"],
        aggregation="none",
    )
    record = upload(clerk, tree["health"], "elderly_survey_zh.xlsx")
    care = next(q for q in record.questions if q["name"] == "care_need")
    assert (care["reuse"], care["key"]) == ("element", "CARE_NEEDS")


@pytest.mark.parametrize(
    "name",
    [
        "group.xlsx",
        "choice_filter_test.xlsx",
        "yes_or_no_question.xlsx",
        "xlsform_spec_test.xlsx",
        "UCL_Biomass_Plot_Form.xlsx",
    ],
)
def test_the_pyxform_examples_import(tree, clerk, name):
    record = upload(clerk, tree["health"], name)
    assert record.questions
    assert all(q["reuse"] or q.get("proposed") for q in record.questions)
    assert not any(q["type"] in ("note", "calculate", "start", "end") for q in record.questions)


def _form(rows, choices=None) -> bytes:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for row in rows:
        survey.append(row)
    if choices:
        sheet = book.create_sheet("choices")
        for row in choices:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "rows, choices, expected",
    [
        ([("type", "name", "label"), ("text", "a", "A"), ("foobar", "b", "B")], None, "[row : 3]"),
        ([("type", "name", "label"), ("text", "", "A")], None, "[row : 2]"),
        (
            [("type", "name", "label"), ("select_one nope", "a", "A")],
            [("list_name", "name", "label"), ("yn", "yes", "是")],
            "[row : 2]",
        ),
        ([("type", "name", "label"), ("text", "a", "A"), ("text", "a", "B")], None, "[row : 3]"),
        ([("name", "label"), ("a", "A")], None, "'type'"),
    ],
)
def test_a_malformed_xlsform_is_refused_naming_the_row(tree, clerk, rows, choices, expected):
    with pytest.raises(DomainError) as refused:
        services.survey_import(actor=clerk, department=tree["health"], data=_form(rows, choices), file_name="bad.xlsx")
    assert expected in refused.value.message
    assert not DataElement.objects.exists()


def test_only_the_department_clerk_uploads_its_surveys(tree, community_worker):
    data = (DATA / "yes_or_no_question.xlsx").read_bytes()
    with pytest.raises(PermissionDenied):
        services.survey_import(actor=community_worker, department=tree["health"], data=data, file_name="x.xlsx")


def test_a_survey_is_read_by_its_department_and_the_office_only(tree, clerk, office, community_worker, client):
    record = upload(clerk, tree["health"], "yes_or_no_question.xlsx")
    for user, status in ((clerk, 200), (office, 200), (community_worker, 404)):
        client.force_login(user)
        assert client.get(f"/ledger/surveys/{record.pk}/").status_code == status
