# The public commitments now live in the portal (its 0004 takes over the table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_caseevent_history'),
        ('portal', '0004_commitments_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Commitment')],
            database_operations=[],
        ),
    ]
