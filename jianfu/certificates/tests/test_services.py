"""The rules of issuing: only what the lists allow, closed by default, evidence or a commitment,
public interest with deliberation and sign-off, serials per community and year, the seal log."""

import datetime as dt
import io

import pytest

from jianfu.audit.models import AuditEntry
from jianfu.audit.services import verify as verify_chain
from jianfu.catalog import services as catalog
from jianfu.catalog.models import ItemList
from jianfu.certificates import lists, services
from jianfu.certificates.models import Certificate, CertificateType, RequestState, ResidentLink, SealUse
from jianfu.core.errors import DomainError, InvalidTransition, PermissionDenied
from jianfu.deliberations import services as deliberations

from .conftest import TODAY

TODAY_AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
RESIDENCE_EVIDENCE = ["申请人居民身份证", "房屋所有权人书面同意借住声明"]


def request(actor, tree, item, person=None, purpose="申领居住证"):
    return services.request_create(
        actor=actor, community=tree["community11"], item=item, person=person, purpose=purpose
    )


def test_a_certificate_on_neither_list_cannot_be_requested_or_issued(tree, cert_lists, community_worker, people):
    with pytest.raises(DomainError, match="未列入任何清单"):
        request(community_worker, tree, cert_lists["unlisted"], people[0])
    # A listed one requested, then dropped from the list before it is issued: the service refuses.
    open_request = request(community_worker, tree, cert_lists["residence"], people[0])
    catalog.list_replace(
        actor=None,
        item_list=ItemList.objects.get(code="certificate"),
        district=tree["district"],
        items=[cert_lists["owners"]],
    )
    with pytest.raises(DomainError) as refused:
        services.certificate_issue(actor=community_worker, request=open_request, evidence_checked=RESIDENCE_EVIDENCE)
    assert refused.value.code == "not_issuable"
    assert not Certificate.objects.exists() and not SealUse.objects.exists()


def test_a_certificate_approved_for_other_streets_or_community_types_is_closed_here(
    tree, cert_lists, community_worker, people
):
    """Issue 19, point 4: the item's approved scope holds for certificates too (catalog/gate.py)."""
    item = cert_lists["residence"]
    item.scope_streets.set([tree["street2"]])
    with pytest.raises(DomainError, match="只准入其他街道") as refused:
        request(community_worker, tree, item, people[0])
    assert refused.value.code == "not_issuable" and "街道1社区1" in str(refused.value)
    item.scope_streets.set([tree["street1"]])
    open_request = request(community_worker, tree, item, people[0])
    # The office narrows the item to one type of community before it is issued: refused at issue.
    item.scope_community_types = ["bungalow"]
    item.save()
    with pytest.raises(DomainError, match="只准入其他类型的社区"):
        services.certificate_issue(actor=community_worker, request=open_request, evidence_checked=RESIDENCE_EVIDENCE)
    assert not Certificate.objects.exists()
    item.scope_community_types = []
    item.save()
    services.certificate_issue(actor=community_worker, request=open_request, evidence_checked=RESIDENCE_EVIDENCE)
    assert Certificate.objects.filter(request=open_request).exists()
    # The district's lists, read without a community, still list it.
    assert lists.closed_reason(item, tree["district"]) is None


def test_closed_by_default_until_the_office_confirms_duties_and_a_basis_exists(
    tree, cert_lists, community_worker, people
):
    item = cert_lists["residence"]
    ctype = CertificateType.objects.get(item=item)
    ctype.within_duties = False
    ctype.save()
    with pytest.raises(DomainError, match="职责范围"):
        request(community_worker, tree, item, people[0])
    ctype.within_duties = True
    ctype.save()
    item.legal_basis = ""
    item.save()
    with pytest.raises(DomainError, match="法律法规依据"):
        request(community_worker, tree, item, people[0])
    ctype.retained = True  # on the State Council's retained list: a basis of its own
    ctype.save()
    assert request(community_worker, tree, item, people[0]).state == RequestState.REQUESTED


