"""The monitor's figures now hold arrivals, whole meetings and self-governance apart from burden
(issue 21): every month of every year a district already has figures for is marked for recomputation,
so the next refresh (a page, the timer, `monitor_refresh`) rebuilds them with the new rules instead of
leaving past years without arrivals and with the old fractional meetings."""

import datetime as dt

from django.db import migrations

from jianfu.core import clock


def mark_every_month(apps, schema_editor):
    MonitoredYear = apps.get_model("core", "MonitoredYear")
    DirtyMonth = apps.get_model("core", "DirtyMonth")
    today = clock.today()
    marks = [
        DirtyMonth(district=district, year=year, month=month, marked_at=clock.now())
        for district, year in MonitoredYear.objects.values_list("district", "year")
        for month in range(1, 13)
        if dt.date(year, month, 1) <= today
    ]
    DirtyMonth.objects.bulk_create(marks, batch_size=2000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0004_arrivalmonth"),
        ("core", "0004_dirtymonth"),
    ]

    operations = [migrations.RunPython(mark_every_month, migrations.RunPython.noop)]
