"""Issue 20, points 3, 4 and 6: every consulted voice is its own and kept; review duties by member
unit, never the applicant's own; the decision document as Word and PDF."""

import io
import re

import pytest

from jianfu.access import services
from jianfu.access.models import Consultation, Decision, Opinion, ReviewAssignment, ReviewDuty, State, Transition
from jianfu.audit.services import verify
from jianfu.catalog.models import Category, ItemKind
from jianfu.core import workdays
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.orgs import services as orgs
from jianfu.orgs.models import OrgKind, Role, User

from .conftest import TODAY
from .test_workflow import draft


def person(username, role, org) -> User:
    user = User.objects.create_user(username=username, password="Test-pass-2026", display_name=username)
    orgs.membership_grant(actor=None, user=user, org=org, role=role)
    return user


def consulting(clerk, reviewer, office, tree, consulted, **fields):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree, **fields))
    services.application_pass_review(actor=reviewer, application=application)
    services.consultation_open(actor=office, application=application, orgs=consulted)
    application.refresh_from_db()
    return application


# ---- point 3: consultation keeps every voice


def test_a_street_cannot_change_a_communitys_opinion(
    tree, items, clerk, reviewer, office, community_worker, street_worker
):
    application = consulting(clerk, reviewer, office, tree, [tree["street1"], tree["community11"]])
    community = application.consultations.get(org=tree["community11"])
    services.opinion_give(actor=community_worker, consultation=community, opinion=Opinion.DISAGREE, comment="重复")
    with pytest.raises(PermissionDenied):
        services.opinion_give(actor=street_worker, consultation=community, opinion=Opinion.AGREE)
    community.refresh_from_db()
    assert (community.opinion, community.comment, community.answered_by) == (Opinion.DISAGREE, "重复", community_worker)
    # The street answers for itself.
    street = application.consultations.get(org=tree["street1"])
    services.opinion_give(actor=street_worker, consultation=street, opinion=Opinion.AGREE)
    street.refresh_from_db()
    assert street.opinion == Opinion.AGREE


def test_a_street_cannot_change_a_communitys_opinion_through_the_page(
    client, tree, items, clerk, reviewer, office, community_worker, street_worker
):
    application = consulting(clerk, reviewer, office, tree, [tree["community11"]])
    community = application.consultations.get()
    services.opinion_give(actor=community_worker, consultation=community, opinion=Opinion.DISAGREE, comment="重复")
    client.force_login(street_worker)
    page = client.get(f"/access/{application.number}/").content.decode()
    assert 'data-testid="my-opinion"' not in page  # no form for someone else's opinion
    client.post(f"/access/{application.number}/opinion/{community.pk}/", {"opinion": "agree", "comment": ""})
    community.refresh_from_db()
    assert community.opinion == Opinion.DISAGREE


def test_the_consulted_community_amends_its_answer_until_the_close_and_history_keeps_both(
    client, tree, items, clerk, reviewer, office, community_worker, frozen
):
    application = consulting(clerk, reviewer, office, tree, [tree["community11"], tree["community12"]])
    mine = application.consultations.get(org=tree["community11"])
    client.force_login(community_worker)
    url = f"/access/{application.number}/opinion/{mine.pk}/"
    client.post(url, {"opinion": "suggest", "comment": "建议合并到现有台账"})
    page = client.get(f"/access/{application.number}/").content.decode()
    # After answering, the page shows the answer (and offers to amend it), not the blank form again.
    assert 'data-testid="my-answer" data-opinion="suggest"' in page and "建议合并到现有台账" in page
    assert re.search(r'value="suggest"[^>]*checked', page)  # the amend form starts from the answer
    client.post(url, {"opinion": "disagree", "comment": "与现有台账重复"})
    mine.refresh_from_db()
    assert (mine.opinion, mine.comment) == (Opinion.DISAGREE, "与现有台账重复")
    answers = Transition.objects.filter(application=application, action="give_opinion").order_by("pk")
    assert [(t.org_id, t.opinion, t.note, t.actor_id) for t in answers] == [
        (tree["community11"].pk, Opinion.SUGGEST, "建议合并到现有台账", community_worker.pk),
        (tree["community11"].pk, Opinion.DISAGREE, "与现有台账重复", community_worker.pk),
    ]
    page = client.get(f"/access/{application.number}/").content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert timeline.count('data-action="give_opinion" data-org="S1C1"') == 2 and "建议合并到现有台账" in timeline
    # Closed: no more amending.
    frozen(workdays.add_workdays(application.consultation_due, 1))
    services.consultation_close(actor=office, application=application)
    with pytest.raises(PermissionDenied):
        services.opinion_give(actor=community_worker, consultation=mine, opinion=Opinion.AGREE)
    assert verify().ok


