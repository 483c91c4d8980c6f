"""The ledger's moves go through the workflow kernel: each writes one history row and one audit
entry; the state lives in the machine and the permission predicate says only who."""

import pytest
from django.utils import translation

from jianfu.audit.models import AuditEntry
from jianfu.core.errors import InvalidTransition, PermissionDenied
from jianfu.core.workflow import available
from jianfu.ledger import services
from jianfu.ledger.machines import ELEMENT, SUBMISSION
from jianfu.ledger.models import ElementState, SubmissionState
from jianfu.ledger.permissions import can_street_decide, may_street_decide

from .conftest import element
from .test_reports import fill_all, publish, send


def test_the_approval_trail_keeps_the_note_and_the_audit_the_move(
    tree, clerk, community_worker, street_worker, office, ten, item
):
    version = publish(clerk, tree["health"], item, "卫生健康月报", list(ten.values()))
    assert [(e.action, e.from_state, e.to_state) for e in version.events.all()] == [("publish", "draft", "published")]
    version.refresh_from_db()
    assert version.published_at is not None
    submission = send(clerk, version, tree["community11"])
    assert available(SUBMISSION, community_worker, submission) == ["submit"]
    assert available(SUBMISSION, street_worker, submission) == []
    fill_all(community_worker, submission, dict.fromkeys(ten, 2))
    services.submission_submit(actor=community_worker, submission=submission)
    # The street decides now: the predicate says who, the machine says when.
    assert may_street_decide(street_worker, submission) and not may_street_decide(clerk, submission)
    submission.refresh_from_db()
    assert can_street_decide(street_worker, submission)
    assert available(SUBMISSION, street_worker, submission) == ["street_accept", "return"]
    services.submission_return(actor=street_worker, submission=submission, comment="  请核实  ")
    step = submission.steps.last()
    assert (step.action, step.from_state, step.to_state, step.note, step.actor) == (
        "return",
        SubmissionState.SUBMITTED,
        SubmissionState.RETURNED,
        "请核实",
        street_worker,
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "ledger.submission.return" and entry.reason == "请核实"
    assert entry.before == {"state": "submitted"} and entry.after == {"state": "returned"}
    assert entry.org_id == tree["community11"].pk


def test_a_move_from_the_wrong_state_is_refused_in_one_sentence(tree, clerk, community_worker, ten, item):
    version = publish(clerk, tree["health"], item, "卫生健康月报", list(ten.values()))
    with translation.override("zh-hans"), pytest.raises(InvalidTransition) as refused:
        services.version_publish(actor=clerk, version=version)
    assert refused.value.message == "该报表版本当前为“已发布”，现在不能发布。"
    with pytest.raises(PermissionDenied):
        services.version_publish(actor=community_worker, version=version)
    submission = send(clerk, version, tree["community11"])
    with translation.override("zh-hans"), pytest.raises(InvalidTransition) as refused:
        services.submission_accept(actor=clerk, submission=submission)  # a clerk, but it is not submitted
    assert refused.value.message == "该报表当前为“填报中”，现在不能验收。"
    assert submission.steps.count() == 0


def test_a_proposed_element_is_put_into_use_by_the_office_only(tree, clerk, office, item):
    proposed = element(clerk, tree["health"], "NEW_ONE", "新数据元", state=ElementState.PROPOSED)
    assert not ELEMENT.may(clerk, proposed, "activate") and ELEMENT.may(office, proposed, "activate")
    with pytest.raises(PermissionDenied):
        services.element_activate(actor=clerk, element=proposed)
    active = services.element_activate(actor=office, element=proposed)
    assert active.state == ElementState.ACTIVE
    assert [(e.action, e.to_state, e.actor) for e in active.events.all()] == [("activate", "active", office)]
    with pytest.raises(InvalidTransition):
        services.element_activate(actor=office, element=active)
