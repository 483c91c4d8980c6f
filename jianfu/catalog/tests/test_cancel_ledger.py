"""Issue 20, point 1, at the ledger: a report on an item the office cancelled is sent to no community
from the cancellation's date (the gate's standing)."""

import pytest

from jianfu.catalog import services as catalog
from jianfu.core.errors import DomainError
from jianfu.ledger import services
from jianfu.ledger.tests.conftest import TODAY, frozen, item, ten  # noqa: F401  (the ledger's fixtures)
from jianfu.ledger.tests.test_reports import publish

pytestmark = pytest.mark.django_db


def test_a_report_on_a_cancelled_item_is_sent_to_no_community_from_its_date(tree, clerk, office, item, ten):  # noqa: F811
    version = publish(clerk, tree["health"], item, "卫生健康月报", list(ten.values())[:3])
    sent = services.request_send(actor=clerk, version=version, period="2026-03", communities=[tree["community11"]])
    assert sent.submissions.count() == 1
    catalog.item_cancel(actor=office, item=item, effective_on=TODAY, reason="并入统一报表")
    with pytest.raises(DomainError, match="并入统一报表"):
        services.request_send(actor=clerk, version=version, period="2026-02", communities=[tree["community11"]])