def test_a_must_not_certificate_is_redirected_with_the_responsible_body_and_rule(tree, cert_lists, community_worker):
    made = request(community_worker, tree, cert_lists["no_crime"], purpose="入职")
    assert made.state == RequestState.REDIRECTED
    assert made.responsible_body == "公安机关" and "民发〔2020〕20号" in made.rule
    assert made.decided_on == TODAY and made.person is None
    with pytest.raises(InvalidTransition):
        services.certificate_issue(actor=community_worker, request=made)
    assert AuditEntry.objects.filter(action="certificate_request.redirect").count() == 1


def test_issuing_checks_the_evidence_then_numbers_stamps_and_audits(tree, cert_lists, community_worker, people):
    made = request(community_worker, tree, cert_lists["residence"], people[0])
    assert made.due_on == dt.date(2026, 3, 5)  # 3 working days
    with pytest.raises(DomainError, match="尚未核验：房屋所有权人书面同意借住声明"):
        services.certificate_issue(actor=community_worker, request=made, evidence_checked=RESIDENCE_EVIDENCE[:1])
    certificate = services.certificate_issue(actor=community_worker, request=made, evidence_checked=RESIDENCE_EVIDENCE)
    assert certificate.serial == "ZMS1C1-2026-0001"
    assert len(certificate.code) == 8 and set(certificate.code) <= set(services.CODE_ALPHABET)
    assert "孙小红" in certificate.statement and "古塘花苑1幢101室" in certificate.statement
    assert "330***********" in certificate.statement  # the ID number masked, never in clear
    made.refresh_from_db()
    assert made.state == RequestState.ISSUED and made.evidence_checked == RESIDENCE_EVIDENCE
    use = SealUse.objects.get(certificate=certificate)
    assert use.used_by == community_worker and certificate.serial in use.document
    second = services.certificate_issue(
        actor=community_worker,
        request=request(community_worker, tree, cert_lists["residence"], people[1]),
        evidence_checked=RESIDENCE_EVIDENCE,
    )
    assert second.serial == "ZMS1C1-2026-0002"
    assert {"certificate_request.request", "certificate_request.issue", "certificate.issue"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )
    assert verify_chain().ok
    with pytest.raises(InvalidTransition):
        services.certificate_issue(actor=community_worker, request=made, evidence_checked=RESIDENCE_EVIDENCE)


def test_serials_run_per_community_and_year(tree, cert_lists, community_worker, people, frozen):
    from jianfu.orgs.services import membership_grant

    membership_grant(actor=None, user=community_worker, org=tree["community12"], role="community")
    services.certificate_issue(
        actor=community_worker,
        request=request(community_worker, tree, cert_lists["residence"], people[0]),
        evidence_checked=RESIDENCE_EVIDENCE,
    )
    other = services.request_create(actor=community_worker, community=tree["community12"], item=cert_lists["residence"])
    person = people[1]
    person.community, person.org_path = tree["community12"], tree["community12"].path
    person.hukou_community = tree["community12"]
    person.save()
    services.request_identify(actor=community_worker, request=other, person=person)
    assert (
        services.certificate_issue(actor=community_worker, request=other, evidence_checked=RESIDENCE_EVIDENCE).serial
        == "ZMS1C2-2026-0001"
    )
    frozen(dt.date(2027, 1, 4))
    later = services.certificate_issue(
        actor=community_worker,
        request=request(community_worker, tree, cert_lists["residence"], people[2]),
        evidence_checked=RESIDENCE_EVIDENCE,
    )
    assert later.serial == "ZMS1C1-2027-0001"


