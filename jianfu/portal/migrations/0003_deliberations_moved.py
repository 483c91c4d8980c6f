# The deliberation records now live in jianfu.deliberations (its 0001 takes over these tables).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('deliberations', '0001_initial'),
        ('portal', '0002_deliberation_events'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='DeliberationEvent'),
                migrations.DeleteModel(name='Deliberation'),
            ],
            database_operations=[],
        ),
    ]
