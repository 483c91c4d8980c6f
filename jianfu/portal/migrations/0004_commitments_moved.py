# The departments' public commitments (四到社区) move from cases to the portal, whose community page
# shows them (issue 18: one home per concept). The table is taken over here (state only); 0005
# renames it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_caseevent_history'),
        ('orgs', '0001_initial'),
        ('portal', '0003_deliberations_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Commitment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('duties', models.TextField(verbose_name='duties towards residents')),
                        ('duty_phone', models.CharField(max_length=40, verbose_name='duty phone')),
                        ('complaint_phone', models.CharField(max_length=40, verbose_name='complaint phone')),
                        ('hours', models.CharField(blank=True, max_length=100, verbose_name='office hours')),
                        ('updated_at', models.DateTimeField(verbose_name='updated')),
                        ('department', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='commitment', to='orgs.org', verbose_name='department')),
                        ('streets', models.ManyToManyField(blank=True, related_name='+', to='orgs.org', verbose_name='only in these streets/towns (empty: all)')),
                    ],
                    options={
                        'verbose_name': 'public commitment',
                        'verbose_name_plural': 'public commitments',
                        'ordering': ['department__path'],
                        'db_table': 'cases_commitment',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
