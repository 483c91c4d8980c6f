"""Ledger changes mark the monitor's months explicitly (no signals): a request sent marks its month
for the submissions it creates, and each change to a submission marks its request's month."""

import pytest

from jianfu.core.models import DirtyMonth
from jianfu.ledger import services

from .test_reports import fill_all, publish, send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monitored(tree, monitored):
    monitored(tree["district"])


def marks(district) -> set[tuple[int, int]]:
    return set(DirtyMonth.objects.filter(district=district.pk).values_list("year", "month"))


def test_a_request_sent_and_its_submission_moving_mark_the_month_it_was_sent(tree, clerk, community_worker, ten, item):
    version = publish(clerk, tree["health"], item, "卫生健康月报", list(ten.values()))
    DirtyMonth.objects.all().delete()
    submission = send(clerk, version, tree["community11"])  # sent on 2026-04-08
    assert marks(tree["district"]) == {(2026, 4)}

    DirtyMonth.objects.all().delete()
    services.submission_open(actor=community_worker, submission=submission)
    assert marks(tree["district"]) == {(2026, 4)}

    DirtyMonth.objects.all().delete()
    fill_all(community_worker, submission, dict.fromkeys(ten, 1))  # typed values counted
    assert marks(tree["district"]) == {(2026, 4)}

    DirtyMonth.objects.all().delete()
    services.submission_submit(actor=community_worker, submission=submission)
    assert marks(tree["district"]) == {(2026, 4)}
