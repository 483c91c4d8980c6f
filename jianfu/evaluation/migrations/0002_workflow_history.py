# The campaign's history joins the workflow kernel (jianfu.core.models.History): `reason` becomes
# `note` (renamed, no row lost), with the role the actor acted in; comments get their own history.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def office_role(apps, schema_editor):
    """The moves recorded so far were the office's (the audit entries say so), or the system's."""
    transition = apps.get_model("evaluation", "CampaignTransition")
    transition.objects.filter(actor__isnull=False).update(role="office")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="campaigntransition", old_name="reason", new_name="note"),
        migrations.AlterModelOptions(
            name='campaigntransition',
            options={'ordering': ['at', 'pk']},
        ),
        migrations.AlterModelOptions(
            name='comment',
            options={'verbose_name': 'comment', 'verbose_name_plural': 'comments'},
        ),
        migrations.AddField(
            model_name='campaigntransition',
            name='role',
            field=models.CharField(blank=True, max_length=20, verbose_name='role'),
        ),
        migrations.AlterField(
            model_name='campaigntransition',
            name='action',
            field=models.CharField(max_length=32, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='campaigntransition',
            name='actor',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AlterField(
            model_name='campaigntransition',
            name='at',
            field=models.DateTimeField(verbose_name='at'),
        ),
        migrations.AlterField(
            model_name='campaigntransition',
            name='from_state',
            field=models.CharField(blank=True, choices=[('draft', 'Draft'), ('open', 'Open for ballots'), ('closed', 'Closed'), ('released', 'Results released')], max_length=20, verbose_name='from'),
        ),
        migrations.AlterField(
            model_name='campaigntransition',
            name='note',
            field=models.TextField(blank=True, verbose_name='note'),
        ),
        migrations.AlterField(
            model_name='campaigntransition',
            name='to_state',
            field=models.CharField(choices=[('draft', 'Draft'), ('open', 'Open for ballots'), ('closed', 'Closed'), ('released', 'Results released')], max_length=20, verbose_name='to'),
        ),
        migrations.CreateModel(
            name='CommentEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=32, verbose_name='action')),
                ('role', models.CharField(blank=True, max_length=20, verbose_name='role')),
                ('at', models.DateTimeField(verbose_name='at')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('from_state', models.CharField(blank=True, choices=[('pending', 'Awaiting moderation'), ('approved', 'Shown to the target'), ('rejected', 'Not shown')], max_length=20, verbose_name='from')),
                ('to_state', models.CharField(choices=[('pending', 'Awaiting moderation'), ('approved', 'Shown to the target'), ('rejected', 'Not shown')], max_length=20, verbose_name='to')),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('comment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='evaluation.comment')),
            ],
            options={
                'ordering': ['at', 'pk'],
                'abstract': False,
            },
        ),
        migrations.RunPython(office_role, migrations.RunPython.noop),
    ]
