from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_commitment_moved'),
        ('portal', '0004_commitments_moved'),
    ]

    operations = [
        migrations.AlterModelTable(name='commitment', table=None),
    ]
