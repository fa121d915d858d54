"""The database side of search (caflab.search): accent folding both ways, typo tolerance,
vectors kept current by PostgreSQL itself. PostgreSQL only: SQLite keeps `icontains`."""

import pytest
from django.db import connection

from criees.filters import search_initiatives
from criees.models import Initiative
from ecoute.models import Consultation, Contribution
from ecoute.search import search_consultations, search_contributions
from evaluation.models import EvaluationPlan
from evaluation.search import search_plans
from ideas.filters import search_ideas, similar_ideas
from ideas.models import Idea
from projects.filters import search_projects
from projects.models import Project
from tests.criees.factories import InitiativeFactory
from tests.ecoute.factories import ConsultationFactory, ContributionFactory
from tests.evaluation.factories import EvaluationPlanFactory
from tests.ideas.factories import IdeaFactory
from tests.projects.factories import ProjectFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="unaccent, pg_trgm and triggers: PostgreSQL"
    ),
]


def found(queryset) -> set[str]:
    return {row.title for row in queryset}


def test_the_french_configuration_folds_accents_then_stems():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('caflab_fr', 'Accès aux démarches')::text")
        assert cursor.fetchone()[0] == "'acce':1 'demarch':3"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("acces", "Accès aux droits pour les jeunes parents"),
        ("accès", "Acces aux droits sans accent"),
        ("demarches", "Simplifier les démarches en ligne"),
        ("démarches", "Simplifier les demarches sans accent"),
        ("Écoles", "Accompagnement à la sortie des ecoles"),
    ],
)
def test_accents_are_folded_both_ways_in_every_app(typed, stored):
    project = ProjectFactory(title=stored)
    idea = IdeaFactory(title=stored)
    initiative = InitiativeFactory(title=stored)
    consultation = ConsultationFactory(title=stored)
    contribution = ContributionFactory(title=stored, consultation=consultation)
    plan = EvaluationPlanFactory(project=project)
    ProjectFactory(title="Sans rapport")
    IdeaFactory(title="Sans rapport")

    assert found(search_projects(Project.objects.all(), typed)) == {project.title}
    assert found(search_ideas(Idea.objects.all(), typed)) == {idea.title}
    assert found(search_initiatives(Initiative.objects.all(), typed)) == {initiative.title}
    assert consultation in search_consultations(Consultation.objects.all(), typed)
    assert contribution in search_contributions(Contribution.objects.all(), typed)
    assert plan in search_plans(EvaluationPlan.objects.all(), typed)


@pytest.mark.parametrize("typed", ["accompagnment", "acompagnement", "accompagne"])
def test_a_typo_or_a_truncated_word_still_finds_the_title(typed):
    IdeaFactory(title="Accompagnement des familles monoparentales")
    IdeaFactory(title="Covoiturage vers les accueils")
    assert found(search_ideas(Idea.objects.all(), typed)) == {
        "Accompagnement des familles monoparentales"
    }


def test_typos_are_only_a_fallback_when_the_full_text_finds_something():
    """ "garde" finds the idea that says it; the one whose title only looks like it
    ("gardes-côtes") is not added to real hits."""
    IdeaFactory(title="Modes de garde pour horaires décalés")
    IdeaFactory(title="Gardiennage des locaux", problem="Rien à voir.", solution="")
    assert found(search_ideas(Idea.objects.all(), "garde")) == {
        "Modes de garde pour horaires décalés"
    }


def test_websearch_syntax_still_excludes_and_quotes():
    IdeaFactory(title="Garde d'enfants le soir", problem="Horaires atypiques.")
    IdeaFactory(title="Garde d'enfants le week-end", problem="Travail le samedi.")
    assert found(search_ideas(Idea.objects.all(), "garde -soir")) == {"Garde d'enfants le week-end"}
    assert found(search_ideas(Idea.objects.all(), '"le week-end"')) == {
        "Garde d'enfants le week-end"
    }


def test_the_trigger_keeps_the_vector_current_after_an_update():
    idea = IdeaFactory(title="Covoiturage vers les accueils")
    assert found(search_ideas(Idea.objects.all(), "covoiturage")) == {idea.title}

    # QuerySet.update() bypasses Django entirely: only the database can keep it current.
    Idea.objects.filter(pk=idea.pk).update(title="Navette solidaire vers les accueils")
    assert not search_ideas(Idea.objects.all(), "covoiturage").exists()
    assert found(search_ideas(Idea.objects.all(), "navette")) == {
        "Navette solidaire vers les accueils"
    }

    # The other searched fields too, on every searchable model.
    project = ProjectFactory()
    Project.objects.filter(pk=project.pk).update(solution="Une permanence itinérante.")
    assert project in search_projects(Project.objects.all(), "itinerante")
    plan = EvaluationPlanFactory()
    EvaluationPlan.objects.filter(pk=plan.pk).update(methods="Cohorte longitudinale.")
    assert plan in search_plans(EvaluationPlan.objects.all(), "longitudinale")


def test_bulk_inserts_get_their_vector_too():
    author = IdeaFactory().author
    Idea.objects.bulk_create(
        [Idea(title="Guichet unique numérique", problem="Trop de guichets.", author=author)]
    )
    assert Idea.objects.get(title="Guichet unique numérique").search_vector
    assert found(search_ideas(Idea.objects.all(), "numerique")) == {"Guichet unique numérique"}


def test_a_plan_is_found_by_its_project_title():
    plan = EvaluationPlanFactory(project=ProjectFactory(title="Covoiturage vers les accueils"))
    EvaluationPlanFactory(project=ProjectFactory(title="Sans rapport"))
    assert list(search_plans(EvaluationPlan.objects.all(), "covoiturage")) == [plan]
    assert list(search_plans(EvaluationPlan.objects.all(), "covoiturrage")) == [plan]


def test_similar_ideas_use_the_stored_vector_and_fold_accents():
    idea = IdeaFactory(title="Réécrire les courriers de relance")
    assert similar_ideas(Idea.objects.all(), title="reecrire courriers") == [idea]


def test_the_searches_use_the_indexes():
    """The stored vector's GIN index and the folded title's trigram index, not a scan of
    every row computing its vector."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_ideas(Idea.objects.all(), "famille").explain()
    assert "idea_search_idx" in plan
    plan = search_ideas(Idea.objects.all(), "accompagnment").explain()
    assert "idea_title_trgm_idx" in plan