def test_an_early_close_marks_no_one_overdue(tree, items, clerk, reviewer, office, community_worker, outsider):
    consulted = [tree["community11"], tree["community12"], tree["community21"], tree["community22"]]
    application = consulting(clerk, reviewer, office, tree, consulted)
    assert application.consultation_due > TODAY
    mine = application.consultations.get(org=tree["community11"])
    theirs = application.consultations.get(org=tree["community21"])
    services.opinion_give(actor=community_worker, consultation=mine, opinion=Opinion.AGREE)
    services.opinion_give(actor=outsider, consultation=theirs, opinion=Opinion.AGREE)
    services.consultation_close(actor=office, application=application)  # a quorum, a week early
    opinions = dict(application.consultations.values_list("org__code", "opinion"))
    assert opinions == {
        "S1C1": Opinion.AGREE,
        "S1C2": Opinion.CLOSED_EARLY,
        "S2C1": Opinion.AGREE,
        "S2C2": Opinion.CLOSED_EARLY,
    }
    assert not Consultation.objects.filter(opinion=Opinion.NONE).exists()
    close = application.transitions.get(action="close_consultation")
    assert close.to_state == State.DELIBERATION and "2" in close.note


def test_a_close_after_the_due_date_marks_the_silent_as_no_answer_in_time(
    tree, items, clerk, reviewer, office, community_worker, frozen
):
    application = consulting(clerk, reviewer, office, tree, [tree["community11"], tree["community12"]])
    frozen(workdays.add_workdays(application.consultation_due, 1))
    services.close_due_consultations()
    assert set(application.consultations.values_list("opinion", flat=True)) == {Opinion.NONE}


def test_the_picker_offers_only_the_streets_and_communities_in_scope(client, tree, items, clerk, reviewer, office):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    application.scope_streets.set([tree["street2"]])
    services.application_pass_review(actor=reviewer, application=application)
    client.force_login(office)
    page = client.get(f"/access/{application.number}/").content.decode()
    picker = page[page.index('data-testid="consult-picker"') : page.index("</select>", page.index("consult-picker"))]
    assert "街道2社区1" in picker and "街道2社区2" in picker and "第2街道" in picker
    assert "街道1社区1" not in picker and "第1街道" not in picker
    assert "vendor/tom-select.complete.min.js" in page and "access/picker.js" in page
    # Out of scope: refused, nothing opened.
    with pytest.raises(DomainError, match="街道1社区1"):
        services.consultation_open(actor=office, application=application, orgs=[tree["community11"]])
    # The whole-street shortcut (a plain checkbox: no JavaScript needed).
    response = client.post(
        f"/access/{application.number}/open_consultation/",
        {"consult-whole_streets": [tree["street2"].pk], "consult-workdays": "5"},
    )
    assert response.status_code == 302
    assert set(application.consultations.values_list("org__code", flat=True)) == {"S2C1", "S2C2"}


def test_the_picker_posts_as_a_plain_select(client, tree, items, clerk, reviewer, office):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    services.application_pass_review(actor=reviewer, application=application)
    client.force_login(office)
    client.post(
        f"/access/{application.number}/open_consultation/",
        {"consult-orgs": [tree["street1"].pk, tree["community21"].pk], "consult-workdays": "5"},
    )
    assert set(application.consultations.values_list("org__code", flat=True)) == {"S1", "S2C1"}


def test_a_street_is_not_waiting_for_its_communities_answers(
    client, tree, items, clerk, reviewer, office, street_worker, community_worker
):
    consulting(clerk, reviewer, office, tree, [tree["community11"]])
    client.force_login(street_worker)
    assert 'data-testid="waiting"' not in client.get("/access/").content.decode()
    client.force_login(community_worker)
    assert 'data-testid="waiting"' in client.get("/access/").content.decode()


# ---- point 4: review duties


def test_a_reviewer_from_the_applying_department_is_refused(client, tree, items, reviewer):
    # 民政局 is a member unit: its own clerk applies, its own reviewer may not pass it.
    own_clerk = person("mz-clerk", Role.CLERK, tree["civil_affairs"])
    application = services.application_create(
        actor=own_clerk,
        department=tree["civil_affairs"],
        name="困难群众走访台账",
        kind=ItemKind.LEDGER,
        category=Category.DUTY,
        legal_basis="《社会救助暂行办法》第十条",
        hours_per_occurrence=2,
        start_date=TODAY.replace(month=5, day=6),
    )
    services.application_submit(actor=own_clerk, application=application)
    with pytest.raises(PermissionDenied):
        services.application_pass_review(actor=reviewer, application=application)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    client.force_login(reviewer)
    page = client.get(f"/access/{application.number}/").content.decode()
    assert "pass_review" not in page
    client.post(f"/access/{application.number}/pass_review/")
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    # Another member unit's reviewer passes it.
    finance = orgs.org_create(
        actor=None, code="CZ", name="财政局", kind=OrgKind.DEPARTMENT, parent=tree["district"], is_member_unit=True
    )
    services.application_pass_review(actor=person("cz", Role.REVIEWER, finance), application=application)
    application.refresh_from_db()
    assert application.state == State.REVIEWED


