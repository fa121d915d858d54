"""Reference data that must always exist after `migrate`: the 18 regions and the 101 Caf.

Hand-written and frozen: the data lives here, not in app code, so that replaying the migration
history always gives the same result. Idempotent (update_or_create by code) and reversible.
Later changes (a renamed Caf, a merged region) go in a new data migration or through the admin.
"""

from django.db import migrations

# INSEE region codes, as of the 2016 regional reform.
REGIONS = [
    ("01", "Guadeloupe"),
    ("02", "Martinique"),
    ("03", "Guyane"),
    ("04", "La Réunion"),
    ("06", "Mayotte"),
    ("11", "Île-de-France"),
    ("24", "Centre-Val de Loire"),
    ("27", "Bourgogne-Franche-Comté"),
    ("28", "Normandie"),
    ("32", "Hauts-de-France"),
    ("44", "Grand Est"),
    ("52", "Pays de la Loire"),
    ("53", "Bretagne"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("84", "Auvergne-Rhône-Alpes"),
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("94", "Corse"),
]

# (département code, département name, French "of" form for the Caf name, region code),
# in département order: the list index gives `position` (2A and 2B sit between 19 and 21).
# The "of" form follows the usual French usage: "de l'Ain", "du Nord", "des Landes",
# "de la Gironde", and no article for "X-et-Y" départements ("d'Ille-et-Vilaine").
DEPARTMENTS = [
    ("01", "Ain", "de l'", "84"),
    ("02", "Aisne", "de l'", "32"),
    ("03", "Allier", "de l'", "84"),
    ("04", "Alpes-de-Haute-Provence", "des ", "93"),
    ("05", "Hautes-Alpes", "des ", "93"),
    ("06", "Alpes-Maritimes", "des ", "93"),
    ("07", "Ardèche", "de l'", "84"),
    ("08", "Ardennes", "des ", "44"),
    ("09", "Ariège", "de l'", "76"),
    ("10", "Aube", "de l'", "44"),
    ("11", "Aude", "de l'", "76"),
    ("12", "Aveyron", "de l'", "76"),
    ("13", "Bouches-du-Rhône", "des ", "93"),
    ("14", "Calvados", "du ", "28"),
    ("15", "Cantal", "du ", "84"),
    ("16", "Charente", "de la ", "75"),
    ("17", "Charente-Maritime", "de la ", "75"),
    ("18", "Cher", "du ", "24"),
    ("19", "Corrèze", "de la ", "75"),
    ("2A", "Corse-du-Sud", "de la ", "94"),
    ("2B", "Haute-Corse", "de la ", "94"),
    ("21", "Côte-d'Or", "de la ", "27"),
    ("22", "Côtes-d'Armor", "des ", "53"),
    ("23", "Creuse", "de la ", "75"),
    ("24", "Dordogne", "de la ", "75"),
    ("25", "Doubs", "du ", "27"),
    ("26", "Drôme", "de la ", "84"),
    ("27", "Eure", "de l'", "28"),
    ("28", "Eure-et-Loir", "d'", "24"),
    ("29", "Finistère", "du ", "53"),
    ("30", "Gard", "du ", "76"),
    ("31", "Haute-Garonne", "de la ", "76"),
    ("32", "Gers", "du ", "76"),
    ("33", "Gironde", "de la ", "75"),
    ("34", "Hérault", "de l'", "76"),
    ("35", "Ille-et-Vilaine", "d'", "53"),
    ("36", "Indre", "de l'", "24"),
    ("37", "Indre-et-Loire", "d'", "24"),
    ("38", "Isère", "de l'", "84"),
    ("39", "Jura", "du ", "27"),
    ("40", "Landes", "des ", "75"),
    ("41", "Loir-et-Cher", "de ", "24"),
    ("42", "Loire", "de la ", "84"),
    ("43", "Haute-Loire", "de la ", "84"),
    ("44", "Loire-Atlantique", "de la ", "52"),
    ("45", "Loiret", "du ", "24"),
    ("46", "Lot", "du ", "76"),
    ("47", "Lot-et-Garonne", "de ", "75"),
    ("48", "Lozère", "de la ", "76"),
    ("49", "Maine-et-Loire", "de ", "52"),
    ("50", "Manche", "de la ", "28"),
    ("51", "Marne", "de la ", "44"),
    ("52", "Haute-Marne", "de la ", "44"),
    ("53", "Mayenne", "de la ", "52"),
    ("54", "Meurthe-et-Moselle", "de ", "44"),
    ("55", "Meuse", "de la ", "44"),
    ("56", "Morbihan", "du ", "53"),
    ("57", "Moselle", "de la ", "44"),
    ("58", "Nièvre", "de la ", "27"),
    ("59", "Nord", "du ", "32"),
    ("60", "Oise", "de l'", "32"),
    ("61", "Orne", "de l'", "28"),
    ("62", "Pas-de-Calais", "du ", "32"),
    ("63", "Puy-de-Dôme", "du ", "84"),
    ("64", "Pyrénées-Atlantiques", "des ", "75"),
    ("65", "Hautes-Pyrénées", "des ", "76"),
    ("66", "Pyrénées-Orientales", "des ", "76"),
    ("67", "Bas-Rhin", "du ", "44"),
    ("68", "Haut-Rhin", "du ", "44"),
    ("69", "Rhône", "du ", "84"),
    ("70", "Haute-Saône", "de la ", "27"),
    ("71", "Saône-et-Loire", "de ", "27"),
    ("72", "Sarthe", "de la ", "52"),
    ("73", "Savoie", "de la ", "84"),
    ("74", "Haute-Savoie", "de la ", "84"),
    ("75", "Paris", "de ", "11"),
    ("76", "Seine-Maritime", "de la ", "28"),
    ("77", "Seine-et-Marne", "de ", "11"),
    ("78", "Yvelines", "des ", "11"),
    ("79", "Deux-Sèvres", "des ", "75"),
    ("80", "Somme", "de la ", "32"),
    ("81", "Tarn", "du ", "76"),
    ("82", "Tarn-et-Garonne", "de ", "76"),
    ("83", "Var", "du ", "93"),
    ("84", "Vaucluse", "de ", "93"),
    ("85", "Vendée", "de la ", "52"),
    ("86", "Vienne", "de la ", "75"),
    ("87", "Haute-Vienne", "de la ", "75"),
    ("88", "Vosges", "des ", "44"),
    ("89", "Yonne", "de l'", "27"),
    ("90", "Territoire de Belfort", "du ", "27"),
    ("91", "Essonne", "de l'", "11"),
    ("92", "Hauts-de-Seine", "des ", "11"),
    ("93", "Seine-Saint-Denis", "de la ", "11"),
    ("94", "Val-de-Marne", "du ", "11"),
    ("95", "Val-d'Oise", "du ", "11"),
    ("971", "Guadeloupe", "de la ", "01"),
    ("972", "Martinique", "de la ", "02"),
    ("973", "Guyane", "de la ", "03"),
    ("974", "La Réunion", "de ", "04"),
    ("976", "Mayotte", "de ", "06"),
]

# Lozère and Mayotte are joint social-security funds, not Caf: their own name and kind.
SPECIAL_FUNDS = {
    "48": ("Caisse commune de sécurité sociale de la Lozère", "ccss"),
    "976": ("Caisse de sécurité sociale de Mayotte", "css"),
}

OVERSEAS_CODES = {"971", "972", "973", "974", "976"}


def caf_rows():
    """Yield the field values of the 101 funds, in département order."""
    for position, (code, department, of_form, region_code) in enumerate(DEPARTMENTS, start=1):
        name, kind = SPECIAL_FUNDS.get(code, (f"Caf {of_form}{department}", "caf"))
        yield {
            "code": code,
            "position": position,
            "name": name,
            "department": department,
            "kind": kind,
            "is_overseas": code in OVERSEAS_CODES,
            "region_code": region_code,
        }


def seed(apps, schema_editor):
    Region = apps.get_model("network", "Region")
    Caf = apps.get_model("network", "Caf")
    regions = {}
    for code, name in REGIONS:
        regions[code], _ = Region.objects.update_or_create(code=code, defaults={"name": name})
    for row in caf_rows():
        region = regions[row.pop("region_code")]
        Caf.objects.update_or_create(code=row.pop("code"), defaults={**row, "region": region})


def unseed(apps, schema_editor):
    # Fails (ProtectedError) once users point at a Caf: unloading the network of a live
    # database is not something to do by accident.
    Region = apps.get_model("network", "Region")
    Caf = apps.get_model("network", "Caf")
    Caf.objects.filter(code__in=[row[0] for row in DEPARTMENTS]).delete()
    Region.objects.filter(code__in=[code for code, _ in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
