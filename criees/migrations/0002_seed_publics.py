"""The publics an initiative may be meant for (editable afterwards in the admin)."""

from django.db import migrations

PUBLICS = [
    ("familles", "Familles"),
    ("parents-isoles", "Parents isolés"),
    ("jeunes-enfants", "Parents de jeunes enfants"),
    ("jeunes", "Jeunes et jeunes adultes"),
    ("etudiants", "Étudiants"),
    ("personnes-handicap", "Personnes en situation de handicap"),
    ("precarite", "Personnes en situation de précarité"),
    ("seniors", "Personnes âgées"),
    ("locataires", "Locataires et accédants"),
    ("professionnels-petite-enfance", "Professionnels de la petite enfance"),
    ("partenaires", "Partenaires et collectivités"),
    ("agents", "Agents des Caf"),
]


def seed(apps, schema_editor):
    Public = apps.get_model("criees", "Public")
    for slug, name in PUBLICS:
        Public.objects.get_or_create(slug=slug, defaults={"name": name})


def unseed(apps, schema_editor):
    Public = apps.get_model("criees", "Public")
    Public.objects.filter(slug__in=[slug for slug, _name in PUBLICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("criees", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
