"""The reference data loaded by the network's data migrations is always there after migrate."""

import importlib
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command

from caflab.network.models import Caf, CogAxis, Directorate, Programme, Region, Theme

pytestmark = pytest.mark.django_db

SEED_MODULES = (
    "caflab.network.migrations.0002_seed_regions_and_cafs",
    "caflab.network.migrations.0003_seed_directorates_themes_programmes_cog",
)

# Number of Caf per region (INSEE code): 96 in metropolitan France, 5 overseas.
CAFS_PER_REGION = {
    "84": 12,  # Auvergne-Rhône-Alpes
    "27": 8,  # Bourgogne-Franche-Comté
    "53": 4,  # Bretagne
    "24": 6,  # Centre-Val de Loire
    "94": 2,  # Corse
    "44": 10,  # Grand Est
    "32": 5,  # Hauts-de-France
    "11": 8,  # Île-de-France
    "28": 5,  # Normandie
    "75": 12,  # Nouvelle-Aquitaine
    "76": 13,  # Occitanie
    "52": 5,  # Pays de la Loire
    "93": 6,  # Provence-Alpes-Côte d'Azur
    "01": 1,
    "02": 1,
    "03": 1,
    "04": 1,
    "06": 1,
}


def test_there_are_exactly_101_caf_with_unique_codes():
    codes = list(Caf.objects.values_list("code", flat=True))
    assert len(codes) == 101
    assert len(set(codes)) == 101


def test_the_18_regions_are_there():
    assert Region.objects.count() == 18
    assert Region.objects.get(code="11").name == "Île-de-France"


def test_corsica_has_2a_and_2b_and_no_20():
    assert set(Caf.objects.filter(region__code="94").values_list("code", flat=True)) == {"2A", "2B"}
    assert not Caf.objects.filter(code="20").exists()


def test_positions_run_from_1_to_101_with_corsica_between_19_and_21():
    positions = dict(Caf.objects.values_list("code", "position"))
    assert sorted(positions.values()) == list(range(1, 102))
    assert positions["19"] + 1 == positions["2A"]
    assert positions["2A"] + 1 == positions["2B"]
    assert positions["2B"] + 1 == positions["21"]
    assert positions["976"] == 101


def test_every_department_sits_in_its_region():
    counts = Counter(Caf.objects.values_list("region__code", flat=True))
    assert counts == CAFS_PER_REGION
    spot_checks = {
        "38": "84",
        "69": "84",
        "13": "93",
        "75": "11",
        "59": "32",
        "31": "76",
        "48": "76",
        "33": "75",
        "35": "53",
        "67": "44",
        "90": "27",
        "28": "24",
        "50": "28",
        "85": "52",
    }
    regions = dict(Caf.objects.filter(code__in=spot_checks).values_list("code", "region__code"))
    assert regions == spot_checks


def test_mayotte_is_a_social_security_fund():
    mayotte = Caf.objects.get(code="976")
    assert mayotte.kind == Caf.Kind.CSS
    assert mayotte.name == "Caisse de sécurité sociale de Mayotte"
    assert mayotte.region.code == "06"


def test_lozere_is_a_joint_social_security_fund():
    lozere = Caf.objects.get(code="48")
    assert lozere.kind == Caf.Kind.CCSS
    assert lozere.name == "Caisse commune de sécurité sociale de la Lozère"
    assert Caf.objects.exclude(code__in=["48", "976"]).exclude(kind=Caf.Kind.CAF).count() == 0


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("01", "Caf de l'Ain"),
        ("13", "Caf des Bouches-du-Rhône"),
        ("31", "Caf de la Haute-Garonne"),
        ("35", "Caf d'Ille-et-Vilaine"),
        ("59", "Caf du Nord"),
        ("75", "Caf de Paris"),
        ("974", "Caf de La Réunion"),
    ],
)
def test_caf_names_use_the_right_french_article(code, name):
    assert Caf.objects.get(code=code).name == name


def test_the_five_overseas_caf_are_flagged():
    overseas = set(Caf.objects.filter(is_overseas=True).values_list("code", flat=True))
    assert overseas == {"971", "972", "973", "974", "976"}


def test_directorates_have_acronyms():
    assert Directorate.objects.count() >= 8
    assert Directorate.objects.get(acronym="DPFS").name.startswith("Direction des politiques")
    assert not Directorate.objects.filter(acronym="").exists()


def test_themes_include_ecological_transition():
    assert Theme.objects.count() == 12
    assert Theme.objects.filter(slug="transition-ecologique", name="Transition écologique").exists()


def test_the_ecological_transition_programme_exists():
    programme = Programme.objects.get(slug="transition-ecologique")
    assert programme.name == "Transition écologique"
    assert "solidarité et durabilité" in programme.description
    assert Programme.objects.count() == 5


def test_every_cog_axis_has_ambitions():
    axes = list(CogAxis.objects.prefetch_related("ambitions"))
    assert len(axes) >= 3
    assert all(axis.ambitions.all() for axis in axes)


def test_seeding_twice_is_harmless_and_unseeding_removes_the_reference_data():
    """The RunPython functions themselves, on the current models: cheap and in a transaction."""
    modules = [importlib.import_module(name) for name in SEED_MODULES]
    for module in modules:
        module.seed(apps, None)
    assert Caf.objects.count() == 101
    assert Theme.objects.count() == 12

    for module in reversed(modules):
        module.unseed(apps, None)
    assert not Caf.objects.exists()
    assert not Region.objects.exists()
    assert not Theme.objects.exists()
    assert not CogAxis.objects.exists()

    for module in modules:
        module.seed(apps, None)
    assert Caf.objects.count() == 101
    assert CogAxis.objects.count() == 4


# serialized_rollback: the flush that ends a transactional test must not leave the next
# tests without the 101 Caf. Marked `migrations`: it unapplies and reapplies nearly every
# migration of every app (they all depend on the reference data), so `make test` runs it
# alongside the rest, with the other migration checks.
@pytest.mark.migrations
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_migrations_can_be_unapplied_and_reapplied():
    call_command("migrate", "network", "0001", verbosity=0)
    assert not Caf.objects.exists()
    assert not Directorate.objects.exists()

    # Forward with every app, in case a later migration of another app depends on ours.
    call_command("migrate", verbosity=0)
    assert Caf.objects.count() == 101
    assert Programme.objects.filter(slug="transition-ecologique").exists()
