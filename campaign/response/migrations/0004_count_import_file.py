import uuid

from django.db import migrations, models

import campaign.response.models


def contents_to_files(apps, schema_editor):
    """Uploads kept in the database move to the storage, so they can be confirmed."""
    from django.core.files.base import ContentFile

    CountImport = apps.get_model("response", "CountImport")
    for run in CountImport.objects.all().iterator(chunk_size=10):
        extension = run.filename.rsplit(".", 1)[-1].lower() if "." in run.filename else ""
        name = f"{uuid.uuid4().hex}.{extension if extension in ('csv', 'xlsx', 'txt') else 'dat'}"
        run.file.save(name, ContentFile(bytes(run.content or b"")), save=False)
        CountImport.objects.filter(pk=run.pk).update(file=run.file.name)


class Migration(migrations.Migration):
    dependencies = [
        ("response", "0003_public_progress_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="countimport",
            name="file",
            field=models.FileField(
                default="",
                editable=False,
                max_length=255,
                upload_to=campaign.response.models.import_upload_to,
                verbose_name="stored file",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(contents_to_files, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="countimport", name="content"),
    ]
