"""After a criée: the follow-up page, the lab's decisions, the exports; the dashboards."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from caflab.network.models import Caf
from criees.models import Criee, Pitch
from tests.core.test_security import inline_code_in
from tests.criees.factories import CrieeFactory, InitiativeFactory, InterestFactory, PitchFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(initiative):
    criee = CrieeFactory(status=Criee.Status.HELD)
    PitchFactory(criee=criee, initiative=initiative, position=1)
    return criee


def followup_url(criee) -> str:
    return reverse("criees:followup", kwargs={"pk": criee.pk})


def export_url(criee, kind: str, fmt: str) -> str:
    return reverse("criees:criee-export", kwargs={"pk": criee.pk, "kind": kind, "fmt": fmt})


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_follow_up_shows_interests_per_initiative_and_per_caf(
    client, agent_b, held, initiative, caf_b
):
    InterestFactory(initiative=initiative, caf=caf_b, level="contact")
    InterestFactory(initiative=initiative, caf=Caf.objects.get(code="01"), level="replicate")
    client.force_login(agent_b)
    response = client.get(followup_url(held))
    (pitch,) = response.context["programme"]
    assert dict((level.value, n) for level, n in pitch.level_counts) == {
        "curious": 0,
        "contact": 1,
        "replicate": 1,
    }
    assert [caf.code for caf, _rows in response.context["cafs"]] == ["01", "69"]
    assert response.context["n_involved"] == 3  # Isère presents, Ain and Rhône are interested
    html = response.content.decode()
    assert inline_code_in(html) == []
    assert "Enregistrer la décision du lab" not in html  # an agent does not decide


def test_the_lab_records_its_decision(client, lab_staff, held):
    pitch = held.pitches.get()
    client.force_login(lab_staff)
    client.post(
        reverse("criees:pitch-decide", kwargs={"pk": pitch.pk}),
        {f"decision-{pitch.pk}-decision": "connect", f"decision-{pitch.pk}-decision_note": "Fait"},
    )
    pitch.refresh_from_db()
    assert (pitch.decision, pitch.decision_note) == (Pitch.Decision.CONNECT, "Fait")


def test_the_programme_export_is_formula_safe(client, agent_b, caf_a):
    criee = CrieeFactory()
    PitchFactory(criee=criee, initiative=InitiativeFactory(title='=HYPERLINK("x")', caf=caf_a))
    client.force_login(agent_b)
    response = client.get(export_url(criee, "programme", "csv"))
    assert response["Content-Disposition"].startswith("attachment;")
    header, row = csv_rows(response)
    assert header[3] == "Initiative"
    assert row[3] == '\'=HYPERLINK("x")'
    xlsx = client.get(export_url(criee, "programme", "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cell = sheet.cell(row=2, column=4)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("x")'


def test_the_interest_export_is_for_the_lab_and_the_correspondents(
    client, agent_b, correspondent_a, held, initiative, caf_b
):
    InterestFactory(initiative=initiative, caf=caf_b, level="replicate", comment="+33 6 00")
    client.force_login(agent_b)
    assert client.get(export_url(held, "interets", "csv")).status_code == 403
    client.force_login(correspondent_a)
    _header, row = csv_rows(client.get(export_url(held, "interets", "csv")))
    assert row[2] == caf_b.name
    assert row[4] == "Veut la reprendre"
    assert row[7] == "'+33 6 00"


def test_an_unknown_export_is_404(client, agent_b, held):
    client.force_login(agent_b)
    assert client.get(export_url(held, "tout", "csv")).status_code == 404
    assert client.get(export_url(held, "programme", "pdf")).status_code == 404


def test_the_dashboard_ranks_the_most_wanted_initiatives(client, lab_staff, caf_a):
    wanted = InitiativeFactory(title="La plus demandée", caf=caf_a)
    curious = InitiativeFactory(title="Suscite la curiosité", caf=caf_a)
    InitiativeFactory(title="Personne ne la demande", caf=caf_a)
    for code, level in (("69", "replicate"), ("21", "contact")):
        InterestFactory(initiative=wanted, caf=Caf.objects.get(code=code), level=level)
    for code in ("01", "13"):
        InterestFactory(initiative=curious, caf=Caf.objects.get(code=code), level="curious")
    client.force_login(lab_staff)
    response = client.get(reverse("criees:dashboard"))
    assert [i.title for i in response.context["most_wanted"]] == [wanted.title, curious.title]
    isere = next(c for c in response.context["cafs"] if c.code == "38")
    assert (isere.shared, isere.declared, isere.received) == (3, 0, 4)
    assert inline_code_in(response.content.decode()) == []


def test_a_caf_dashboard_lists_what_it_shared_declared_and_received(
    client, correspondent_a, caf_a, caf_b, initiative
):
    InterestFactory(initiative=initiative, caf=caf_b)
    elsewhere = InitiativeFactory(caf=caf_b)
    InterestFactory(initiative=elsewhere, caf=caf_a, declared_by=correspondent_a)
    client.force_login(correspondent_a)
    response = client.get(reverse("criees:caf-dashboard", kwargs={"code": "38"}))
    assert [i.pk for i in response.context["initiatives"]] == [initiative.pk]
    assert [i.initiative for i in response.context["declared"]] == [elsewhere]
    assert [i.caf for i in response.context["received"]] == [caf_b]
    assert client.get(reverse("criees:caf-dashboard", kwargs={"code": "XX"})).status_code == 404


def _add_activity(criee):
    cafs = list(Caf.objects.order_by("position")[10:20])

    def add(n: int) -> None:
        start = criee.pitches.count()
        for i in range(n):
            initiative = InitiativeFactory(caf=cafs[i % len(cafs)])
            PitchFactory(criee=criee, initiative=initiative, position=start + i + 1)
            InterestFactory(initiative=initiative, caf=cafs[(i + 1) % len(cafs)], level="contact")
            CrieeFactory(status=Criee.Status.HELD)

    return add


# Session and user (2), the criée (1), the programme and its presenters (2), the interests (1);
# the shell: unread notifications (1; the user's Caf comes with them), the agent's permissions (2).
def test_the_follow_up_costs_a_fixed_number_of_queries(client, agent_b, held):
    client.force_login(agent_b)
    assert_flat_query_count(client, followup_url(held), _add_activity(held), expected=9)


# Session and user (2), key figures (1), levels (1), most wanted (1), criées (1) with their
# programmes (1) and interests (1), per Caf (1), unread notifications (1).
def test_the_dashboard_costs_a_fixed_number_of_queries(client, lab_staff, held):
    client.force_login(lab_staff)
    url = reverse("criees:dashboard")
    assert_flat_query_count(client, url, _add_activity(held), expected=10)


# Session and user (2), the Caf (1), its initiatives with themes and publics (3), declared (1)
# and received (1); the shell (1: the user's Caf comes with them).
def test_a_caf_dashboard_costs_a_fixed_number_of_queries(client, correspondent_a, held):
    client.force_login(correspondent_a)
    url = reverse("criees:caf-dashboard", kwargs={"code": "38"})

    def add(n: int) -> None:
        for _ in range(n):
            initiative = InitiativeFactory(caf=Caf.objects.get(code="38"))
            InterestFactory(initiative=initiative)
            InterestFactory(
                initiative=InitiativeFactory(caf=Caf.objects.get(code="13")),
                caf=Caf.objects.get(code="38"),
            )

    assert_flat_query_count(client, url, add, expected=9)