def test_each_assigned_unit_reviews_its_part_and_the_page_shows_each(client, tree, items, clerk, office, reviewer):
    district = tree["district"]
    finance = orgs.org_create(
        actor=None, code="CZ", name="财政局", kind=OrgKind.DEPARTMENT, parent=district, is_member_unit=True
    )
    bodies = orgs.org_create(
        actor=None, code="BB", name="区委编办", kind=OrgKind.DEPARTMENT, parent=district, is_member_unit=True
    )
    finance_reviewer, bodies_reviewer = person("cz", Role.REVIEWER, finance), person("bb", Role.REVIEWER, bodies)
    client.force_login(office)
    for unit, duty in ((tree["civil_affairs"], ReviewDuty.WHOLE), (finance, ReviewDuty.FUNDING)):
        assert client.post("/access/review-duties/", {"unit": unit.pk, "duty": duty}).status_code == 302
    services.review_assign(actor=office, district=district, unit=bodies, duty=ReviewDuty.BODIES)
    assert ReviewAssignment.objects.filter(district=district).count() == 3
    with pytest.raises(PermissionDenied):
        services.review_assign(actor=reviewer, district=district, unit=bodies, duty=ReviewDuty.WHOLE)

    funded = services.application_submit(
        actor=clerk,
        application=draft(clerk, tree, category=Category.ASSIST, funding_yuan=2000, funding_channel="区财政"),
    )
    with pytest.raises(PermissionDenied):  # bodies are not its part here
        services.application_pass_review(actor=bodies_reviewer, application=funded)
    services.application_pass_review(actor=finance_reviewer, application=funded, comment="经费已落实")
    funded.refresh_from_db()
    assert funded.state == State.SUBMITTED  # the whole is still awaited
    with pytest.raises(PermissionDenied):  # its part is done
        services.application_pass_review(actor=finance_reviewer, application=funded)
    client.force_login(reviewer)
    page = client.get(f"/access/{funded.number}/").content.decode()
    table = page[page.index('data-testid="reviews"') : page.index("</table>", page.index('data-testid="reviews"'))]
    assert "财政局" in table and "经费已落实" in table and "民政局" in table
    services.application_pass_review(actor=reviewer, application=funded, comment="同意")
    funded.refresh_from_db()
    assert funded.state == State.REVIEWED
    units = list(funded.transitions.filter(action__in=["review", "pass_review"]).values_list("action", "org__code"))
    assert units == [("review", "CZ"), ("pass_review", "MZ")]

    # A plain ledger needs the whole only.
    plain = services.application_submit(actor=clerk, application=draft(clerk, tree, name="社区健康档案二次更新"))
    services.application_pass_review(actor=reviewer, application=plain)
    plain.refresh_from_db()
    assert plain.state == State.REVIEWED


def test_a_resubmission_asks_every_unit_again(tree, items, clerk, office, reviewer):
    services.review_assign(actor=office, district=tree["district"], unit=tree["civil_affairs"], duty=ReviewDuty.WHOLE)
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    services.application_return(actor=reviewer, application=application, reason="请补充")
    services.application_submit(actor=clerk, application=application)
    assert services.application_pass_review(actor=reviewer, application=application).state == State.REVIEWED


# ---- point 6: the decision document


def _decided(tree, clerk, reviewer, office, community_worker):
    application = consulting(clerk, reviewer, office, tree, [tree["community11"]])
    mine = application.consultations.get()
    services.opinion_give(actor=community_worker, consultation=mine, opinion=Opinion.AGREE)
    services.consultation_close(actor=office, application=application)
    meeting = services.meeting_create(actor=office, district=tree["district"], title="第一次联席会议", held_on=TODAY)
    services.application_decide(
        actor=office,
        application=application,
        meeting=meeting,
        decision=Decision.APPROVE,
        reason="确有必要，依据充分",
    )
    application.refresh_from_db()
    return application


def test_the_decision_document_downloads_as_word_and_pdf(
    client, tree, items, clerk, reviewer, office, community_worker, outsider
):
    from docx import Document
    from pypdf import PdfReader

    application = _decided(tree, clerk, reviewer, office, community_worker)
    url = f"/access/{application.number}/decision-document/"
    client.force_login(clerk)
    page = client.get(f"/access/{application.number}/").content.decode()
    assert 'data-testid="decision-document"' in page and url in page

    response = client.get(url + "?format=docx")
    assert response.status_code == 200 and "wordprocessingml" in response["Content-Type"]
    doc = Document(io.BytesIO(response.content))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    text = "\n".join(p.text for p in doc.paragraphs)
    for expected in (
        application.number,
        "社区健康档案更新",
        "卫健局",
        "确有必要，依据充分",
        "第一次联席会议",
        "测试区",
    ):
        assert expected in text
    assert "基本医疗卫生与健康促进法" in text and application.work_item.code in text

    response = client.get(url + "?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = "".join(p.extract_text() for p in reader.pages)
    for expected in (application.number, "社区健康档案更新", "卫健局", "确有必要，依据充分", "第一次联席会议"):
        assert expected in text

    client.force_login(outsider)
    assert client.get(url + "?format=pdf").status_code == 404


def test_no_decision_document_before_the_decision(client, tree, items, clerk):
    application = services.application_submit(actor=clerk, application=draft(clerk, tree))
    client.force_login(clerk)
    assert client.get(f"/access/{application.number}/decision-document/?format=docx").status_code == 404
    assert 'data-testid="decision-document"' not in client.get(f"/access/{application.number}/").content.decode()
