"""The news approval workflow and its task get Indonesian names: the admin shows them as
stored ("Pengajuan ke Persetujuan berita", notification emails, the workflow list), and
the admin's default language is Indonesian. Installations created before keep their
workflow and task (and the pages moderated with them); only the names change."""

from django.db import migrations

RENAMES = {
    "wagtailcore.Workflow": ("News approval", "Persetujuan berita"),
    "wagtailcore.Task": ("Head of section approves", "Persetujuan kepala seksi"),
}


def rename(apps, schema_editor, *, reverse=False):
    for label, (old, new) in RENAMES.items():
        if reverse:
            old, new = new, old
        model = apps.get_model(label)
        if not model.objects.filter(name=new).exists():
            model.objects.filter(name=old).update(name=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, reverse=True)


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
