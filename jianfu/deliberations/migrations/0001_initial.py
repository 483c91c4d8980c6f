# The portal's deliberation records move to their own app (issue 18: one home per concept). The
# tables stay where they are here (state only); 0002 renames them.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orgs', '0001_initial'),
        ('portal', '0002_deliberation_events'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Deliberation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('hearing', "Residents' hearing (社区听证会)"), ('forum', 'Public opinion forum (民情恳谈会)'), ('dialogue', 'Community dialogue (社区对话)'), ('consultation', "Residents' consultation (居民议事协商)")], max_length=16, verbose_name='kind of meeting')),
                        ('held_on', models.DateField(verbose_name='held on')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('agenda', models.TextField(verbose_name='agenda')),
                        ('participants', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1, message='At least one person took part.'), django.core.validators.MaxValueValidator(10000, message='At most %(limit_value)s participants can be recorded.')], verbose_name='participants')),
                        ('outcome', models.TextField(verbose_name='outcome')),
                        ('follow_up', models.TextField(blank=True, help_text='What was done afterwards, and by whom.', verbose_name='follow-up')),
                        ('follow_up_done', models.DateField(blank=True, help_text='Empty while the follow-up is still under way.', null=True, verbose_name='follow-up completed on')),
                        ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='public_deliberations', to='orgs.org', verbose_name='community')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                    ],
                    options={
                        'verbose_name': 'deliberation record (public)',
                        'verbose_name_plural': 'deliberation records (public)',
                        'ordering': ['-held_on', '-pk'],
                        'db_table': 'portal_deliberation',
                        'indexes': [models.Index(fields=['community', '-held_on'], name='portal_delib_community'), models.Index(fields=['published_at', '-held_on'], name='portal_delib_published')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('participants__gte', 1)), name='portal_deliberation_participants', violation_error_message='At least one person took part.'), models.CheckConstraint(condition=models.Q(('follow_up_done__isnull', True), ('follow_up_done__gte', models.F('held_on')), _connector='OR'), name='portal_deliberation_follow_up_after', violation_error_message='The follow-up cannot be completed before the meeting was held.')],
                    },
                ),
                migrations.CreateModel(
                    name='DeliberationEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(max_length=32, verbose_name='action')),
                        ('from_state', models.CharField(blank=True, max_length=20, verbose_name='from')),
                        ('to_state', models.CharField(max_length=20, verbose_name='to')),
                        ('role', models.CharField(blank=True, max_length=20, verbose_name='role')),
                        ('at', models.DateTimeField(verbose_name='at')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                        ('deliberation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='deliberations.deliberation')),
                    ],
                    options={
                        'verbose_name': 'deliberation record event',
                        'verbose_name_plural': 'deliberation record events',
                        'ordering': ['at', 'pk'],
                        'abstract': False,
                        'db_table': 'portal_deliberationevent',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
