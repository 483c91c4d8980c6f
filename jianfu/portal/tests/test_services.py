"""Keeping deliberation records: who may, across the org tree; validation in Chinese; drafts,
publishing and withdrawing as explicit transitions; every change audited."""

import datetime as dt

import pytest

from jianfu.audit.models import AuditEntry
from jianfu.core.errors import DomainError, InvalidTransition, PermissionDenied
from jianfu.deliberations import services
from jianfu.deliberations.models import Deliberation, DeliberationKind
from jianfu.orgs.models import Role

from .conftest import TODAY, hearing

pytestmark = pytest.mark.django_db


def entries(action: str):
    return list(AuditEntry.objects.filter(action=f"deliberation.{action}").order_by("seq"))


def test_a_community_worker_records_a_hearing_of_their_community_as_a_draft_and_it_is_audited(
    tree, community_worker, frozen
):
    record = hearing(community_worker, tree["community11"], publish=False, subject="  油烟扰民听证会  ")
    assert record.published_at is None and record.recorded_by == community_worker
    assert record.subject == "油烟扰民听证会"
    (entry,) = entries("record")
    assert (entry.actor, entry.org, entry.role, entry.object_id) == (
        community_worker,
        tree["community11"],
        Role.COMMUNITY,
        str(record.pk),
    )
    assert entry.after["participants"] == 36 and entry.after["published_at"] is None


def test_a_community_worker_of_another_community_is_refused(tree, community_worker, outsider, frozen):
    with pytest.raises(PermissionDenied, match="只有本社区工作者、所在街道和准入办"):
        hearing(outsider, tree["community11"])
    with pytest.raises(PermissionDenied):
        hearing(community_worker, tree["community12"])  # same street, another community
    assert not Deliberation.objects.exists() and not entries("record")


def test_a_street_worker_records_only_for_communities_under_their_street(tree, street_worker, frozen):
    record = hearing(street_worker, tree["community12"])
    assert record.published_at is not None
    assert entries("record")[0].role == Role.STREET
    with pytest.raises(PermissionDenied):
        hearing(street_worker, tree["community21"])
    with pytest.raises(PermissionDenied):
        hearing(street_worker, tree["street1"])  # a street is not a community


def test_the_office_records_for_any_community_of_its_district(tree, office, frozen):
    record = hearing(office, tree["community21"], kind=DeliberationKind.DIALOGUE)
    assert record.kind == DeliberationKind.DIALOGUE
    assert entries("record")[0].role == Role.OFFICE


def test_grid_workers_residents_and_departments_do_not_keep_the_records(
    tree, grid_worker, resident, clerk, community_worker, frozen
):
    for actor in (grid_worker, resident, clerk):
        with pytest.raises(PermissionDenied):
            hearing(actor, tree["community11"])
    record = hearing(community_worker, tree["community11"], publish=False)
    for actor in (grid_worker, resident, clerk):
        with pytest.raises(PermissionDenied):
            services.deliberation_publish(actor=actor, deliberation=record)
        with pytest.raises(PermissionDenied):
            services.deliberation_update(actor=actor, deliberation=record, participants=40)


def test_validation_errors_are_in_chinese_and_name_the_field(tree, community_worker, frozen):
    with pytest.raises(DomainError, match="参加人数：至少有 1 人参加"):
        hearing(community_worker, tree["community11"], participants=0)
    with pytest.raises(DomainError, match="参加人数：最多记录 10000 人"):
        hearing(community_worker, tree["community11"], participants=10_001)
    with pytest.raises(DomainError, match="会议召开后才能记录"):
        hearing(community_worker, tree["community11"], held_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="议题："):
        hearing(community_worker, tree["community11"], subject="   ")
    with pytest.raises(DomainError, match="后续落实完成日期不能早于会议日期"):
        hearing(
            community_worker,
            tree["community11"],
            held_on=TODAY - dt.timedelta(days=5),
            follow_up_done=TODAY - dt.timedelta(days=6),
        )
    with pytest.raises(DomainError, match="类型："):
        hearing(community_worker, tree["community11"], kind="party")
    assert not Deliberation.objects.exists() and not entries("record")


def test_publish_and_withdraw_are_transitions_and_are_audited(tree, community_worker, frozen):
    record = hearing(community_worker, tree["community11"], publish=False)
    assert services.allowed_actions(record) == {"publish"}
    with pytest.raises(InvalidTransition, match="尚未公开"):
        services.deliberation_withdraw(actor=community_worker, deliberation=record)
    record = services.deliberation_publish(actor=community_worker, deliberation=record)
    assert record.published_at is not None and services.allowed_actions(record) == {"withdraw"}
    with pytest.raises(InvalidTransition, match="已经公开"):
        services.deliberation_publish(actor=community_worker, deliberation=record)
    record = services.deliberation_withdraw(
        actor=community_worker, deliberation=record, reason="参会人数有误，核实后再公开"
    )
    assert record.published_at is None
    (published,), (withdrawn,) = entries("publish"), entries("withdraw")
    assert (published.before["state"], published.after["state"]) == ("draft", "published")
    assert (withdrawn.before["state"], withdrawn.after["state"]) == ("published", "draft")
    assert withdrawn.reason == "参会人数有误，核实后再公开"


def test_an_update_adds_the_follow_up_and_audits_only_what_changed(tree, community_worker, street_worker, frozen):
    record = hearing(community_worker, tree["community11"], follow_up="")
    services.deliberation_update(
        actor=street_worker,
        deliberation=record,
        follow_up="经营者已整改，执法中队复查合格。",
        follow_up_done=TODAY,
    )
    record.refresh_from_db()
    assert record.follow_up_done == TODAY and record.published_at is not None  # stays public
    (entry,) = entries("update")
    assert set(entry.after) == {"follow_up", "follow_up_done"} and entry.before["follow_up"] == ""
    # Saving the same values again writes nothing.
    services.deliberation_update(actor=street_worker, deliberation=record, follow_up_done=TODAY)
    assert len(entries("update")) == 1


def test_a_record_cannot_be_moved_to_a_community_out_of_reach(tree, street_worker, frozen):
    record = hearing(street_worker, tree["community11"])
    with pytest.raises(PermissionDenied):
        services.deliberation_update(actor=street_worker, deliberation=record, community=tree["community21"])
    record.refresh_from_db()
    assert record.community == tree["community11"] and not entries("update")
