import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_list_versions_attach_district")]

    operations = [
        migrations.AlterField(
            model_name="listversion",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="orgs.org", verbose_name="district"
            ),
        ),
    ]
