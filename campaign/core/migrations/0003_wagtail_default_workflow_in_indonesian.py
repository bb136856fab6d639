"""Wagtail's migration 0048 names its default workflow and task after the group
"Moderators" in English ("Moderators approval"). Both names are data, so no catalogue
translates them, and the administrator's workflow list showed English. Renamed once, to
the site's default language, only while they still carry Wagtail's default name (a name
an administrator chose is kept)."""

from django.db import migrations

DEFAULT = "Moderators approval"
INDONESIAN = "Persetujuan moderator"


def rename(apps, schema_editor):
    for model in ("Workflow", "Task"):
        apps.get_model("wagtailcore", model).objects.filter(name=DEFAULT).update(name=INDONESIAN)


def restore(apps, schema_editor):
    for model in ("Workflow", "Task"):
        apps.get_model("wagtailcore", model).objects.filter(name=INDONESIAN).update(name=DEFAULT)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_campaign_official_count_date_and_more"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]

    operations = [migrations.RunPython(rename, restore)]