def test_notify_and_commit_replaces_the_evidence_but_not_for_the_dishonest_or_a_past_false_commitment(
    tree, cert_lists, community_worker, people
):
    honest = services.certificate_issue(
        actor=community_worker,
        request=request(community_worker, tree, cert_lists["residence"], people[0]),
        by_commitment=True,
    )
    assert honest.by_commitment and "借住" in honest.commitment_text
    # A false commitment found later revokes the certificate and bars the person.
    services.certificate_revoke(
        actor=community_worker, certificate=honest, reason="核查发现并未借住", false_commitment=True
    )
    honest.refresh_from_db()
    assert honest.revoked and honest.false_commitment
    assert SealUse.objects.get(certificate=honest).revoked_at is not None
    again = request(community_worker, tree, cert_lists["residence"], people[0])
    with pytest.raises(DomainError, match="虚假承诺"):
        services.certificate_issue(actor=community_worker, request=again, by_commitment=True)
    # With the evidence the same person is served.
    assert services.certificate_issue(actor=community_worker, request=again, evidence_checked=RESIDENCE_EVIDENCE)
    # A serious dishonesty record excludes while it is active.
    services.dishonesty_record(
        actor=community_worker, person=people[1], source="全国信用信息共享平台", listed_on=TODAY - dt.timedelta(days=30)
    )
    listed = request(community_worker, tree, cert_lists["residence"], people[1])
    with pytest.raises(DomainError) as excluded:
        services.certificate_issue(actor=community_worker, request=listed, by_commitment=True)
    assert excluded.value.code == "commitment_excluded"
    # A type the office did not mark takes no commitment.
    owners = request(community_worker, tree, cert_lists["owners"], people[2])
    with pytest.raises(DomainError, match="不适用告知承诺制"):
        services.certificate_issue(actor=community_worker, request=owners, by_commitment=True)


def test_a_public_interest_certificate_needs_the_deliberation_record_and_sign_off(
    tree, cert_lists, community_worker, people
):
    made = request(community_worker, tree, cert_lists["owners"], people[0], purpose="业委会备案")
    with pytest.raises(DomainError, match="议事协商记录"):
        services.certificate_issue(actor=community_worker, request=made, evidence_checked=["业主大会会议记录"])
    record = deliberations.deliberation_record(
        actor=community_worker,
        community=tree["community11"],
        kind="consultation",
        held_on=TODAY - dt.timedelta(days=2),
        subject="业主委员会选举",
        agenda="业主委员会选举",
        participants=30,
        outcome="无异议",
    )
    services.request_sign_off(actor=community_worker, request=made, deliberation=record)
    certificate = services.certificate_issue(
        actor=community_worker, request=made, evidence_checked=["业主大会会议记录"]
    )
    assert certificate.request.deliberation == record and certificate.request.signed_off_by == community_worker
    residence = request(community_worker, tree, cert_lists["residence"], people[1])
    with pytest.raises(DomainError):
        services.request_sign_off(actor=community_worker, request=residence, deliberation=record)


def test_a_resident_requests_for_themself_and_types_nothing_the_registry_holds(
    tree, cert_lists, resident, community_worker, people
):
    first = services.request_create(actor=resident, community=tree["community11"], item=cert_lists["residence"])
    assert first.channel == "online" and first.person is None
    with pytest.raises(PermissionDenied):
        services.request_create(
            actor=resident, community=tree["community11"], item=cert_lists["residence"], person=people[1]
        )
    # At the counter the worker picks the resident from the registry; the account is linked once.
    services.request_identify(actor=community_worker, request=first, person=people[0])
    assert ResidentLink.objects.get(user=resident).person == people[0]
    second = services.request_create(actor=resident, community=tree["community11"], item=cert_lists["residence"])
    assert second.person == people[0]
    with pytest.raises(PermissionDenied):
        services.certificate_issue(actor=resident, request=second, evidence_checked=RESIDENCE_EVIDENCE)
    services.request_withdraw(actor=resident, request=second, reason="不需要了")
    second.refresh_from_db()
    assert second.state == RequestState.WITHDRAWN


def test_only_the_communitys_workers_handle_its_requests(
    tree, cert_lists, community_worker, outsider, street_worker, grid_worker, people, stranger
):
    made = request(community_worker, tree, cert_lists["residence"], people[0])
    for someone in (outsider, street_worker, grid_worker):
        with pytest.raises(PermissionDenied):
            services.certificate_issue(actor=someone, request=made, evidence_checked=RESIDENCE_EVIDENCE)
        with pytest.raises(PermissionDenied):
            services.certificate_refuse(actor=someone, request=made, reason="x")
    with pytest.raises(PermissionDenied):
        services.request_create(actor=outsider, community=tree["community11"], item=cert_lists["residence"])
    with pytest.raises(DomainError, match="实有人口"):
        request(community_worker, tree, cert_lists["residence"], stranger)


