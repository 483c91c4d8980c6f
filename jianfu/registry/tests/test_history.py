import datetime as dt

import pytest
from django.utils import timezone

from jianfu.registry import selectors, services
from jianfu.registry.models import Address, Gender, Person


@pytest.fixture
def homes(tree):
    def address(grid, room):
        return Address.objects.create(
            grid=grid,
            community=grid.parent,
            org_path=grid.path,
            area="新村",
            building="1",
            unit="1",
            room=room,
            key=f"新村|1|1|{room}",
            label=f"新村1幢1单元{room}室",
        )

    return address(tree["grid111"], "101"), address(tree["grid211"], "101")


def test_the_registry_answers_how_many_lived_here_on_a_date(tree, homes, office, monkeypatch):
    first, second = homes
    person = Person(
        name="王五",
        gender=Gender.MALE,
        birth_date=dt.date(1980, 1, 1),
        address=first,
        grid_id=first.grid_id,
        community_id=first.community_id,
        org_path=first.org_path,
    )
    monkeypatch.setattr(timezone, "now", lambda: timezone.make_aware(dt.datetime(2026, 1, 10, 9)))
    person.save()
    monkeypatch.setattr(timezone, "now", lambda: timezone.make_aware(dt.datetime(2026, 3, 10, 9)))
    services.person_update(actor=office, person=person, address=second)
    community, other = tree["community11"], tree["community21"]
    assert selectors.residents_on(community, dt.date(2026, 1, 9)) == 0
    assert selectors.residents_on(community, dt.date(2026, 2, 1)) == 1
    assert selectors.residents_on(community, dt.date(2026, 3, 11)) == 0
    assert selectors.residents_on(other, dt.date(2026, 3, 11)) == 1
    change = person.history.order_by("history_date").last()
    assert change.history_user == office and change.org_path == second.org_path


def test_a_grid_worker_cannot_move_someone_out_of_another_grid(tree, homes, grid_worker):
    from jianfu.core.errors import PermissionDenied

    first, second = homes
    stranger = Person.objects.create(
        name="赵六",
        gender=Gender.FEMALE,
        birth_date=dt.date(1990, 1, 1),
        address=second,
        grid_id=second.grid_id,
        community_id=second.community_id,
        org_path=second.org_path,
    )
    with pytest.raises(PermissionDenied):
        services.person_update(actor=grid_worker, person=stranger, phone="13812345678")
