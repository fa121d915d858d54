"""The evaluation walked as a project lead would: create the plan from the project page, define
two indicators with their baseline and target, enter measurements for two Caf, and read the
chart with its data table and one small chart per Caf. Zero axe violations on every page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from projects.models import Deployment, Stage
from tests.projects.factories import DeploymentFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def project(agent_a, caf_a, caf_b):
    project = ProjectFactory(
        title="Accueil sans rendez-vous repensé",
        lead=agent_a,
        pilot_caf=caf_a,
        stage=Stage.ESSAIMAGE,
    )
    DeploymentFactory(project=project, caf=caf_b, status=Deployment.Status.RUNNING)
    return project


def _define_indicator(page, *, name, unit, category, baseline, target):
    page.get_by_role("link", name="Ajouter un indicateur").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvel indicateur")
    page.get_by_label(re.compile(r"Nom")).fill(name)
    page.get_by_label(re.compile(r"Définition et mode de calcul")).fill(
        "Mesuré chaque trimestre à partir du système de gestion de file."
    )
    page.get_by_label(re.compile(r"Unité")).fill(unit)
    page.get_by_label(re.compile(r"Catégorie")).select_option(label=category)
    page.get_by_label(re.compile(r"Valeur de référence")).fill(baseline)
    page.get_by_label(re.compile(r"Date de la référence")).fill("2025-12-31")
    page.get_by_label(re.compile(r"Source de la référence")).fill("Relevé de décembre 2025")
    page.get_by_role("button", name="Enregistrer l’indicateur").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    target_form = page.locator("form[action$='/cibles/']")
    target_form.get_by_label(re.compile(r"Période")).fill("2026-10-01")
    target_form.get_by_label(re.compile(r"Cible")).fill(target)
    page.get_by_role("button", name="Enregistrer la cible").click()
    expect(page.locator("body")).to_contain_text("La cible est enregistrée.")


def _measure(page, *, caf, period, value):
    form = page.locator("form[action$='/mesures/']")
    form.get_by_label(re.compile(r"Caf")).select_option(label=caf)
    form.get_by_label(re.compile(r"Période")).fill(period)
    form.get_by_label(re.compile(r"Valeur")).fill(value)
    form.get_by_label(re.compile(r"Source")).fill("Tableau de bord de la Caf")
    page.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.locator("body")).to_contain_text("La mesure est enregistrée.")


def test_a_lead_defines_two_indicators_measures_two_caf_and_reads_the_chart(
    page, live_server, login_as, assert_accessible, project
):
    login_as(page, live_server, project.lead)
    page.goto(live_server.url + project.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Créer le plan d’évaluation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer le plan d’évaluation")
    assert_accessible(page)
    page.get_by_label(re.compile(r"Objet de l.évaluation")).fill(
        "L'accueil en flux réduit-il l'attente sans dégrader la réponse ?"
    )
    page.get_by_role("button", name="Enregistrer le plan").click()
    expect(page.locator("body")).to_contain_text("Le plan d’évaluation est enregistré.")
    assert_accessible(page)

    page.goto(live_server.url + reverse("evaluation:indicator-list", kwargs={"code": project.code}))
    assert_accessible(page)
    _define_indicator(
        page,
        name="Temps d'attente moyen",
        unit="minutes",
        category="Qualité de service",
        baseline="38",
        target="15",
    )
    assert_accessible(page)
    _measure(page, caf="Caf de l'Isère", period="2026-02-15", value="31,5")
    _measure(page, caf="Caf du Rhône", period="2026-02-15", value="35")
    _measure(page, caf="Caf de l'Isère", period="2026-05-15", value="24")

    chart = page.locator("div.chart").first
    expect(chart.locator("svg[role='img']")).to_have_count(1)
    table = chart.get_by_role("table")
    expect(table).to_be_hidden()  # under "Voir les données", opened from the keyboard
    chart.locator("summary").press("Enter")
    expect(table).to_contain_text("données du graphique")
    expect(table.get_by_role("row", name=re.compile("T1 2026"))).to_contain_text("33,2")
    expect(table.get_by_role("row", name=re.compile("T4 2026"))).to_contain_text("15")
    expect(page.get_by_role("heading", name="Caf de l'Isère", level=3)).to_be_visible()
    expect(page.get_by_role("heading", name="Caf du Rhône", level=3)).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("evaluation:indicator-list", kwargs={"code": project.code}))
    _define_indicator(
        page,
        name="Déplacements évités",
        unit="km",
        category="Environnemental",
        baseline="0",
        target="12000",
    )
    _measure(page, caf="Caf du Rhône", period="2026-03-01", value="1 250")
    page.locator("div.chart").first.get_by_text("Voir les données").click()
    expect(page.locator("div.chart").first.get_by_role("table")).to_contain_text("1\u202f250")
    assert_accessible(page)

    page.goto(live_server.url + reverse("evaluation:indicator-list", kwargs={"code": project.code}))
    expect(page.get_by_role("table")).to_contain_text("Déplacements évités")
    assert_accessible(page)

    # The same measurements, and one wrong line, imported from a spreadsheet.
    page.get_by_role("link", name="Importer des mesures (CSV)").click()
    assert_accessible(page)
    page.get_by_label("Fichier CSV").set_input_files(
        files=[
            {
                "name": "mesures.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "indicateur;caf;periode;valeur;source;preuve\n"
                    "Déplacements évités;69;2026-T1;1 300;Relevé corrigé;\n"
                    "Déplacements évités;75;2026-T1;10;Relevé;\n"
                ).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Importer").click()
    report = page.get_by_role("status")
    expect(report).to_contain_text(
        "0 mesure(s) ajoutée(s), 1 mise(s) à jour, 1 ligne(s) rejetée(s)"
    )
    expect(page.get_by_role("row", name=re.compile("Rejetée"))).to_contain_text(
        "ni la Caf pilote ni une Caf de déploiement"
    )
    assert_accessible(page)


def test_the_plan_forms_and_a_frozen_version_are_accessible(
    page, live_server, login_as, assert_accessible, project
):
    from tests.evaluation.factories import (
        ChangeLinkFactory,
        ChangeStepFactory,
        EvaluationPlanFactory,
        StakeholderGroupFactory,
    )

    plan = EvaluationPlanFactory(project=project)
    StakeholderGroupFactory(plan=plan, name="Agents d'accueil")
    ChangeLinkFactory(source=ChangeStepFactory(plan=plan, label="Agent volant à l'entrée"))
    login_as(page, live_server, project.lead)
    for name in ("group-create", "question-create", "step-create", "link-create"):
        page.goto(live_server.url + reverse(f"evaluation:{name}", kwargs={"code": project.code}))
        assert_accessible(page)
    page.locator("#id_source").select_option(index=2)  # the output, back to…
    page.locator("#id_target").select_option(index=1)  # …the activity
    page.get_by_label(re.compile("Hypothèse")).fill("Les visiteurs acceptent d'être orientés.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("body")).to_contain_text("Le lien est enregistré.")
    page.get_by_label("Ce qui a changé").fill("Hypothèses revues")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.locator("body")).to_contain_text("La version 1 du plan est figée")
    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("version 1")
    assert_accessible(page)