def test_refusing_needs_a_reason(tree, cert_lists, community_worker, people):
    made = request(community_worker, tree, cert_lists["residence"], people[0])
    with pytest.raises(DomainError):
        services.certificate_refuse(actor=community_worker, request=made, reason="  ")
    services.certificate_refuse(actor=community_worker, request=made, reason="申请人未在本社区居住")
    made.refresh_from_db()
    assert made.state == RequestState.REFUSED and made.reason == "申请人未在本社区居住"
    assert [e.to_state for e in made.events.all()] == ["requested", "refused"]


def test_the_seal_log_holds_every_use_and_revocations_with_reasons(tree, cert_lists, community_worker, office, people):
    certificate = services.certificate_issue(
        actor=community_worker,
        request=request(community_worker, tree, cert_lists["residence"], people[0]),
        evidence_checked=RESIDENCE_EVIDENCE,
    )
    letter = services.seal_use_record(actor=community_worker, community=tree["community11"], document="调解协议书")
    with pytest.raises(DomainError):
        services.seal_use_revoke(actor=community_worker, seal_use=letter, reason="")
    services.seal_use_revoke(actor=community_worker, seal_use=letter, reason="登记错误")
    with pytest.raises(DomainError, match="撤销该证明"):
        services.seal_use_revoke(actor=community_worker, seal_use=certificate.seal_use, reason="x")
    with pytest.raises(DomainError):
        services.certificate_revoke(actor=office, certificate=certificate, reason="")
    with pytest.raises(DomainError):  # it was not issued on a commitment
        services.certificate_revoke(actor=office, certificate=certificate, reason="材料不实", false_commitment=True)
    services.certificate_revoke(actor=office, certificate=certificate, reason="材料不实")
    uses = {u.document: u for u in SealUse.objects.all()}
    assert uses["调解协议书"].revoke_reason == "登记错误"
    assert uses[f"{certificate.item.name}（{certificate.serial}）"].revoke_reason == "材料不实"
    with pytest.raises(InvalidTransition):
        services.certificate_revoke(actor=office, certificate=certificate, reason="again")


def test_only_the_office_configures_types_and_only_listed_ones(tree, cert_lists, office, community_worker):
    with pytest.raises(PermissionDenied):
        services.type_configure(actor=community_worker, item=cert_lists["residence"], within_duties=False)
    with pytest.raises(DomainError):
        services.type_configure(actor=office, item=cert_lists["unlisted"], within_duties=True)
    ctype = services.type_configure(actor=office, item=cert_lists["no_crime"], aliases=[" 良民证 ", ""])
    assert ctype.aliases == ["良民证"]
    assert lists.check("要开良民证", tree["district"]).item == cert_lists["no_crime"]
    assert AuditEntry.objects.filter(action="certificate_type.configure").exists()


def test_the_check_answers_may_must_not_and_not_listed(tree, cert_lists):
    district = tree["district"]
    may = lists.check("银行让我开个居住证明", district)
    assert may.decision == lists.MAY and may.item == cert_lists["residence"] and may.closed is None
    must_not = lists.check("養老金要生存證明", district)  # traditional script, another name
    assert must_not.decision == lists.MUST_NOT and must_not.responsible_body == "社会保险经办机构"
    nothing = lists.check("宠物品行良好证明", district)  # a certificate item, but on no list
    assert nothing.decision == lists.NOT_LISTED and "民发〔2020〕20号" in nothing.rule
    assert lists.check("", district).decision == lists.NOT_LISTED


