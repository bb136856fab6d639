from django.db import migrations

KINDS = [
    ("Kantor Pemerintah", "Instansi pemerintah pusat dan daerah"),
    ("DPRD", "Dewan Perwakilan Rakyat Daerah"),
    ("BUMN", "Badan Usaha Milik Negara"),
    ("BUMD", "Badan Usaha Milik Daerah"),
    ("Lembaga Pendidikan", "Sekolah, perguruan tinggi dan lembaga pendidikan lain"),
    ("Swasta", "Perusahaan swasta"),
]


def seed(apps, schema_editor):
    InstitutionKind = apps.get_model("institutions", "InstitutionKind")
    for order, (name, description) in enumerate(KINDS):
        InstitutionKind.objects.get_or_create(
            name=name, defaults={"description": description, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
