import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The case history inherits core.models.History: reason is renamed note (every row kept), a
    role is added, and the fields take the shared verbose names and lengths."""

    dependencies = [
        ("cases", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="caseevent", old_name="reason", new_name="note"),
        migrations.AlterModelOptions(
            name="caseevent",
            options={"ordering": ["at", "pk"]},
        ),
        migrations.AddField(
            model_name="caseevent",
            name="role",
            field=models.CharField(blank=True, max_length=20, verbose_name="role"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="action",
            field=models.CharField(max_length=32, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="actor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="by",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="at",
            field=models.DateTimeField(verbose_name="at"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="from_state",
            field=models.CharField(
                blank=True,
                choices=[
                    ("reported", "Reported"),
                    ("accepted", "Accepted"),
                    ("dispatched", "Dispatched"),
                    ("responded", "Responded (arrived)"),
                    ("resolved", "Resolved"),
                    ("reopened", "Reopened: not fixed"),
                    ("confirmed", "Confirmed"),
                    ("closed", "Closed"),
                    ("merged", "Merged into another case"),
                ],
                max_length=20,
                verbose_name="from",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="to_state",
            field=models.CharField(
                choices=[
                    ("reported", "Reported"),
                    ("accepted", "Accepted"),
                    ("dispatched", "Dispatched"),
                    ("responded", "Responded (arrived)"),
                    ("resolved", "Resolved"),
                    ("reopened", "Reopened: not fixed"),
                    ("confirmed", "Confirmed"),
                    ("closed", "Closed"),
                    ("merged", "Merged into another case"),
                ],
                max_length=20,
                verbose_name="to",
            ),
        ),
    ]