def test_a_province_extends_the_negative_list_and_the_check_follows(tree, cert_lists, office):
    """The office loads its own version (湖北 21, 浙江 28, 重庆 32 items) through the catalog's list import."""
    from jianfu.catalog.spreadsheets import import_list
    from jianfu.core.tabular import read_table

    rows = [
        "编码,名称,类型,责任部门,法律依据,责任主体",
        "N1,无犯罪记录证明,盖章证明,卫健局,民发〔2020〕20号附件第5项,公安机关",
        "N2,健在证明,盖章证明,卫健局,民发〔2020〕20号附件第10项,社会保险经办机构",
        "HB21,参保缴费证明,盖章证明,卫健局,省民政厅等部门不应由社区出具证明事项清单第21项,社会保险经办机构",
    ]
    import_list(
        actor=office,
        item_list=ItemList.objects.get(code="negative"),
        district=tree["district"],
        table=read_table(io.BytesIO("\n".join(rows).encode("gbk"))),
    )
    result = lists.check("社保局让我去社区开参保缴费证明", tree["district"])
    assert result.decision == lists.MUST_NOT and result.responsible_body == "社会保险经办机构"
    assert "第21项" in result.rule and len(lists.listed(tree["district"]).must_not) == 3


def test_a_resident_follows_requests_made_for_them_at_the_counter(
    client, tree, cert_lists, resident, community_worker, people
):
    ResidentLink.objects.create(user=resident, person=people[0], confirmed_by=community_worker, confirmed_at=TODAY_AT)
    at_counter = request(community_worker, tree, cert_lists["residence"], people[0])
    someone_else = request(community_worker, tree, cert_lists["residence"], people[1])
    client.force_login(resident)
    page = client.get("/certificates/").content.decode()
    assert at_counter.number in page and someone_else.number not in page
    certificate = services.certificate_issue(
        actor=community_worker, request=at_counter, evidence_checked=RESIDENCE_EVIDENCE
    )
    assert client.get(f"/certificates/c/{certificate.serial}.pdf").status_code == 200


def test_list_pages_keep_a_query_budget(
    client, tree, cert_lists, community_worker, people, django_assert_max_num_queries
):
    for person in people * 3:
        services.certificate_issue(
            actor=community_worker,
            request=request(community_worker, tree, cert_lists["residence"], person),
            evidence_checked=RESIDENCE_EVIDENCE,
        )
    client.force_login(community_worker)
    for url in ("/certificates/", "/certificates/seals/", "/certificates/figures/"):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200


def test_an_item_on_both_lists_reads_as_must_not_everywhere(tree, cert_lists, community_worker, people):
    """A province's negative list can take in an item the may-issue list still carries: the negative
    list wins in the one-item lookup, in the lists read once for a page, and in the check."""
    district, item = tree["district"], cert_lists["residence"]
    catalog.list_replace(
        actor=None,
        item_list=ItemList.objects.get(code="negative"),
        district=district,
        items=[cert_lists["no_crime"], cert_lists["alive"], item],
    )
    found = lists.listed(district)
    assert lists.category_of(item, district) == lists.MUST_NOT
    assert found.category_of(item) == lists.MUST_NOT
    assert "负面清单" in lists.closed_reason(item, district, found)
    assert lists.closed_reason(item, district, found) == lists.closed_reason(item, district)
    assert lists.check("银行让我开个居住证明", district).decision == lists.MUST_NOT
    # This item came without a body that issues it instead: the resident is sent to its department,
    # by the request, the check and the refusal alike.
    redirected = request(community_worker, tree, item, people[0])
    assert redirected.state == RequestState.REDIRECTED and redirected.responsible_body == item.department.name
    assert lists.check("银行让我开个居住证明", district).responsible_body == item.department.name
    assert item.department.name in lists.closed_reason(item, district)


def test_a_negative_list_import_needs_the_body_that_issues_instead(tree, cert_lists, office):
    from jianfu.catalog.spreadsheets import import_list
    from jianfu.core.tabular import ImportRejected, read_table

    rows = ["编码,名称,类型,责任部门,法律依据,责任主体", "N1,无犯罪记录证明,盖章证明,卫健局,民发〔2020〕20号附件第5项,"]
    with pytest.raises(ImportRejected) as refused:
        import_list(
            actor=office,
            item_list=ItemList.objects.get(code="negative"),
            district=tree["district"],
            table=read_table("\n".join(rows).encode()),
        )
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "责任主体")]
