"""Sessions signed in before ModelPermissionBackend replaced Django's ModelBackend name the old path,
which Django would no longer accept: everyone would be signed out by the upgrade. Point them at the new one."""

from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "jianfu.orgs.backends.ModelPermissionBackend"


def _move(apps, old: str, new: str) -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = store.decode(session.session_data)  # an unreadable session decodes to {} and is left alone
        if data.get("_auth_user_backend") == old:
            data["_auth_user_backend"] = new
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    _move(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _move(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial"), ("sessions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
