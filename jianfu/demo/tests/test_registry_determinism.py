"""The registry demo is the same every time: alone here, so that no other module's records hold on to
the people it deletes and generates again."""

import hashlib

from jianfu.demo import orgs as orgs_demo
from jianfu.demo import registry as demo
from jianfu.orgs.models import Org
from jianfu.registry.models import Address, House, Person, PersonTag, Unit


def _digest() -> str:
    rows = Person.objects.order_by("id_index").values_list("name", "birth_date", "id_index", "hukou_household")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_the_registry_demo_is_deterministic(db):
    orgs_demo.load()
    district = Org.objects.get(code=orgs_demo.DISTRICT[0])
    assert demo.load(district, "sample") > 10_000
    first = _digest()
    PersonTag.objects.all().delete()
    Unit.objects.all().delete()
    House.history.model.objects.all().delete()
    House.objects.all().delete()
    Person.history.model.objects.all().delete()
    Person.objects.all().delete()
    Address.objects.all().delete()
    demo.load(district, "sample")
    assert _digest() == first
