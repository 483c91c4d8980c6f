from jianfu.orgs import selectors
from jianfu.orgs.models import OrgKind
from jianfu.orgs.permissions import can_manage_org, can_view_org, is_office


def names(qs):
    return sorted(o.name for o in qs)


def test_a_community_worker_reaches_only_its_community_and_grids(tree, community_worker):
    visible = selectors.orgs_for_user(community_worker)
    assert names(visible) == ["街道1社区1", "街道1社区1网格1", "街道1社区1网格2"]
    assert can_view_org(community_worker, tree["grid112"])
    assert not can_view_org(community_worker, tree["community12"])
    assert not can_view_org(community_worker, tree["street1"])


def test_a_street_worker_reaches_all_communities_of_its_street_and_no_other(tree, street_worker):
    communities = selectors.communities_for_user(street_worker)
    assert names(communities) == ["街道1社区1", "街道1社区2"]
    assert not can_view_org(street_worker, tree["community21"])


def test_the_office_reaches_the_whole_district(tree, office):
    assert selectors.communities_for_user(office).count() == 4
    assert is_office(office)
    assert can_manage_org(office, tree["grid222"])


def test_only_the_office_manages_the_tree(tree, street_worker, community_worker, clerk):
    for user in (street_worker, community_worker, clerk):
        assert not is_office(user)
        assert not can_manage_org(user, tree["community11"])


def test_a_department_clerk_reaches_its_department_not_the_communities(tree, clerk):
    assert names(selectors.orgs_for_user(clerk)) == ["卫健局"]
    assert selectors.communities_for_user(clerk).count() == 0


def test_a_user_without_role_reaches_nothing(tree, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x-Long-pass-1")
    assert selectors.orgs_for_user(nobody).count() == 0
    assert not can_view_org(nobody, tree["district"])


def test_reach_is_one_query_however_many_orgs(tree, street_worker, django_assert_num_queries):
    street_worker = type(street_worker).objects.get(pk=street_worker.pk)
    with django_assert_num_queries(2):  # memberships once, then the communities
        list(selectors.communities_for_user(street_worker))
        assert all(
            can_view_org(street_worker, c)
            for c in tree.values()
            if c.kind == OrgKind.COMMUNITY and c.code.startswith("S1")
        )


def test_rule_permissions_never_load_model_permissions_which_still_work_for_the_admin(tree, community_worker, client):
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(community_worker)
    with CaptureQueriesContext(connection) as page:
        assert client.get("/access/").status_code == 200
    assert not [q for q in page.captured_queries if "auth_permission" in q["sql"]]
    assert community_worker.has_perm("access.report_violation")  # a rule
    assert not community_worker.has_perm("registry.view_tag")  # a model permission, not granted
    community_worker.user_permissions.add(
        Permission.objects.get(codename="view_tag", content_type__app_label="registry")
    )
    granted = type(community_worker).objects.get(pk=community_worker.pk)  # fresh permission cache
    assert granted.has_perm("registry.view_tag")


def test_sessions_signed_in_through_the_old_backend_stay_signed_in_after_the_upgrade(community_worker, client):
    from importlib import import_module

    from django.apps import apps
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    migration = import_module("jianfu.orgs.migrations.0002_sessions_keep_their_backend")
    store = SessionStore()
    store.update(
        {
            "_auth_user_id": str(community_worker.pk),
            "_auth_user_backend": migration.OLD,
            "_auth_user_hash": community_worker.get_session_auth_hash(),
        }
    )
    store.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    assert client.get("/access/").status_code == 302  # the old path is no longer a backend: signed out
    migration.forwards(apps, None)
    assert client.get("/access/").status_code == 200
