"""The request list and the seal log are paged and say their total: no list is cut short in silence."""

import pytest
from django.urls import reverse

from jianfu.certificates import selectors
from jianfu.certificates.views import PAGE_SIZE
from jianfu.orgs.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_module")]


def rows(html: str, testid: str) -> int:
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return table.count("<tr>") - 1  # less the header row


def test_the_office_pages_through_every_request_with_the_total_said(client):
    office = User.objects.get(username="office")
    total = selectors.requests_for_user(office).count()
    assert total > PAGE_SIZE  # the demo has more than one page
    client.force_login(office)
    first = client.get(reverse("certificates:home")).content.decode()
    assert rows(first, "requests") == PAGE_SIZE
    assert f"共 {total} 条" in first and 'rel="next"' in first
    pages = -(-total // PAGE_SIZE)
    last = client.get(reverse("certificates:home"), {"page": pages}).content.decode()
    assert rows(last, "requests") == total - (pages - 1) * PAGE_SIZE and 'rel="next"' not in last
