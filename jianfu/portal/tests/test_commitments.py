"""四到社区: a department's clerk (or the office) publishes its commitments; every community page in
scope shows them without login; the cases' old pages redirect to the portal's."""

import pytest
from django.urls import reverse

from jianfu.audit.models import AuditEntry
from jianfu.cases.tests.test_views import post
from jianfu.portal.models import Commitment

pytestmark = pytest.mark.django_db


class TestCommitments:
    def test_a_clerk_publishes_and_the_community_page_shows_it_without_login(self, client, tree, clerk):
        url = reverse("portal:commitments")
        response = post(
            client,
            clerk,
            url,
            {
                "duties": "家庭医生签约、慢病随访、健康教育进社区",
                "duty_phone": "0574-63012345",
                "complaint_phone": "12345",
                "hours": "工作日 8:30-17:00",
                "streets": [tree["street1"].pk],
            },
        )
        assert response.status_code == 302
        assert AuditEntry.objects.filter(action="commitment.save").exists()
        client.logout()
        page = client.get(reverse("portal:community", args=[tree["community11"].code])).content.decode()
        assert "卫健局" in page and "0574-63012345" in page and "12345" in page
        # Outside its scope (another street) the commitment is not shown.
        other = client.get(reverse("portal:community", args=[tree["community21"].code])).content.decode()
        assert "0574-63012345" not in other

    def test_a_clerk_cannot_publish_for_another_department(self, client, tree, clerk):
        client.force_login(clerk)
        assert client.get(reverse("portal:commitments"), {"department": "MZ"}).status_code == 404
        assert not Commitment.objects.exists()

    def test_grid_workers_have_no_commitments_page(self, client, grid_worker):
        client.force_login(grid_worker)
        assert client.get(reverse("portal:commitments")).status_code == 403

    def test_the_old_community_and_commitments_pages_redirect_to_the_portal(self, client, tree, clerk):
        code = tree["community11"].code
        old = client.get(f"/cases/community/{code}/")
        assert old.status_code == 301 and old["Location"] == reverse("portal:community", args=[code])
        client.force_login(clerk)
        old = client.get("/cases/commitments/", {"department": "WJ"})
        assert old.status_code == 302 and old["Location"] == reverse("portal:commitments") + "?department=WJ"
