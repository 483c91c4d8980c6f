"""Each list version belongs to a district: the district of its entries' items. A version shared by
several districts' items (lists were shared until now) is split, one version per district, with the
same number, publication and entries; a version without entries goes to the first district. Their
effective date stays empty: in force from their publication, as before."""

from django.db import migrations


def _district_id(path: str) -> int:
    return int(path.strip("/").split("/")[0])


def attach(apps, schema_editor):
    ListVersion = apps.get_model("catalog", "ListVersion")
    ListEntry = apps.get_model("catalog", "ListEntry")
    Org = apps.get_model("orgs", "Org")
    first_district = Org.objects.filter(kind="district").order_by("code").values_list("pk", flat=True).first()
    for version in ListVersion.objects.filter(district__isnull=True).order_by("pk"):
        by_district: dict[int, list[int]] = {}
        for entry_id, path in ListEntry.objects.filter(version=version).values_list("pk", "item__department__path"):
            by_district.setdefault(_district_id(path), []).append(entry_id)
        if not by_district:
            if first_district is None:
                version.delete()
                continue
            by_district = {first_district: []}
        districts = sorted(by_district)
        version.district_id = districts[0]
        version.save()
        for district_id in districts[1:]:
            copy = ListVersion.objects.create(
                item_list_id=version.item_list_id,
                district_id=district_id,
                number=version.number,
                published_at=version.published_at,
                published_by_id=version.published_by_id,
            )
            ListEntry.objects.filter(pk__in=by_district[district_id]).update(version=copy)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_list_versions_per_district")]

    operations = [migrations.RunPython(attach, migrations.RunPython.noop)]
