"""The dirty-month marks move to core (core.DirtyMonth), where the source apps below the monitor can
write them without signals: copy the marks over, keeping their time, note the years the monitor
holds figures for (core.MonitoredYear), then drop the monitor's table."""

from django.db import migrations


def copy_marks(apps, schema_editor):
    Old = apps.get_model("monitor", "DirtyMonth")
    New = apps.get_model("core", "DirtyMonth")
    # Keep each mark's time (auto_now would stamp them all with now); this model class is the
    # migration's own, so the change does not leak.
    New._meta.get_field("marked_at").auto_now = False
    New.objects.bulk_create(
        [New(district=m.district_id, year=m.year, month=m.month, marked_at=m.marked_at) for m in Old.objects.all()],
        batch_size=2000,
    )
    Tracked = apps.get_model("core", "MonitoredYear")
    CommunityMonth = apps.get_model("monitor", "CommunityMonth")
    pairs = CommunityMonth.objects.values_list("district_id", "year").distinct().order_by()
    Tracked.objects.bulk_create([Tracked(district=d, year=y) for d, y in pairs], batch_size=2000)


def copy_back(apps, schema_editor):
    Old = apps.get_model("monitor", "DirtyMonth")
    New = apps.get_model("core", "DirtyMonth")
    Old._meta.get_field("marked_at").auto_now = False
    Org = apps.get_model("orgs", "Org")
    known = set(Org.objects.values_list("pk", flat=True))
    Old.objects.bulk_create(
        [
            Old(district_id=m.district, year=m.year, month=m.month, marked_at=m.marked_at)
            for m in New.objects.all()
            if m.district in known
        ],
        batch_size=2000,
    )
    New.objects.all().delete()
    apps.get_model("core", "MonitoredYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_dirtymonth"),
        ("monitor", "0002_stamp_index"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_marks, copy_back),
        migrations.DeleteModel(name="DirtyMonth"),
    ]
