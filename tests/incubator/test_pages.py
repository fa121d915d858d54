"""The incubator's pages: applying (a draft keeps what was typed, a submission once), who sees
which application and cohort, the homes, and the query counts of the lists."""

import pytest
from django.urls import reverse

from caflab.accounts.models import Role
from incubator.models import Application, Call
from incubator.services import application_decide, application_score
from tests.accounts.factories import UserFactory
from tests.incubator.factories import make_call, required_question, submitted_application
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

INDEX_PAGE = 6
MINE_PAGE = 6
RANKING_PAGE = 10  # paginated (+1: the count), the unused criteria no longer read (-1)
COHORT_PAGE = 6


def _form(call, **extra) -> dict:
    return {"title": "Un guichet mobile", "summary": "Aller vers les familles.", **extra}


def test_a_partner_drafts_then_submits_once(client, call, partner):
    client.force_login(partner)
    url = reverse("incubator:apply", kwargs={"slug": call.slug})
    assert client.get(url).status_code == 200
    question = required_question(call)
    # A draft without the required answer is kept, with what was typed.
    response = client.post(url, _form(call, action="draft"))
    assert response.status_code == 302
    draft = Application.objects.get(applicant=partner)
    assert draft.status == Application.Status.DRAFT
    assert "Un guichet mobile" in client.get(url).content.decode()
    # Submitting without it: the page again, the typed values kept, the question said.
    response = client.post(url, _form(call, action="submit", title="Titre retapé"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Titre retapé" in html
    assert "Cette question est obligatoire." in html
    draft.refresh_from_db()
    assert (draft.status, draft.title) == (Application.Status.DRAFT, "Titre retapé")
    # With it: submitted, and a second submission is "déjà fait".
    response = client.post(
        url, _form(call, action="submit", **{question.html_name: "Familles monoparentales"})
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED
    response = client.post(url, _form(call, action="submit"), follow=True)
    assert "déjà fait" in response.content.decode()


def test_after_the_closing_date_the_form_says_why(client, lab_staff, agent_a):
    call = make_call(lab_staff, opens_in=-20, closes_in=-1)
    client.force_login(agent_a)
    url = reverse("incubator:apply", kwargs={"slug": call.slug})
    response = client.get(url, follow=True)
    assert "n’est pas ouvert aux candidatures" in response.content.decode()


def test_another_applicants_answers_are_404(client, call, agent_a, correspondent_a):
    application = submitted_application(call, agent_a)
    client.force_login(correspondent_a)
    assert client.get(application.get_absolute_url()).status_code == 404
    client.force_login(agent_a)
    assert "Familles monoparentales" in client.get(application.get_absolute_url()).content.decode()


def test_a_partner_sees_the_cohort_calendar_and_only_their_own_project(
    client, closed_call, partner, agent_a, lab_staff
):
    mine = submitted_application(closed_call, partner, title="Projet du partenaire")
    other = submitted_application(closed_call, agent_a, title="Projet de l’agent")
    mine = application_decide(application=mine, by=lab_staff, decision="selected", reason="Oui")
    application_decide(application=other, by=lab_staff, decision="selected", reason="Oui")
    client.force_login(partner)
    html = client.get(mine.cohort.get_absolute_url()).content.decode()
    assert "Projet du partenaire" in html
    assert "Projet de l’agent" not in html
    assert "Et 1 autre projet dans la promotion." in html


def test_the_partners_home_shows_open_calls(client, call, partner):
    client.force_login(partner)
    html = client.get(reverse("core:home")).content.decode()
    assert call.title in html


def test_the_labs_home_shows_the_applications_to_decide(client, closed_call, agent_a, lab_staff):
    submitted_application(closed_call, agent_a, title="À trancher")
    client.force_login(lab_staff)
    html = client.get(reverse("core:home")).content.decode()
    assert "Candidatures à décider" in html
    assert "À trancher" in html


# --- query counts ---------------------------------------------------------------------------


def _applicants(call, *, decide_by=None, juror=None):
    counter = {"n": 0}

    def add(n: int) -> None:
        for _ in range(n):
            counter["n"] += 1
            person = UserFactory(role=Role.AGENT)
            application = submitted_application(call, person, title=f"Projet {counter['n']}")
            if juror is not None:
                scores = {c.pk: (3, "") for c in call.criteria.all()}
                application_score(application=application, juror=juror, scores=scores)
            if decide_by is not None:
                application_decide(
                    application=application, by=decide_by, decision="selected", reason="Oui"
                )

    return add


def test_the_catalogue_costs_the_same_whatever_its_calls(client, lab_staff, agent_a):
    counter = {"n": 0}

    def add(n: int) -> None:
        for _ in range(n):
            counter["n"] += 1
            make_call(lab_staff, title=f"Appel {counter['n']}")

    client.force_login(agent_a)
    count = assert_flat_query_count(
        client, reverse("incubator:index"), add, sizes=(2, 5), expected=INDEX_PAGE
    )
    print("INDEX_PAGE", count)


def test_the_ranking_costs_the_same_whatever_its_applications(client, closed_call, agent_b):
    client.force_login(agent_b)
    url = reverse("incubator:ranking", kwargs={"slug": closed_call.slug})
    count = assert_flat_query_count(
        client, url, _applicants(closed_call, juror=agent_b), sizes=(2, 5), expected=RANKING_PAGE
    )
    print("RANKING_PAGE", count)


def test_the_cohort_page_costs_the_same_whatever_its_projects(client, closed_call, lab_staff):
    client.force_login(lab_staff)
    holder = {}

    def add(n: int) -> None:
        _applicants(closed_call, decide_by=lab_staff)(n)
        holder["cohort"] = closed_call.cohorts.get()

    add(1)
    url = holder["cohort"].get_absolute_url()
    count = assert_flat_query_count(client, url, add, sizes=(2, 5), expected=COHORT_PAGE)
    print("COHORT_PAGE", count)


def test_my_applications_cost_the_same_whatever_their_number(client, lab_staff, partner):
    counter = {"n": 0}

    def add(n: int) -> None:
        for _ in range(n):
            counter["n"] += 1
            call = make_call(lab_staff, title=f"Appel {counter['n']}")
            submitted_application(call, partner)
            Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)

    client.force_login(partner)
    count = assert_flat_query_count(
        client, reverse("incubator:mine"), add, sizes=(2, 5), expected=MINE_PAGE
    )
    print("MINE_PAGE", count)


def test_the_lab_edits_the_jurys_criteria_until_the_call_closes(client, call, lab_staff):
    client.force_login(lab_staff)
    url = reverse("incubator:call-criteria", kwargs={"slug": call.slug})
    criteria = list(call.criteria.order_by("position", "pk"))
    data = {
        "criteres-TOTAL_FORMS": str(len(criteria) + 1),
        "criteres-INITIAL_FORMS": str(len(criteria)),
        "criteres-MIN_NUM_FORMS": "0",
        "criteres-MAX_NUM_FORMS": "1000",
    }
    for i, criterion in enumerate(criteria):
        data |= {
            f"criteres-{i}-id": str(criterion.pk),
            f"criteres-{i}-label": criterion.label,
            f"criteres-{i}-weight": str(criterion.weight),
            f"criteres-{i}-position": str(criterion.position),
        }
    n = len(criteria)
    data |= {f"criteres-{n}-label": "Sobriété écologique", f"criteres-{n}-weight": "2"}
    assert client.post(url, data).status_code == 302
    assert call.criteria.filter(label="Sobriété écologique", weight=2).exists()
    Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)
    response = client.post(url, data, follow=True)
    assert "ses critères ne changent plus" in response.content.decode()


def test_the_ranking_goes_by_pages_and_the_rank_goes_on(
    client, closed_call, lab_staff, agent_b, settings
):
    settings.INCUBATOR_RANKING_PAGE_SIZE = 2
    by_title = {}
    for value in (2, 5, 4):
        application = submitted_application(
            closed_call, UserFactory(role=Role.AGENT), title=f"Projet noté {value}"
        )
        scores = {c.pk: (value, "") for c in closed_call.criteria.all()}
        application_score(application=application, juror=agent_b, scores=scores)
        by_title[value] = application
    unscored = submitted_application(closed_call, UserFactory(role=Role.AGENT), title="Sans note")
    client.force_login(lab_staff)
    url = reverse("incubator:ranking", kwargs={"slug": closed_call.slug})
    first = client.get(url).content.decode()
    assert first.index("Projet noté 5") < first.index("Projet noté 4")
    assert "Projet noté 2" not in first
    assert "Sans note" not in first
    assert "Page suivante" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.index("<td>3</td>") < second.index("Projet noté 2")
    assert second.index("<td>4</td>") < second.index("Sans note")
    decide = reverse("incubator:application-decide", kwargs={"pk": unscored.pk})
    assert decide in second
    assert client.get(decide).status_code == 200
    # Past the last page: the last page, not an error.
    assert "Sans note" in client.get(url, {"page": 9}).content.decode()
