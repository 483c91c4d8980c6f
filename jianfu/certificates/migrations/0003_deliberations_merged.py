# One deliberation record (issue 18): the certificates' own records join the residents' deliberations
# as consultations (drafts: never public before), and each request points at its record there.

import django.db.models.deletion
from django.db import migrations, models


def merge(apps, schema_editor):
    Old = apps.get_model("certificates", "Deliberation")
    New = apps.get_model("deliberations", "Deliberation")
    Request = apps.get_model("certificates", "CertificateRequest")
    for old in Old.objects.order_by("pk"):
        new = New.objects.create(
            kind="consultation",
            community_id=old.community_id,
            held_on=old.held_on,
            subject=old.subject,
            agenda=old.subject,  # the old record had the subject only: it was the meeting's one item
            participants=max(old.participants, 1),
            outcome=old.minutes,
            recorded_by_id=old.recorded_by_id,
        )
        New.objects.filter(pk=new.pk).update(created_at=old.created_at)
        Request.objects.filter(deliberation_id=old.pk).update(record_id=new.pk)


def split(apps, schema_editor):
    raise RuntimeError("The merged deliberation records cannot be split again.")


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0002_request_event_history'),
        ('deliberations', '0002_own_tables'),
    ]

    operations = [
        migrations.AddField(
            model_name='certificaterequest',
            name='record',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='deliberations.deliberation'),
        ),
        migrations.RunPython(merge, split),
        migrations.RemoveField(model_name='certificaterequest', name='deliberation'),
        migrations.RenameField(model_name='certificaterequest', old_name='record', new_name='deliberation'),
        migrations.AlterField(
            model_name='certificaterequest',
            name='deliberation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='certificate_requests', to='deliberations.deliberation', verbose_name='deliberation record'),
        ),
        migrations.DeleteModel(name='Deliberation'),
    ]
