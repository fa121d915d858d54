"""The URL × role matrix: every named route, every persona, the expected answer.

The route list is generated from the URLconf, so a new route without a row here fails
`test_every_route_has_a_row`. Each later issue adds its rows. Expected answers:
200/403/404/405, LOGIN (302 to the login page) or REDIRECT (302 anywhere else).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

LOGIN = "login"
REDIRECT = "redirect"
# The Django admin is one row: its own login guards the rest of its routes.
IGNORED_NAMESPACES = {"admin"}

Expect = int | str


@dataclass(frozen=True)
class Row:
    expect: dict[str, Expect]
    kwargs: Callable[[pytest.FixtureRequest], dict[str, Any]] | None = None
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)


def everyone(status: Expect) -> dict[str, Expect]:
    return dict.fromkeys(PERSONAS, status)


def signed_in(status: Expect, **overrides: Expect) -> dict[str, Expect]:
    """`status` for every signed-in persona, the login page for anonymous."""
    return {**dict.fromkeys(PERSONAS, status), "anonymous": LOGIN, **overrides}


def network_members(status: Expect, **overrides: Expect) -> dict[str, Expect]:
    """Network staff get `status`; citizens are refused; anonymous goes to the login page."""
    return signed_in(status, citizen=403, **overrides)


def _caf_a(request) -> dict[str, Any]:
    return {"code": request.getfixturevalue("caf_a").code}


def _notification_of_agent_a(request) -> dict[str, Any]:
    from caflab.notifications.services import notify

    agent_a = request.getfixturevalue("agent_a")
    (notification,) = notify(recipients=[agent_a], kind="test", title="Bienvenue", url="/")
    return {"pk": notification.pk}


@pytest.fixture
def matrix_project(lab_staff, caf_a):
    """A non-draft project led by the lab, piloted by Caf A, with an open gate review, a lever
    and a deployment in Caf A."""
    from projects.models import BlockerLever
    from tests.projects.factories import DeploymentFactory, GateReviewFactory, ProjectFactory

    project = ProjectFactory(lead=lab_staff, pilot_caf=caf_a)
    GateReviewFactory(project=project)
    BlockerLever.objects.create(project=project, kind="blocker", text="Données", owner=lab_staff)
    DeploymentFactory(project=project, caf=caf_a)
    return project


def _project(request) -> dict[str, Any]:
    return {"code": request.getfixturevalue("matrix_project").code}


def _testimonies_source(request) -> dict[str, Any]:
    """The analysis of matrix_project's testimonies (a source `evaluation` registers)."""
    from evaluation.analysis_sources import TESTIMONIES

    return {"source": TESTIMONIES, "pk": request.getfixturevalue("matrix_project").pk}


def _criee_comments_source(request) -> dict[str, Any]:
    """The analysis of a criée's comments (a source the criées register): a criée whose
    programme has an initiative of Caf A with a comment."""
    from criees.analysis_sources import COMMENTS
    from tests.criees.factories import CommentFactory, PitchFactory

    pitch = PitchFactory(initiative__caf=request.getfixturevalue("caf_a"))
    CommentFactory(initiative=pitch.initiative, author=request.getfixturevalue("agent_b"))
    return {"source": COMMENTS, "pk": pitch.criee_id}


def _programme_syntheses_source(request) -> dict[str, Any]:
    """The analysis of a programme's event syntheses (a source the events register)."""
    from caflab.network.models import Programme
    from events.analysis_sources import SYNTHESES
    from tests.events.factories import EventFactory

    programme = Programme.objects.get(slug="transition-ecologique")
    EventFactory(programme=programme, caf=request.getfixturevalue("caf_a"), synthesis="Dit.")
    return {"source": SYNTHESES, "pk": programme.pk}


def _lever(request) -> dict[str, Any]:
    project = request.getfixturevalue("matrix_project")
    return {"code": project.code, "pk": project.levers.get().pk}


def _review(request) -> dict[str, Any]:
    project = request.getfixturevalue("matrix_project")
    return {"code": project.code, "pk": project.gate_reviews.get().pk}


def _deployment(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_project").deployments.get().pk}


# écoute: a published consultation of Caf A (public, for usagers and agents, named answers)
# run by Caf A's correspondent, with one question, and an export the lab asked for.
@pytest.fixture
def matrix_consultation(correspondent_a, caf_a, lab_staff, settings, tmp_path):
    from ecoute.models import Consultation
    from ecoute.services import export_build, export_request
    from tests.ecoute.factories import ConsultationFactory, QuestionFactory, first_section

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    consultation = ConsultationFactory(
        slug="matrice", owner=correspondent_a, caf=caf_a, audience=Consultation.Audience.BOTH
    )
    QuestionFactory(section=first_section(consultation), label="Votre avis ?")
    job = export_request(questionnaire=consultation.questionnaire, by=lab_staff, fmt="csv")
    export_build(job_id=job.pk)
    return consultation


def _pending_account(request) -> dict[str, Any]:
    from caflab.accounts.models import Role
    from tests.accounts.factories import UserFactory

    return {"pk": UserFactory(email="en.attente@exemple.gouv.fr", role=Role.PENDING, caf=None).pk}


def _consultation_slug(request) -> dict[str, Any]:
    return {"slug": request.getfixturevalue("matrix_consultation").slug}


def _consultation_pk(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_consultation").pk}


def _section_pk(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_consultation").questionnaire.sections.get().pk}


def _question_pk(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_consultation").questionnaire.questions.get().pk}


def _answer_pk(request) -> dict[str, Any]:
    """An anonymous written answer to the matrix consultation's question."""
    from tests.analysis.factories import answer_texts

    question = request.getfixturevalue("matrix_consultation").questionnaire.questions.get()
    return {"pk": answer_texts(question, ["Un accueil le samedi."])[0].pk}


def _hear_back_token(request) -> dict[str, Any]:
    """The stop link of an address left to hear back from the matrix consultation."""
    from ecoute.models import HearBackRequest
    from ecoute.services.hear_back import stop_token

    questionnaire = request.getfixturevalue("matrix_consultation").questionnaire
    hear_back = HearBackRequest.objects.create(questionnaire=questionnaire, email="a@exemple.fr")
    return {"token": stop_token(hear_back)}


def _unsubscribe_token(request) -> dict[str, Any]:
    """The one-click link of a notification e-mail, for an account of its own."""
    from caflab.notifications.unsubscribe import unsubscribe_token
    from tests.accounts.factories import UserFactory

    return {"token": unsubscribe_token(user_id=UserFactory().pk, kind="immediate")}


def _export_pk(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_consultation").questionnaire.export_jobs.get().pk}


# analysis of texts: the matrix consultation's analysis (run by Caf A's correspondent), one
# answer, a code applied to it, and a finished theme run with one proposed theme.
@pytest.fixture
def matrix_analysis(matrix_consultation, correspondent_a):
    from django.utils import timezone

    from analysis.models import CodeAssignment, SuggestedTheme, ThemeRun
    from analysis.services import analysis_create, code_create
    from tests.analysis.factories import answer_texts

    answer_texts(matrix_consultation.questionnaire.questions.get(), ["Plus d'accueil le samedi."])
    analysis = analysis_create(consultation=matrix_consultation, by=correspondent_a)
    code = code_create(analysis=analysis, label="Horaires", shortcut="h")
    text = analysis.texts.get()
    CodeAssignment.objects.create(
        text=text, code=code, assigned_by=correspondent_a, assigned_at=timezone.now()
    )
    run = ThemeRun.objects.create(analysis=analysis, status="ready", progress=100)
    theme = SuggestedTheme.objects.create(run=run, label="accueil · samedi", words=["accueil"])
    # An export of the coded texts Caf A's correspondent asked for, built (its requester's only).
    from analysis.services import export_build, export_request

    export = export_request(analysis=analysis, by=correspondent_a, fmt="csv")
    export_build(export_id=export.pk)
    return {
        "analysis": analysis,
        "code": code,
        "text": text,
        "run": run,
        "theme": theme,
        "export": export,
    }


def _analysis(key: str) -> Callable[[pytest.FixtureRequest], dict[str, Any]]:
    def kwargs(request) -> dict[str, Any]:
        return {"pk": request.getfixturevalue("matrix_analysis")[key].pk}

    return kwargs


# écoute phase 2: the matrix consultation's published restitution, and a recruitment open for
# registrations where agent_a is registered.
@pytest.fixture
def matrix_ecoute_phase2(matrix_consultation, agent_a, correspondent_a):
    import datetime

    from django.utils import timezone

    from ecoute.models import Recruitment, Registration, Restitution

    now = timezone.now()
    Restitution.objects.create(
        consultation=matrix_consultation,
        synthesis="Vous avez demandé des horaires élargis.",
        status=Restitution.Status.PUBLISHED,
        published_at=now,
        emails_done_at=now,
    )
    recruitment = Recruitment.objects.create(
        consultation=matrix_consultation,
        title="Atelier accueil",
        description="Tester le nouvel accueil.",
        starts_at=now + datetime.timedelta(days=10),
        ends_at=now + datetime.timedelta(days=10, hours=2),
        place="Caf de l'Isère, Grenoble",
        seats=5,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=9),
        created_by=correspondent_a,
    )
    registration = Registration.objects.create(
        recruitment=recruitment, user=agent_a, status=Registration.Status.CONFIRMED
    )
    return {"recruitment": recruitment, "registration": registration}


def _phase2(
    key: str, field: str = "pk", kwarg: str = ""
) -> Callable[[pytest.FixtureRequest], dict[str, Any]]:
    def kwargs(request) -> dict[str, Any]:
        objects = request.getfixturevalue("matrix_ecoute_phase2")
        if key == "consultation":
            consultation = request.getfixturevalue("matrix_consultation")
            return {kwarg or field: getattr(consultation, field)}
        return {kwarg or field: getattr(objects[key], field)}

    return kwargs


def _ecoute_decision(request) -> dict[str, Any]:
    """A decision of the matrix consultation's published restitution (for its follow-up)."""
    from ecoute.models import Decision, Restitution

    request.getfixturevalue("matrix_ecoute_phase2")
    restitution = Restitution.objects.get(
        consultation=request.getfixturevalue("matrix_consultation")
    )
    decision = Decision.objects.create(restitution=restitution, said="Horaires", done="Élargis")
    return {"pk": decision.pk}


def _invitation_batch() -> dict[str, Any]:
    from caflab.accounts.models import InvitationBatch

    return {"pk": InvitationBatch.objects.create(label="matrice", status="failed").pk}


# evaluation (plans and indicators): the plan of matrix_project (led by the lab, piloted by Caf
# A) with one item of each kind, a frozen version, and an indicator measured in Caf A.
@pytest.fixture
def matrix_evaluation(matrix_project, lab_staff, caf_a):
    from evaluation.services.plans import plan_version_save
    from tests.evaluation.factories import (
        ChangeLinkFactory,
        ChangeStepFactory,
        EvaluationPlanFactory,
        EvaluativeQuestionFactory,
        IndicatorFactory,
        IndicatorTargetFactory,
        MeasurementFactory,
        StakeholderGroupFactory,
    )

    plan = EvaluationPlanFactory(project=matrix_project)
    StakeholderGroupFactory(plan=plan)
    EvaluativeQuestionFactory(plan=plan)
    ChangeLinkFactory(source=ChangeStepFactory(plan=plan))
    indicator = IndicatorFactory(project=matrix_project, owner=lab_staff)
    IndicatorTargetFactory(indicator=indicator)
    MeasurementFactory(indicator=indicator, caf=caf_a)
    plan_version_save(plan=plan, by=lab_staff, note="", expected_version=1)
    return plan


def _evaluation(what: str) -> Callable[[pytest.FixtureRequest], dict[str, Any]]:
    def kwargs(request) -> dict[str, Any]:
        plan = request.getfixturevalue("matrix_evaluation")
        if what == "project":
            return {"code": plan.project.code}
        indicator = plan.project.indicators.get()
        pk = {
            "version": lambda: plan.versions.get().pk,
            "group": lambda: plan.stakeholder_groups.get().pk,
            "question": lambda: plan.questions.get().pk,
            "step": lambda: plan.change_steps.first().pk,
            "link": lambda: plan.change_steps.first().links_out.get().pk,
            "indicator": lambda: indicator.pk,
            "target": lambda: indicator.targets.get().pk,
            "measurement": lambda: indicator.measurements.get().pk,
        }[what]()
        return {"pk": pk}

    return kwargs


# écoute contributions: the matrix consultation also collects contributions (pre-moderated);
# a published contribution by a citizen who is none of the personas, with a visible comment.
@pytest.fixture
def matrix_contribution(matrix_consultation):
    from ecoute.models import Consultation, ContributionComment
    from tests.accounts.factories import UserFactory
    from tests.ecoute.factories import ContributionFactory

    Consultation.objects.filter(pk=matrix_consultation.pk).update(collects_contributions=True)
    author = UserFactory(email="autrice@example.org", citizen=True)
    contribution = ContributionFactory(consultation=matrix_consultation, author=author)
    ContributionComment.objects.create(contribution=contribution, author=author, text="Précision")
    return contribution


def _contribution_pk(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_contribution").pk}


def _contribution_slug(request) -> dict[str, Any]:
    return {"slug": request.getfixturevalue("matrix_contribution").consultation.slug}


def _contribution_comment_pk(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_contribution").comments.get().pk}


def _moderation(request) -> dict[str, Any]:
    request.getfixturevalue("matrix_contribution")
    return {}


EVALUATION_EDIT = {"lab_staff": 200}
EVALUATION_EDIT_POST = {"lab_staff": REDIRECT}
# Caf A's correspondent measures for Caf A (the pilot Caf), not the national value.
EVALUATION_MEASURE = {"lab_staff": 200, "correspondent_a": 200}
EVALUATION_MEASURE_POST = {"lab_staff": REDIRECT, "correspondent_a": REDIRECT}


# evaluation reports: a ready, unpublished impact report of the matrix project, asked for by
# its lead (the lab), with a PDF; and a recommendation of that project.
@pytest.fixture
def matrix_report(matrix_project, settings, tmp_path):
    from django.core.files.base import ContentFile

    from evaluation.models import ImpactReport, Recommendation

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    report = ImpactReport.objects.create(
        project=matrix_project,
        title="Rapport d'impact",
        status=ImpactReport.Status.READY,
        progress=100,
        html="<p>Rapport</p>",
        requested_by=matrix_project.lead,
    )
    report.pdf.save("rapport.pdf", ContentFile(b"%PDF-1.7 rapport"))
    Recommendation.objects.create(project=matrix_project, text="Former les agents.")
    return report


def _report_pk(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_report").pk}


def _report_project(request) -> dict[str, Any]:
    return {"code": request.getfixturevalue("matrix_report").project.code}


def _recommendation_pk(request) -> dict[str, Any]:
    report = request.getfixturevalue("matrix_report")
    return {"pk": report.project.recommendations.get().pk}


# ideas: an idea of agent_a (Caf 38) with an attachment.
@pytest.fixture
def matrix_idea(agent_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ideas.services.ideas import idea_attachment_add, idea_submit

    idea = idea_submit(by=agent_a, title="Rappel des familles", problem="Attente au téléphone.")
    idea_attachment_add(
        idea=idea,
        by=agent_a,
        upload=SimpleUploadedFile("note.pdf", b"%PDF-1.7\n%%EOF\n"),
        content_type="application/pdf",
    )
    return idea


def _idea(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_idea").pk}


def _idea_comment(request) -> dict[str, Any]:
    """A comment by the idea's author (agent_a), who may not report it."""
    from ideas.services.ideas import idea_comment_add

    idea = request.getfixturevalue("matrix_idea")
    return {"pk": idea_comment_add(idea=idea, by=idea.author, text="Merci à tous.").pk}


def _idea_attachment(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_idea").attachments.get().pk}


# Triage of the matrix idea: the lab and Caf 38's correspondent; others 403, citizens 404.
IDEA_TRIAGERS = {"lab_staff": 200, "correspondent_a": 200, "citizen": 404}

# Editors of the matrix project: the lab (lead) and the pilot Caf's correspondent.
EDITORS = {"lab_staff": 200, "correspondent_a": 200, "agent_a": 403, "agent_b": 403}
# écoute: the managers of the matrix consultation (the lab and Caf A's correspondent).
ECOUTE_MANAGERS = {"lab_staff": 200, "correspondent_a": 200}
ECOUTE_MANAGER_POSTS = {"lab_staff": REDIRECT, "correspondent_a": REDIRECT}


# criées: a published initiative of Caf A led by agent_a (a file, an image, a comment by
# someone else), a draft and a submitted one of Caf A, and a criée whose programme is closed
# (the published initiative on screen, another one proposed).
@pytest.fixture
def matrix_criees(agent_a, caf_a, settings, tmp_path):
    from django.core.files.base import ContentFile

    from criees.models import Criee, InitiativeFile, InitiativeImage, Pitch
    from tests.criees.factories import CommentFactory, CrieeFactory, InitiativeFactory

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    published = InitiativeFactory(caf=caf_a, created_by=agent_a)
    file = InitiativeFile(initiative=published, name="bilan.pdf", size=15)
    file.content_type = "application/pdf"
    file.file.save("bilan.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=True)
    image = InitiativeImage(initiative=published, name="accueil.png", size=8, alt_text="Accueil")
    image.content_type = "image/png"
    image.file.save("accueil.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    comment = CommentFactory(initiative=published, author__caf=caf_a)
    draft = InitiativeFactory(caf=caf_a, created_by=agent_a, status="draft")
    submitted = InitiativeFactory(caf=caf_a, created_by=agent_a, status="submitted")
    criee = CrieeFactory(status=Criee.Status.CLOSED)
    on_screen = Pitch.objects.create(
        criee=criee, initiative=published, status="scheduled", position=1
    )
    proposed = Pitch.objects.create(criee=criee, initiative=InitiativeFactory(caf=caf_a))
    criee.current_pitch = on_screen
    criee.save()
    return {
        "published": published.pk,
        "draft": draft.pk,
        "submitted": submitted.pk,
        "file": file.pk,
        "image": image.pk,
        "comment": comment.pk,
        "criee": criee.pk,
        "on_screen": on_screen.pk,
        "proposed": proposed.pk,
    }


def _criees(key: str) -> Callable[[pytest.FixtureRequest], dict[str, Any]]:
    return lambda request: {"pk": request.getfixturevalue("matrix_criees")[key]}


# The lab only (criées, programme, moderation); the dashboards add the correspondents.
CRIEES_LAB = {"lab_staff": 200, "correspondent_a": 403, "agent_a": 403, "agent_b": 403}
CRIEES_LAB_POST = {**CRIEES_LAB, "lab_staff": REDIRECT}
CRIEES_DASHBOARD = {**CRIEES_LAB, "correspondent_a": 200}
# Caf A's draft: its team (agent_a), its correspondent and the lab; Caf B does not see it.
CRIEES_DRAFT_EDITORS = {"lab_staff": 200, "correspondent_a": 200, "agent_a": 200, "agent_b": 404}


# challenges and sessions: an open challenge, a judging one (jury: correspondent_a; an entry by
# agent_a), a directorate's session request (no persona's directorate) and its session,
# facilitated by the lab, with a debrief document.
@pytest.fixture
def matrix_sources(lab_staff, correspondent_a, agent_a):
    from django.core.files.base import ContentFile

    from tests.ideas.factories import (
        ChallengeCriterionFactory,
        ChallengeEntryFactory,
        ChallengeFactory,
        CreativitySessionFactory,
        SessionRequestFactory,
    )

    open_challenge = ChallengeFactory(created_by=lab_staff)
    judging = ChallengeFactory(created_by=lab_staff, status="judging", jury=[correspondent_a])
    ChallengeCriterionFactory(challenge=judging)
    entry = ChallengeEntryFactory(challenge=judging, submitted_by=agent_a)
    session_request = SessionRequestFactory()
    session = CreativitySessionFactory(request=session_request, facilitators=[lab_staff])
    session.debrief_file.save("restitution.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    return {
        "open": open_challenge.pk,
        "judging": judging.pk,
        "entry": entry.pk,
        "request": session_request.pk,
        "session": session.pk,
    }


def _opendata_generated(request) -> dict[str, Any]:
    """The open-data files written once (a run of the generation, in the test's media)."""
    from caflab.opendata.models import GenerationRun
    from caflab.opendata.services import generation_build

    request.getfixturevalue("db")
    generation_build(run_id=GenerationRun.objects.create().pk)
    return {"slug": "projets"}


def _sources(key: str) -> Callable[[pytest.FixtureRequest], dict[str, Any]]:
    return lambda request: {"pk": request.getfixturevalue("matrix_sources")[key]}


# The lab runs challenges and sessions; others 403, citizens 404 (they see none of it).
SOURCES_LAB = {"lab_staff": 200, "citizen": 404}


# communities: Caf A's community (on invitation) with the citizen as member, and a pending
# invitation of the citizen's address to another community.
@pytest.fixture
def matrix_community(citizen, caf_a, lab_staff):
    from ecoute.services.communities import invitation_token
    from tests.ecoute.factories import CommunityFactory, MembershipFactory

    community = CommunityFactory(name="Lab Parentalité", caf=caf_a)
    MembershipFactory(community=community, user=citizen)
    other = CommunityFactory(name="Panel numérique", caf=caf_a)
    invitation = other.invitations.create(email=citizen.email, invited_by=lab_staff)
    return {"pk": community.pk, "token": invitation_token(invitation)}


def _community(request) -> dict[str, Any]:
    return {"pk": request.getfixturevalue("matrix_community")["pk"]}


def _community_invitation(request) -> dict[str, Any]:
    return {"token": request.getfixturevalue("matrix_community")["token"]}


# Communities are managed by the lab and their Caf's correspondent.
COMMUNITY_MANAGERS = {"lab_staff": 200, "correspondent_a": 200}


# evaluation, participation: on the matrix project (led by the lab), a survey with a question
# and an open wave, an invitation whose token is known, and an effect. Network members read,
# the lab (the lead) edits, citizens 403; anyone may open an invitation's link.
@pytest.fixture
def matrix_participation(matrix_project):
    from evaluation.models import SurveyInvitation
    from evaluation.services.participation import invitation_token_hash
    from tests.evaluation.factories import (
        EffectFactory,
        SurveyWaveFactory,
        make_survey,
    )

    survey = make_survey(matrix_project, questions=1)
    wave = SurveyWaveFactory(survey=survey)
    SurveyInvitation.objects.create(wave=wave, token_hash=invitation_token_hash("jeton-matrice"))
    effect = EffectFactory(project=matrix_project)
    return {"survey": survey, "wave": wave, "effect": effect}


def _participation(key: str) -> Callable[[pytest.FixtureRequest], dict[str, Any]]:
    def kwargs(request) -> dict[str, Any]:
        objects = request.getfixturevalue("matrix_participation")
        if key == "project":
            return {"code": objects["effect"].project.code}
        if key == "question":
            survey = objects["survey"]
            return {"pk": survey.pk, "question_pk": survey.questionnaire.questions.get().pk}
        if key == "criterion":
            return {"code": objects["effect"].project.code, "criterion": "impact"}
        return {"pk": objects[key].pk}

    return kwargs


EVAL_EDITORS = {"lab_staff": 200}


# events: a published event for Caf A only (organised by Caf A's correspondent), that has
# started (attendance may be taken), agent_a registered, with one material.
@pytest.fixture
def matrix_events(caf_a, correspondent_a, agent_a, settings, tmp_path):
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from events.models import DebateProposal, Event, Material, Registration

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    now = timezone.now()
    event = Event.objects.create(
        kind=Event.Kind.TRAINING,
        title="Formation de la Caf A",
        description="Pour les agents de la Caf A.",
        place="Caf de l'Isère, Grenoble",
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(hours=2),
        seats=10,
        registration_opens_at=now - datetime.timedelta(days=5),
        registration_closes_at=now - datetime.timedelta(hours=1),
        status=Event.Status.PUBLISHED,
        published_at=now,
        audience=Event.Audience.CAFS,
        caf=caf_a,
    )
    event.cafs.set([caf_a])
    event.organisers.set([correspondent_a])
    Registration.objects.create(event=event, user=agent_a, caf=caf_a, status="confirmed")
    material = Material(event=event, name="diapos.pdf", content_type="application/pdf", size=9)
    material.file.save("diapos.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
    proposal = DebateProposal.objects.create(event=event, text="Un numéro unique.")
    return {"event": event, "material": material, "proposal": proposal}


# the read API: a network project (no public sheet), a published initiative of Caf A in a
# criée, a public consultation whose results and restitution are published, a programme, and
# a personal access token of Caf A's correspondent.
@pytest.fixture
def matrix_api(caf_a, correspondent_a, lab_staff):
    import datetime

    from caflab.api.services import token_create
    from caflab.network.models import Programme
    from ecoute.models import Consultation
    from tests.criees.factories import CrieeFactory, InitiativeFactory, PitchFactory
    from tests.ecoute.factories import ConsultationFactory, RestitutionFactory
    from tests.projects.factories import ProjectFactory

    initiative = InitiativeFactory(caf=caf_a)
    consultation = ConsultationFactory(
        slug="matrice-api", status=Consultation.Status.RESULTS_PUBLISHED
    )
    token, _secret = token_create(
        user=correspondent_a, name="Matrice", lifetime=datetime.timedelta(days=30)
    )
    return {
        "project": ProjectFactory(code="INNO-2026-950", lead=lab_staff, pilot_caf=caf_a),
        "initiative": initiative,
        "criee": PitchFactory(criee=CrieeFactory(), initiative=initiative).criee,
        "consultation": consultation,
        "restitution": RestitutionFactory(consultation=consultation),
        "programme": Programme.objects.get_or_create(
            slug="matrice-api", defaults={"name": "Programme de la matrice"}
        )[0],
        "token": token,
    }


def _api(key: str, field: str = "pk", attr: str = "pk"):
    def kwargs(request) -> dict[str, Any]:
        return {field: getattr(request.getfixturevalue("matrix_api")[key], attr)}

    return kwargs


def _events(key: str) -> Callable[[pytest.FixtureRequest], dict[str, Any]]:
    def kwargs(request) -> dict[str, Any]:
        return {"pk": request.getfixturevalue("matrix_events")[key].pk}

    return kwargs


# kits: a project at the essaimage stage (not a draft) whose team is agent_a, with a document,
# the kit of its next gate (a checklist item, a template to download), and the published
# initiative of Caf A (agent_a's) promoted into it.
@pytest.fixture
def matrix_kits(agent_a, caf_a, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kits.models import Deliverable, StageKit
    from kits.services.documents import document_add
    from tests.criees.factories import InitiativeFactory
    from tests.projects.factories import ProjectFactory

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    project = ProjectFactory(lead=agent_a, pilot_caf=caf_a, stage="essaimage")
    document = document_add(
        holder=project,
        kind="replication_guide",
        title="Guide d'essaimage",
        upload=SimpleUploadedFile("guide.pdf", b"%PDF-1.7\n%%EOF\n"),
        by=agent_a,
    )
    kit = StageKit.objects.create(stage="generalised")
    deliverable = Deliverable(kit=kit, label="Convention signée", template_name="modele.pdf")
    deliverable.template.save("modele.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=True)
    initiative = InitiativeFactory(caf=caf_a, created_by=agent_a, project=project)
    return {
        "project": project,
        "document": document,
        "version": document.latest_version,
        "deliverable": deliverable,
        "initiative": initiative,
    }


def _kits(key: str, *, with_project: bool = False) -> Callable[[pytest.FixtureRequest], dict]:
    def kwargs(request) -> dict[str, Any]:
        objects = request.getfixturevalue("matrix_kits")
        if key == "project":
            return {"code": objects["project"].code}
        found = {"pk": objects[key].pk}
        return {"code": objects["project"].code, **found} if with_project else found

    return kwargs


# incubator: an open call for agents and partners (the lab's, agent_b on its jury), agent_a's
# submitted application to it, placed in the call's cohort (agent_a is then a member).
@pytest.fixture
def matrix_incubator(lab_staff, agent_a, agent_b):
    from incubator.models import Application
    from incubator.services import cohort_create
    from tests.incubator.factories import make_call, submitted_application

    call = make_call(lab_staff, jury=[agent_b])
    application = submitted_application(call, agent_a)
    cohort = cohort_create(call=call, by=lab_staff, title="Promotion 2027")
    Application.objects.filter(pk=application.pk).update(cohort=cohort)
    return {"call": call, "application": application, "cohort": cohort}


def _incubator(key: str) -> Callable[[pytest.FixtureRequest], dict]:
    def kwargs(request) -> dict[str, Any]:
        found = request.getfixturevalue("matrix_incubator")[key]
        return {"slug": found.slug} if key == "call" else {"pk": found.pk}

    return kwargs


# Who edits the kit: the project's team (agent_a) or the initiative's (agent_a, its Caf's
# correspondent), and the lab; the others who see it: 403; citizens see neither: 404.
KIT_PROJECT_EDITORS = {"lab_staff": 200, "agent_a": 200}
KIT_INITIATIVE_EDITORS = {"lab_staff": 200, "correspondent_a": 200, "agent_a": 200}


def _agent_a_calendar(request) -> dict[str, Any]:
    from events.calendar_feed import token_for

    return {"token": token_for(request.getfixturevalue("agent_a"), 1)}


# Who sees Caf A's event (the others: 404), who manages it (its correspondent, the lab).
EVENT_SEEN = {"lab_staff": REDIRECT, "correspondent_a": REDIRECT, "agent_a": REDIRECT}
EVENT_MANAGERS = {"lab_staff": REDIRECT, "correspondent_a": REDIRECT, "agent_a": 403}

MATRIX: dict[str, Row] = {
    # core
    "core:home": Row(everyone(200)),
    # without METRICS_TOKEN shown (nor an allowed address) nobody learns the page exists
    "core:metrics": Row(everyone(404)),
    "core:accessibility": Row(everyone(200)),
    "core:legal": Row(everyone(200)),
    "core:privacy": Row(everyone(200)),
    "core:health": Row(everyone(200)),
    "core:readyz": Row(everyone(200)),
    # administrators only (Django staff, superusers, the admin role): no persona here is one
    "core:operations": Row(signed_in(403)),
    "core:robots": Row(everyone(200)),
    # a redirect to the static favicon (a 204 if there were none)
    "core:favicon": Row(everyone(REDIRECT)),
    # type-ahead suggestions, scoped by their source's permission (projects: the portfolio's)
    "core:typeahead": Row(
        network_members(200), kwargs=lambda r: {"source": "projets"}, data={"q": "projet"}
    ),
    # search: everyone, each kind scoped to what the visitor may see (tests/search)
    "search:results": Row(everyone(200), data={"q": "famille"}),
    # accounts
    "accounts:login": Row(signed_in(REDIRECT, anonymous=200)),
    "accounts:logout": Row(everyone(REDIRECT), method="post"),
    "accounts:profile": Row(signed_in(200)),
    "accounts:people-search": Row(network_members(200)),
    "accounts:password-change": Row(signed_in(200)),
    "accounts:password-reset": Row(everyone(200)),
    "accounts:password-reset-done": Row(everyone(200)),
    "accounts:password-reset-confirm": Row(
        everyone(200), kwargs=lambda r: {"uidb64": "MA", "token": "pas-un-jeton"}
    ),
    "accounts:password-reset-complete": Row(everyone(200)),
    # notifications: each user reaches only their own
    "notifications:list": Row(signed_in(200)),
    "notifications:mark-all-read": Row(signed_in(REDIRECT), method="post"),
    # the link in notification and digest e-mails: whoever holds it, no session needed
    "notifications:unsubscribe": Row(everyone(200), kwargs=_unsubscribe_token),
    "notifications:open": Row(
        signed_in(404, agent_a=REDIRECT), kwargs=_notification_of_agent_a, method="post"
    ),
    # network: the directory is the network's; a Caf dashboard is its correspondents' and the lab's
    "network:caf-list": Row(network_members(200)),
    "network:caf-dashboard": Row(
        signed_in(404, lab_staff=200, correspondent_a=200, agent_a=403), kwargs=_caf_a
    ),
    # projects: one project (citizens see public sheets only: the detail is 404 to them)
    "projects:create": Row(network_members(403, lab_staff=200, correspondent_a=200)),
    "projects:detail": Row(signed_in(200, citizen=404), kwargs=_project),
    "projects:update": Row(signed_in(404, **EDITORS), kwargs=_project),
    "projects:public-sheet": Row(everyone(404), kwargs=_project),  # not public
    "projects:follow": Row(signed_in(REDIRECT, citizen=404), kwargs=_project, method="post"),
    "projects:team": Row(signed_in(200, citizen=404), kwargs=_project),
    "projects:status-report-add": Row(signed_in(404, **EDITORS), kwargs=_project, method="post"),
    "projects:lever-add": Row(signed_in(404, **EDITORS), kwargs=_project, method="post"),
    "projects:prototype-add": Row(signed_in(404, **EDITORS), kwargs=_project, method="post"),
    "projects:experiment-add": Row(signed_in(404, **EDITORS), kwargs=_project, method="post"),
    "projects:event-add": Row(signed_in(404, **EDITORS), kwargs=_project, method="post"),
    "projects:lever-lift": Row(
        signed_in(404, lab_staff=REDIRECT, correspondent_a=REDIRECT, agent_a=403, agent_b=403),
        kwargs=_lever,
        method="post",
    ),
    # the team (here the lab, who leads it) puts a blocker to the direction; the lab and the
    # directorates pull or arbitrate it (tests/projects/test_cockpit.py)
    "projects:lever-escalate": Row(
        signed_in(403, lab_staff=REDIRECT, citizen=404), kwargs=_lever, method="post"
    ),
    "projects:lever-pull": Row(
        signed_in(403, lab_staff=REDIRECT, citizen=404), kwargs=_lever, method="post"
    ),
    # gate reviews: the team asks, the lab and named reviewers score, the lab decides
    "projects:gate-request": Row(  # a review is open: the lead is sent to it
        signed_in(403, lab_staff=REDIRECT, citizen=404), kwargs=_project
    ),
    "projects:gate-review": Row(signed_in(200, citizen=404), kwargs=_review),
    "projects:gate-score": Row(
        signed_in(403, lab_staff=200, citizen=404), kwargs=_review, method="post"
    ),
    "projects:gate-decide": Row(
        signed_in(403, lab_staff=200, citizen=404), kwargs=_review, method="post"
    ),
    # essaimage: a correspondent declares for their own Caf and runs its deployment
    "projects:map": Row(network_members(200)),
    "projects:deployments": Row(signed_in(200, citizen=404), kwargs=_project),
    "projects:deployment-declare": Row(
        signed_in(403, lab_staff=200, correspondent_a=REDIRECT, citizen=404),
        kwargs=_project,
        method="post",
    ),
    "projects:deployment": Row(signed_in(200, citizen=404), kwargs=_deployment),
    "projects:deployment-move": Row(signed_in(404, **EDITORS), kwargs=_deployment, method="post"),
    "projects:adaptation-add": Row(signed_in(404, **EDITORS), kwargs=_deployment, method="post"),
    # ideas: the network's idea box (partners and citizens 403, a hidden idea 404); its author
    # edits it until under review; the lab and the idea's Caf correspondent triage it
    "ideas:idea-list": Row(network_members(200)),
    "ideas:idea-create": Row(network_members(200)),
    "ideas:idea-similar": Row(network_members(200)),
    "ideas:my-ideas": Row(network_members(200)),
    "ideas:triage": Row(signed_in(403, lab_staff=200, correspondent_a=200)),
    "ideas:triage-assign": Row(  # nothing checked: back to the queue with the error
        signed_in(403, lab_staff=REDIRECT, correspondent_a=REDIRECT), method="post"
    ),
    "ideas:idea-detail": Row(signed_in(200, citizen=404), kwargs=_idea),
    "ideas:idea-update": Row(signed_in(403, lab_staff=200, agent_a=200, citizen=404), kwargs=_idea),
    "ideas:idea-support": Row(signed_in(REDIRECT, citizen=404), kwargs=_idea, method="post"),
    "ideas:idea-comment": Row(  # an empty comment: the page again, with the error
        signed_in(200, citizen=404), kwargs=_idea, method="post"
    ),
    "ideas:idea-comment-report": Row(  # not one's own comment
        signed_in(REDIRECT, agent_a=403, citizen=404), kwargs=_idea_comment, method="post"
    ),
    "ideas:idea-comment-moderate": Row(
        signed_in(403, lab_staff=REDIRECT),
        kwargs=_idea_comment,
        method="post",
        data={"action": "hide"},
    ),
    "ideas:idea-follow": Row(signed_in(REDIRECT, citizen=404), kwargs=_idea, method="post"),
    "ideas:idea-status": Row(signed_in(403, **IDEA_TRIAGERS), kwargs=_idea),
    "ideas:idea-score": Row(  # no score given: the page again, with the errors
        signed_in(403, **IDEA_TRIAGERS), kwargs=_idea, method="post"
    ),
    "ideas:idea-attachment": Row(signed_in(200, citizen=404), kwargs=_idea_attachment),
    # the four domains (filled by their issues)
    "projects:index": Row(network_members(200)),
    "projects:kanban": Row(network_members(200)),
    "projects:funnel": Row(network_members(200)),
    "projects:dashboard": Row(signed_in(403, lab_staff=200)),
    "projects:levers": Row(signed_in(403, lab_staff=200)),
    "projects:export": Row(network_members(200), kwargs=lambda r: {"fmt": "csv"}),
    # the public news of the portfolio (stage changes of public sheets): everyone
    "projects:feed-news-rss": Row(everyone(200)),
    "projects:feed-news-atom": Row(everyone(200)),
    # programme pages: the portfolio's readers (citizens 403, as on the portfolio)
    "projects:programme-list": Row(network_members(200)),
    "projects:programme-detail": Row(
        network_members(200), kwargs=lambda r: {"slug": "transition-ecologique"}
    ),
    # écoute: the public pages; managers (the lab, Caf A's correspondent) run Caf A's
    # consultation, others get 403 on its management pages; an export is its requester's only
    "ecoute:index": Row(everyone(200)),
    "ecoute:detail": Row(everyone(200), kwargs=_consultation_slug),
    "ecoute:answer": Row(signed_in(200), kwargs=_consultation_slug),
    "ecoute:assist": Row(network_members(200), kwargs=_consultation_slug),
    "ecoute:thanks": Row(everyone(200), kwargs=_consultation_slug),
    "ecoute:manage": Row(signed_in(403, **ECOUTE_MANAGERS)),
    "ecoute:create": Row(signed_in(403, **ECOUTE_MANAGERS)),
    "ecoute:manage-detail": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_consultation_pk),
    "ecoute:update": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_consultation_pk),
    "ecoute:status": Row(
        signed_in(403, **ECOUTE_MANAGER_POSTS),
        kwargs=_consultation_pk,
        method="post",
        data={"action": "close"},
    ),
    "ecoute:builder": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_consultation_pk),
    "ecoute:preview": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_consultation_pk),
    "ecoute:section-create": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_consultation_pk),
    "ecoute:section-update": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_section_pk),
    "ecoute:section-move": Row(
        signed_in(403, **ECOUTE_MANAGER_POSTS), kwargs=_section_pk, method="post"
    ),
    "ecoute:section-toggle": Row(
        signed_in(403, **ECOUTE_MANAGER_POSTS), kwargs=_section_pk, method="post"
    ),
    "ecoute:section-delete": Row(
        signed_in(403, **ECOUTE_MANAGER_POSTS), kwargs=_section_pk, method="post"
    ),
    "ecoute:question-create": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_section_pk),
    "ecoute:question-update": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_question_pk),
    "ecoute:question-move": Row(
        signed_in(403, **ECOUTE_MANAGER_POSTS), kwargs=_question_pk, method="post"
    ),
    "ecoute:question-toggle": Row(
        signed_in(403, **ECOUTE_MANAGER_POSTS), kwargs=_question_pk, method="post"
    ),
    "ecoute:question-delete": Row(
        signed_in(403, **ECOUTE_MANAGER_POSTS), kwargs=_question_pk, method="post"
    ),
    "ecoute:results": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_consultation_pk),
    "ecoute:free-text": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_question_pk),
    # one written answer: its consultation's team (and its respondent: none here, anonymous)
    "ecoute:written-answer": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_answer_pk),
    # the link in each e-mail to a hear-back address: whoever holds it, no account needed
    "ecoute:hear-back-stop": Row(everyone(200), kwargs=_hear_back_token),
    "ecoute:export-create": Row(
        signed_in(403, **ECOUTE_MANAGER_POSTS),
        kwargs=_consultation_pk,
        method="post",
        data={"format": "csv"},
    ),
    "ecoute:export-detail": Row(signed_in(404, lab_staff=200), kwargs=_export_pk),
    "ecoute:export-download": Row(signed_in(404, lab_staff=200), kwargs=_export_pk),
    "ecoute:export-retry": Row(  # nothing failed: "rien à relancer", back to the export
        signed_in(404, lab_staff=REDIRECT), kwargs=_export_pk, method="post"
    ),
    # analysis of texts: the consultation's managers (the lab, Caf A's correspondent) only;
    # everyone else signed in gets 404 (the analysis is invisible to them)
    "analysis:start": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_consultation_pk),
    # A registered source's subject (here a project's testimonies): those who may edit the
    # project's participation (the lab leads matrix_project); anyone else 404.
    "analysis:source-start": Row(signed_in(404, lab_staff=200), kwargs=_testimonies_source),
    "analysis:detail": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_analysis("analysis")),
    "analysis:rebuild": Row(
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("analysis"), method="post"
    ),
    "analysis:codebook": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_analysis("analysis")),
    "analysis:codebook-copy": Row(  # no source chosen: back to the codebook with the error
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("analysis"), method="post"
    ),
    "analysis:library-copy": Row(  # no codebook chosen: back to the codebook with the error
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("analysis"), method="post"
    ),
    "analysis:library-publish": Row(  # the lab's library: a correspondent may copy, not publish
        signed_in(404, lab_staff=REDIRECT, correspondent_a=403),
        kwargs=_analysis("analysis"),
        method="post",
    ),
    "analysis:code-update": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_analysis("code")),
    "analysis:code-delete": Row(
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("code"), method="post"
    ),
    "analysis:code-suggestions": Row(
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("code"), method="post"
    ),
    "analysis:coding": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_analysis("analysis")),
    "analysis:bulk-apply": Row(  # no code chosen: back to the list with the error
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("analysis"), method="post"
    ),
    "analysis:text-code": Row(  # no code chosen: 400
        signed_in(404, lab_staff=400, correspondent_a=400), kwargs=_analysis("text"), method="post"
    ),
    "analysis:themes": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_analysis("analysis")),
    "analysis:themes-run": Row(
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("analysis"), method="post"
    ),
    "analysis:run-progress": Row(  # without htmx: the themes page
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("run")
    ),
    "analysis:theme-action": Row(  # no action chosen: back to the themes with the error
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("theme"), method="post"
    ),
    "analysis:results": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_analysis("analysis")),
    "analysis:agreement": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_analysis("analysis")),
    "analysis:agreement-sample": Row(  # no size given: back to the page with the error
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("analysis"), method="post"
    ),
    "analysis:blind-coding": Row(signed_in(404, **ECOUTE_MANAGERS), kwargs=_analysis("analysis")),
    "analysis:blind-code": Row(  # not in the sample: refused, back to the page
        signed_in(404, **ECOUTE_MANAGER_POSTS), kwargs=_analysis("text"), method="post"
    ),
    "analysis:export": Row(  # asks for the export (built in the background): its page
        signed_in(404, **ECOUTE_MANAGER_POSTS),
        kwargs=lambda r: {**_analysis("analysis")(r), "fmt": "csv"},
        method="post",
    ),
    # an export is its requester's (Caf A's correspondent) only: the lab gets 404 too
    "analysis:export-detail": Row(signed_in(404, correspondent_a=200), kwargs=_analysis("export")),
    "analysis:export-download": Row(
        signed_in(404, correspondent_a=200), kwargs=_analysis("export")
    ),
    "analysis:export-retry": Row(  # nothing failed: "rien à relancer", back to the export
        signed_in(404, correspondent_a=REDIRECT), kwargs=_analysis("export"), method="post"
    ),
    # écoute phase 2: the restitution is public with its consultation, written by its
    # managers; a recruitment's page is public, its management the managers'; a registration
    # is cancelled by its owner (others: 404) or through its e-mailed link
    "ecoute:restitution": Row(everyone(200), kwargs=_phase2("consultation", "slug")),
    "ecoute:restitution-edit": Row(
        signed_in(403, **ECOUTE_MANAGERS), kwargs=_phase2("consultation")
    ),
    "ecoute:restitution-preview": Row(
        signed_in(403, **ECOUTE_MANAGERS), kwargs=_phase2("consultation")
    ),
    "ecoute:restitution-publish": Row(  # already published: "déjà publiée", back to the page
        signed_in(403, **ECOUTE_MANAGER_POSTS), kwargs=_phase2("consultation"), method="post"
    ),
    "ecoute:restitution-mailing-retry": Row(  # nothing failed: "rien à relancer", back
        signed_in(403, **ECOUTE_MANAGER_POSTS), kwargs=_phase2("consultation"), method="post"
    ),
    # issue 13: the follow-up page is public with its consultation; a decision's follow-up is
    # its managers'; archiving without restitution is the lab's (a correspondent is sent back
    # with the refusal)
    "ecoute:follow-up": Row(everyone(200), kwargs=_consultation_slug),
    "ecoute:decision-update": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_ecoute_decision),
    "ecoute:archive-without-restitution": Row(
        signed_in(403, lab_staff=200, correspondent_a=REDIRECT), kwargs=_consultation_pk
    ),
    "ecoute:recruitment-create": Row(
        signed_in(403, **ECOUTE_MANAGERS), kwargs=_phase2("consultation")
    ),
    "ecoute:recruitment-manage": Row(
        signed_in(403, **ECOUTE_MANAGERS), kwargs=_phase2("recruitment")
    ),
    "ecoute:recruitment-update": Row(
        signed_in(403, **ECOUTE_MANAGERS), kwargs=_phase2("recruitment")
    ),
    "ecoute:recruitment-export": Row(
        signed_in(403, **ECOUTE_MANAGERS), kwargs=_phase2("recruitment")
    ),
    "ecoute:recruitment": Row(everyone(200), kwargs=_phase2("recruitment")),
    "ecoute:recruitment-ical": Row(everyone(200), kwargs=_phase2("recruitment")),
    "ecoute:recruitment-feed": Row(everyone(200)),
    # feeds: what anonymous visitors read, the same for everyone
    "ecoute:feed-consultations-rss": Row(everyone(200)),
    "ecoute:feed-consultations-atom": Row(everyone(200)),
    "ecoute:feed-restitutions-rss": Row(everyone(200)),
    "ecoute:feed-restitutions-atom": Row(everyone(200)),
    "ecoute:my-registrations": Row(signed_in(200)),
    "ecoute:registration-cancel": Row(
        signed_in(404, agent_a=REDIRECT), kwargs=_phase2("registration"), method="post"
    ),
    "ecoute:registration-cancel-link": Row(
        everyone(200), kwargs=_phase2("registration", "cancel_token", "token")
    ),
    # écoute contributions: everyone reads published ones; contributing, supporting,
    # commenting and reporting need an account; the managers moderate and answer
    "ecoute:contributions": Row(everyone(200), kwargs=_contribution_slug),
    "ecoute:contribution-create": Row(signed_in(200), kwargs=_contribution_slug),
    "ecoute:contribution-detail": Row(everyone(200), kwargs=_contribution_pk),
    # a contribution of no Caf: the lab turns it into an idea; who sees it may not (403)
    "ideas:idea-from-origin": Row(
        signed_in(403, lab_staff=REDIRECT),
        kwargs=lambda request: {"model": "ecoute.contribution", **_contribution_pk(request)},
        method="post",
    ),
    # the same, attaching it to an existing project (no code given: back, with the message)
    "ideas:origin-attach": Row(
        signed_in(403, lab_staff=REDIRECT),
        kwargs=lambda request: {"model": "ecoute.contribution", **_contribution_pk(request)},
        method="post",
    ),
    # stop hearing of what a source becomes: only its participants who are not its authors
    # (no persona supports the contribution)
    "ideas:origin-follow": Row(
        signed_in(403),
        kwargs=lambda request: {"model": "ecoute.contribution", **_contribution_pk(request)},
        method="post",
        data={"action": "stop"},
    ),
    "ecoute:contribution-support": Row(
        signed_in(REDIRECT), kwargs=_contribution_pk, method="post", data={"action": "support"}
    ),
    "ecoute:contribution-report": Row(signed_in(REDIRECT), kwargs=_contribution_pk, method="post"),
    "ecoute:contribution-comment": Row(
        signed_in(REDIRECT),
        kwargs=_contribution_pk,
        method="post",
        data={"commentaire-text": "Je soutiens"},
    ),
    "ecoute:contribution-answer": Row(signed_in(403, **ECOUTE_MANAGERS), kwargs=_contribution_pk),
    "ecoute:contribution-comment-report": Row(
        signed_in(REDIRECT), kwargs=_contribution_comment_pk, method="post"
    ),
    "ecoute:contribution-comment-moderate": Row(
        signed_in(403, **ECOUTE_MANAGER_POSTS),
        kwargs=_contribution_comment_pk,
        method="post",
        data={"action": "hide"},
    ),
    # the old address of the contributions' queue: to the one queue (which decides who may)
    "ecoute:contribution-moderation": Row(signed_in(REDIRECT), kwargs=_moderation),
    "evaluation:index": Row(network_members(200)),
    "evaluation:surveys": Row(network_members(200), kwargs=_participation("project")),
    "evaluation:survey-create": Row(
        network_members(403, **EVAL_EDITORS), kwargs=_participation("project")
    ),
    "evaluation:survey-detail": Row(network_members(200), kwargs=_participation("survey")),
    "evaluation:survey-question-create": Row(
        network_members(403, **EVAL_EDITORS), kwargs=_participation("survey")
    ),
    "evaluation:survey-question-update": Row(
        network_members(403, **EVAL_EDITORS), kwargs=_participation("question")
    ),
    "evaluation:survey-question-toggle": Row(
        network_members(403, lab_staff=REDIRECT), kwargs=_participation("question"), method="post"
    ),
    "evaluation:survey-question-delete": Row(
        network_members(403, lab_staff=REDIRECT), kwargs=_participation("question"), method="post"
    ),
    "evaluation:survey-wave-create": Row(
        network_members(403, **EVAL_EDITORS), kwargs=_participation("survey")
    ),
    "evaluation:survey-compare": Row(network_members(200), kwargs=_participation("survey")),
    "evaluation:survey-wave-invite": Row(
        network_members(403, **EVAL_EDITORS), kwargs=_participation("wave")
    ),
    "evaluation:survey-answer": Row(  # the invitation's token is the key: no account needed
        everyone(200),
        kwargs=lambda r: r.getfixturevalue("matrix_participation") and {"token": "jeton-matrice"},
    ),
    "evaluation:survey-thanks": Row(everyone(200)),
    "evaluation:testimonies": Row(network_members(200), kwargs=_participation("project")),
    "evaluation:testimony-create": Row(
        network_members(403, **EVAL_EDITORS), kwargs=_participation("project")
    ),
    "evaluation:effects": Row(network_members(200), kwargs=_participation("project")),
    "evaluation:effect-create": Row(
        network_members(403, **EVAL_EDITORS), kwargs=_participation("project")
    ),
    "evaluation:effect-detail": Row(network_members(200), kwargs=_participation("effect")),
    "evaluation:effect-transition": Row(
        network_members(403, lab_staff=REDIRECT),
        kwargs=_participation("effect"),
        method="post",
        data={"to_status": "mitigating", "comment": "Plan d'action lancé."},
    ),
    "evaluation:judgements": Row(network_members(200), kwargs=_participation("project")),
    "evaluation:judgement-edit": Row(
        network_members(403, **EVAL_EDITORS), kwargs=_participation("criterion")
    ),
    "evaluation:ecological-edit": Row(
        network_members(403, **EVAL_EDITORS), kwargs=_participation("project")
    ),
    # evaluation, plans and indicators: the network reads; the lab (the project's lead) edits;
    # Caf A's correspondent measures for Caf A; citizens 403 everywhere
    "evaluation:plan": Row(network_members(200), kwargs=_evaluation("project")),
    "evaluation:plan-update": Row(
        network_members(403, **EVALUATION_EDIT), kwargs=_evaluation("project")
    ),
    "evaluation:version-create": Row(  # version 1 is already frozen: "déjà fait", back
        network_members(403, **EVALUATION_EDIT_POST),
        kwargs=_evaluation("project"),
        method="post",
        data={"version": 1},
    ),
    "evaluation:version-detail": Row(network_members(200), kwargs=_evaluation("version")),
    **{
        f"evaluation:{kind}-create": Row(
            network_members(403, **EVALUATION_EDIT), kwargs=_evaluation("project")
        )
        for kind in ("group", "question", "step", "link")
    },
    **{
        f"evaluation:{kind}-update": Row(
            network_members(403, **EVALUATION_EDIT), kwargs=_evaluation(kind)
        )
        for kind in ("group", "question", "step", "link")
    },
    **{
        f"evaluation:{kind}-delete": Row(
            network_members(403, **EVALUATION_EDIT_POST), kwargs=_evaluation(kind), method="post"
        )
        for kind in ("group", "question", "step", "link")
    },
    "evaluation:indicator-list": Row(network_members(200), kwargs=_evaluation("project")),
    "evaluation:indicator-create": Row(
        network_members(403, **EVALUATION_EDIT), kwargs=_evaluation("project")
    ),
    "evaluation:indicator-detail": Row(network_members(200), kwargs=_evaluation("indicator")),
    "evaluation:indicator-update": Row(
        network_members(403, **EVALUATION_EDIT), kwargs=_evaluation("indicator")
    ),
    "evaluation:target-set": Row(  # nothing sent: the page again, with the errors
        network_members(403, **EVALUATION_EDIT), kwargs=_evaluation("indicator"), method="post"
    ),
    "evaluation:target-delete": Row(
        network_members(403, **EVALUATION_EDIT_POST), kwargs=_evaluation("target"), method="post"
    ),
    "evaluation:measurement-create": Row(  # nothing sent: the page again, with the errors
        network_members(403, **EVALUATION_MEASURE),
        kwargs=_evaluation("indicator"),
        method="post",
    ),
    "evaluation:measurement-delete": Row(  # measured in Caf A
        network_members(403, **EVALUATION_MEASURE_POST),
        kwargs=_evaluation("measurement"),
        method="post",
    ),
    "evaluation:measurement-import": Row(
        network_members(403, **EVALUATION_MEASURE), kwargs=_evaluation("project")
    ),
    "evaluation:measurement-template": Row(
        network_members(403, **EVALUATION_MEASURE), kwargs=_evaluation("project")
    ),
    # evaluation reports: the lead (the lab) and the team request and publish; an unpublished
    # report is hidden (404) from the rest of the network; citizens 403 everywhere.
    "evaluation:report-list": Row(network_members(200), kwargs=_report_project),
    "evaluation:report-create": Row(
        network_members(403, lab_staff=REDIRECT), kwargs=_report_project, method="post"
    ),
    "evaluation:portfolio-report-create": Row(
        network_members(403, lab_staff=REDIRECT), method="post"
    ),
    "evaluation:report-detail": Row(network_members(404, lab_staff=200), kwargs=_report_pk),
    "evaluation:report-download": Row(network_members(404, lab_staff=200), kwargs=_report_pk),
    "evaluation:report-publish": Row(
        network_members(404, lab_staff=REDIRECT), kwargs=_report_pk, method="post"
    ),
    "evaluation:report-retry": Row(  # nothing failed: "rien à relancer", back to the report
        network_members(404, lab_staff=REDIRECT), kwargs=_report_pk, method="post"
    ),
    "evaluation:recommendations": Row(network_members(200), kwargs=_report_project),
    "evaluation:recommendation-update": Row(
        network_members(403, lab_staff=200), kwargs=_recommendation_pk
    ),
    "evaluation:response-edit": Row(network_members(403, lab_staff=200), kwargs=_recommendation_pk),
    # criées: the network only (citizens 403, anonymous to the login page); Caf A's drafts are
    # 404 to Caf B; the team edits until publication, Caf A's correspondent and the lab always
    "criees:index": Row(network_members(200)),
    "criees:mine": Row(network_members(200)),
    "criees:create": Row(network_members(200)),
    "criees:initiative": Row(network_members(200), kwargs=_criees("published")),
    "criees:initiative-update": Row(  # Caf B's agent editing Caf A's draft: 404
        network_members(403, **CRIEES_DRAFT_EDITORS), kwargs=_criees("draft")
    ),
    "criees:initiative-submit": Row(
        network_members(REDIRECT, agent_b=404), kwargs=_criees("draft"), method="post"
    ),
    "criees:initiative-review": Row(  # the validators publish; the team may not; Caf B: 404
        network_members(REDIRECT, agent_a=403, agent_b=404),
        kwargs=_criees("submitted"),
        method="post",
        data={"validation-decision": "publish"},
    ),
    "criees:file-add": Row(  # no file sent: the page again, with the error
        network_members(403, **CRIEES_DRAFT_EDITORS), kwargs=_criees("draft"), method="post"
    ),
    "criees:image-add": Row(
        network_members(403, **CRIEES_DRAFT_EDITORS), kwargs=_criees("draft"), method="post"
    ),
    "criees:file": Row(network_members(200), kwargs=_criees("file")),
    "criees:image": Row(network_members(200), kwargs=_criees("image")),
    "criees:file-delete": Row(  # published: no longer the team's to edit
        network_members(403, lab_staff=REDIRECT, correspondent_a=REDIRECT),
        kwargs=_criees("file"),
        method="post",
    ),
    "criees:image-delete": Row(
        network_members(403, lab_staff=REDIRECT, correspondent_a=REDIRECT),
        kwargs=_criees("image"),
        method="post",
    ),
    "criees:support": Row(  # not one's own team's initiative
        network_members(REDIRECT, agent_a=403), kwargs=_criees("published"), method="post"
    ),
    "criees:follow": Row(network_members(REDIRECT), kwargs=_criees("published"), method="post"),
    "criees:comment-add": Row(  # an empty comment: the page again, with the error
        network_members(200), kwargs=_criees("published"), method="post"
    ),
    "criees:comment": Row(  # a shown comment's own page (where it becomes an idea)
        network_members(200),
        kwargs=lambda request: {
            "pk": request.getfixturevalue("matrix_criees")["published"],
            "comment": request.getfixturevalue("matrix_criees")["comment"],
        },
    ),
    "criees:comment-report": Row(
        network_members(REDIRECT), kwargs=_criees("comment"), method="post"
    ),
    "criees:comment-moderate": Row(
        network_members(403, lab_staff=REDIRECT),
        kwargs=_criees("comment"),
        method="post",
        data={"action": "hide"},
    ),
    "criees:moderation": Row(network_members(403, lab_staff=REDIRECT)),
    # The one moderation queue: whoever moderates something in some app (a correspondent
    # moderates their Caf's consultations' contributions and comments).
    "engagement:queue": Row(network_members(403, lab_staff=200, correspondent_a=200)),
    "criees:declare-interest": Row(  # not for one's own Caf; the lab must choose a Caf
        network_members(403, lab_staff=200, agent_b=REDIRECT),
        kwargs=_criees("published"),
        method="post",
        data={"interet-level": "curious"},
    ),
    "criees:promote": Row(network_members(403, **CRIEES_LAB), kwargs=_criees("published")),
    "criees:criee-list": Row(network_members(200)),
    "criees:criee-create": Row(network_members(403, **CRIEES_LAB)),
    "criees:criee": Row(network_members(200), kwargs=_criees("criee")),
    "criees:criee-ical": Row(network_members(200), kwargs=_criees("criee")),
    "criees:criee-feed": Row(network_members(200)),
    # feeds of published initiatives: the network's, like the catalogue
    "criees:feed-initiatives-rss": Row(network_members(200)),
    "criees:feed-initiatives-atom": Row(network_members(200)),
    "criees:criee-update": Row(network_members(403, **CRIEES_LAB), kwargs=_criees("criee")),
    "criees:criee-advance": Row(
        network_members(403, **CRIEES_LAB_POST),
        kwargs=_criees("criee"),
        method="post",
        data={"status": "held"},
    ),
    "criees:propose": Row(  # nothing chosen: the page again, with the error
        network_members(403, lab_staff=200, correspondent_a=200),
        kwargs=_criees("criee"),
        method="post",
    ),
    "criees:pitch-schedule": Row(network_members(403, **CRIEES_LAB), kwargs=_criees("proposed")),
    "criees:pitch-decline": Row(
        network_members(403, **CRIEES_LAB_POST), kwargs=_criees("proposed"), method="post"
    ),
    "criees:pitch-move": Row(
        network_members(403, **CRIEES_LAB_POST), kwargs=_criees("on_screen"), method="post"
    ),
    "criees:pitch-decide": Row(
        network_members(403, **CRIEES_LAB_POST),
        kwargs=_criees("on_screen"),
        method="post",  # no decision chosen: back to the follow-up, with the error
    ),
    "criees:live": Row(network_members(200), kwargs=_criees("criee")),
    "criees:live-counts": Row(  # outside htmx: back to the live page
        network_members(REDIRECT), kwargs=_criees("criee")
    ),
    "criees:live-current": Row(
        network_members(403, **CRIEES_LAB_POST), kwargs=_criees("criee"), method="post"
    ),
    "criees:followup": Row(network_members(200), kwargs=_criees("criee")),
    "criees:criee-export": Row(
        network_members(200),
        kwargs=lambda r: {**_criees("criee")(r), "kind": "programme", "fmt": "csv"},
    ),
    "criees:dashboard": Row(network_members(403, **CRIEES_DASHBOARD)),
    "criees:caf-dashboard": Row(
        network_members(403, **CRIEES_DASHBOARD), kwargs=lambda r: {"code": "38"}
    ),
    # challenges and sessions: citizens see none of it (403 on lists, 404 on pages); the lab
    # runs challenges and sessions, the jury scores, directorates request sessions
    "ideas:challenge-list": Row(network_members(200)),
    "ideas:challenge-create": Row(network_members(403, lab_staff=200)),
    "ideas:challenge-detail": Row(signed_in(200, citizen=404), kwargs=_sources("open")),
    "ideas:challenge-update": Row(signed_in(403, **SOURCES_LAB), kwargs=_sources("open")),
    "ideas:challenge-entry-create": Row(signed_in(200, citizen=404), kwargs=_sources("open")),
    "ideas:challenge-ranking": Row(  # the lab and the jury until the results
        signed_in(403, **SOURCES_LAB, correspondent_a=200), kwargs=_sources("judging")
    ),
    "ideas:challenge-publish": Row(  # nothing chosen: the ranking again, with the errors
        signed_in(403, **SOURCES_LAB), kwargs=_sources("judging"), method="post"
    ),
    "ideas:entry-score": Row(  # the jury only (the lab is not on this one)
        signed_in(403, correspondent_a=200, citizen=404), kwargs=_sources("entry")
    ),
    "ideas:entry-to-idea": Row(  # results not published yet: back, with the message
        signed_in(403, lab_staff=REDIRECT, citizen=404), kwargs=_sources("entry"), method="post"
    ),
    "ideas:session-list": Row(network_members(200)),
    "ideas:session-create": Row(network_members(403, lab_staff=200)),
    "ideas:session-detail": Row(signed_in(200, citizen=404), kwargs=_sources("session")),
    "ideas:session-ical": Row(signed_in(200, citizen=404), kwargs=_sources("session")),
    "ideas:session-feed": Row(signed_in(200)),
    "ideas:session-update": Row(signed_in(403, **SOURCES_LAB), kwargs=_sources("session")),
    "ideas:session-ideas": Row(signed_in(403, **SOURCES_LAB), kwargs=_sources("session")),
    "ideas:session-debrief": Row(signed_in(200, citizen=404), kwargs=_sources("session")),
    "ideas:session-request-list": Row(signed_in(403, lab_staff=200)),
    "ideas:session-request-create": Row(signed_in(403)),  # directorate members only
    "ideas:session-request-detail": Row(signed_in(404, lab_staff=200), kwargs=_sources("request")),
    "ideas:session-request-move": Row(  # no status chosen: the page again, with the error
        signed_in(404, lab_staff=200), kwargs=_sources("request"), method="post"
    ),
    # citizens: sign-up, "my data", deleting one's account (citizens and partners only)
    "accounts:signup": Row(signed_in(REDIRECT, anonymous=200)),
    "accounts:signup-sent": Row(everyone(200)),
    "accounts:signup-resend": Row(everyone(200)),
    "accounts:signup-verify": Row(everyone(404), kwargs=lambda r: {"token": "pas-un-jeton"}),
    "accounts:my-data": Row(signed_in(200)),
    "accounts:my-data-download": Row(signed_in(200), kwargs=lambda r: {"fmt": "json"}),
    "accounts:account-delete": Row(signed_in(403, citizen=200)),
    # the network at scale: importing people is for administrators (none of the personas has
    # is_staff with the account permissions); an invitation link with a bad token is refused
    # with its explanation page
    "accounts:import": Row(signed_in(403)),
    # an import's invitation batch and its "Relancer": importers only, like the import
    "accounts:invitation-batch": Row(signed_in(403), kwargs=lambda r: _invitation_batch()),
    "accounts:invitation-batch-retry": Row(
        signed_in(403), kwargs=lambda r: _invitation_batch(), method="post"
    ),
    "accounts:invitation": Row(
        everyone(200), kwargs=lambda r: {"uidb64": "MA", "token": "pas-un-jeton"}
    ),
    # single sign-on: no provider is configured in the matrix, so its routes do not exist (404)
    "accounts:sso-login": Row(everyone(404), kwargs=lambda r: {"provider": "agents"}),
    "accounts:sso-callback": Row(everyone(404), kwargs=lambda r: {"provider": "agents"}),
    "accounts:sso-logged-out": Row(everyone(404), kwargs=lambda r: {"provider": "citizens"}),
    # pending accounts: the person waiting (none of the personas: sent home), and those who
    # place them (the lab, correspondents)
    "accounts:pending": Row(signed_in(REDIRECT)),
    "accounts:pending-list": Row(signed_in(403, lab_staff=200, correspondent_a=200)),
    "accounts:pending-assign": Row(
        signed_in(403, lab_staff=200, correspondent_a=200), kwargs=_pending_account
    ),
    # écoute communities: managers (the lab, Caf A's correspondent) see Caf A's community; its
    # member (the citizen) reads it and may leave; others do not see it (404)
    "ecoute:community-list": Row(signed_in(403, **COMMUNITY_MANAGERS)),
    "ecoute:community-create": Row(signed_in(403, **COMMUNITY_MANAGERS)),
    "ecoute:my-communities": Row(signed_in(200)),
    "ecoute:community-invitation": Row(everyone(200), kwargs=_community_invitation),
    "ecoute:community-detail": Row(
        signed_in(404, **COMMUNITY_MANAGERS, citizen=200), kwargs=_community
    ),
    "ecoute:community-invite": Row(  # no address: back to the page, with the error
        signed_in(404, lab_staff=REDIRECT, correspondent_a=REDIRECT, citizen=403),
        kwargs=_community,
        method="post",
    ),
    "ecoute:community-join": Row(  # on invitation only: back to the page, with the reason
        signed_in(404, lab_staff=REDIRECT, correspondent_a=REDIRECT, citizen=REDIRECT),
        kwargs=_community,
        method="post",
    ),
    "ecoute:community-leave": Row(signed_in(404, citizen=200), kwargs=_community),
    "ecoute:consultation-invite-community": Row(  # a public consultation: refused, back
        signed_in(403, **ECOUTE_MANAGER_POSTS), kwargs=_consultation_pk, method="post"
    ),
    # events
    "events:index": Row(signed_in(200)),
    "events:mine": Row(signed_in(200)),
    "events:feed": Row(signed_in(200)),
    "events:figures": Row(signed_in(403, lab_staff=200)),
    "events:create": Row(signed_in(403, lab_staff=200, correspondent_a=200)),
    "events:detail": Row(
        signed_in(404, lab_staff=200, correspondent_a=200, agent_a=200), kwargs=_events("event")
    ),
    "events:update": Row(
        signed_in(404, lab_staff=200, correspondent_a=200, agent_a=403), kwargs=_events("event")
    ),
    "events:publish": Row(  # already published: "déjà fait", back
        signed_in(404, **EVENT_MANAGERS), kwargs=_events("event"), method="post"
    ),
    "events:cancel": Row(  # no reason given: back, with the message
        signed_in(404, **EVENT_MANAGERS), kwargs=_events("event"), method="post"
    ),
    "events:register": Row(  # closed (or already registered): back, with the reason
        signed_in(404, **EVENT_SEEN), kwargs=_events("event"), method="post"
    ),
    "events:unregister": Row(  # started: back, with the reason; not registered: back
        signed_in(404, **EVENT_SEEN), kwargs=_events("event"), method="post"
    ),
    "events:ical": Row(
        signed_in(404, lab_staff=200, correspondent_a=200, agent_a=200), kwargs=_events("event")
    ),
    "events:attendance": Row(
        signed_in(404, lab_staff=200, correspondent_a=200, agent_a=403), kwargs=_events("event")
    ),
    "events:material-add": Row(  # no file sent: the page again, with the error
        signed_in(404, lab_staff=200, correspondent_a=200, agent_a=403),
        kwargs=_events("event"),
        method="post",
    ),
    "events:material": Row(
        signed_in(404, lab_staff=200, correspondent_a=200, agent_a=200),
        kwargs=_events("material"),
    ),
    "events:material-delete": Row(
        signed_in(404, **EVENT_MANAGERS), kwargs=_events("material"), method="post"
    ),
    # after the event: its managers write the synthesis and the proposals (nothing sent: the
    # page again, with the error); whoever sees the event reads a proposal
    "events:synthesis": Row(
        signed_in(404, **EVENT_MANAGERS), kwargs=_events("event"), method="post"
    ),
    "events:proposal-add": Row(
        signed_in(404, lab_staff=200, correspondent_a=200, agent_a=403),
        kwargs=_events("event"),
        method="post",
    ),
    "events:proposal": Row(
        signed_in(404, lab_staff=200, correspondent_a=200, agent_a=200),
        kwargs=_events("proposal"),
    ),
    # the satisfaction questionnaire: its managers only; the event is not held yet, so the
    # service refuses and the page goes back with the reason
    "events:satisfaction-send": Row(
        signed_in(404, **EVENT_MANAGERS), kwargs=_events("event"), method="post"
    ),
    # "mes inscriptions" as a calendar: the signed URL needs no session (agent A's link)
    "events:personal-feed": Row(everyone(200), kwargs=_agent_a_calendar),
    "events:calendar-rotate": Row(signed_in(REDIRECT), method="post"),
    # kits: documents, versions, templates, checklist and the fiche d'essaimage follow the
    # visibility of their project or initiative (citizens: 404)
    "kits:project-document-add": Row(
        signed_in(403, citizen=404, **KIT_PROJECT_EDITORS), kwargs=_kits("project")
    ),
    "kits:initiative-document-add": Row(
        signed_in(403, citizen=404, **KIT_INITIATIVE_EDITORS), kwargs=_kits("initiative")
    ),
    "kits:document": Row(signed_in(200, citizen=404), kwargs=_kits("document")),
    # The incubator: the lab runs the calls; network members (and partners: see
    # tests/incubator) read and apply; the jury (agent_b) scores and ranks; an application is
    # its applicant's (agent_a), the jury's and the lab's; a cohort its members', the jury's
    # and the lab's. Citizens have no incubator: 403 on its lists, 404 on its objects.
    "incubator:index": Row(network_members(200)),
    "incubator:mine": Row(network_members(200)),
    "incubator:call-create": Row(network_members(403, lab_staff=200)),
    "incubator:call": Row(signed_in(200, citizen=404), kwargs=_incubator("call")),
    "incubator:call-update": Row(
        signed_in(403, lab_staff=200, citizen=404), kwargs=_incubator("call")
    ),
    "incubator:call-move": Row(
        signed_in(403, lab_staff=REDIRECT, citizen=404),
        kwargs=_incubator("call"),
        method="post",
    ),
    "incubator:call-criteria": Row(
        signed_in(403, lab_staff=200, citizen=404), kwargs=_incubator("call")
    ),
    # The lab runs the calls, it doesn't apply; agent_a has applied: to their application.
    "incubator:apply": Row(
        signed_in(200, lab_staff=403, agent_a=REDIRECT, citizen=404), kwargs=_incubator("call")
    ),
    "incubator:application": Row(
        signed_in(404, lab_staff=200, agent_a=200, agent_b=200),
        kwargs=_incubator("application"),
    ),
    "incubator:ranking": Row(
        signed_in(403, lab_staff=200, agent_b=200, citizen=404), kwargs=_incubator("call")
    ),
    "incubator:application-score": Row(
        signed_in(404, lab_staff=403, agent_a=403, agent_b=200),
        kwargs=_incubator("application"),
    ),
    # Deciding and the calendar are the lab's: refused before any lookup.
    "incubator:application-decide": Row(
        signed_in(403, lab_staff=200),
        kwargs=_incubator("application"),
    ),
    "incubator:cohort-create": Row(
        signed_in(403, lab_staff=200, citizen=404), kwargs=_incubator("call")
    ),
    "incubator:cohort": Row(
        signed_in(404, lab_staff=200, agent_a=200, agent_b=200),
        kwargs=_incubator("cohort"),
    ),
    "incubator:milestone-add": Row(
        signed_in(403, lab_staff=200),
        kwargs=_incubator("cohort"),
    ),
    "kits:version-add": Row(  # no file sent: the page again, with the error
        signed_in(403, citizen=404, **KIT_PROJECT_EDITORS),
        kwargs=_kits("document"),
        method="post",
    ),
    "kits:version": Row(signed_in(200, citizen=404), kwargs=_kits("version")),
    "kits:template": Row(signed_in(200, citizen=403), kwargs=_kits("deliverable")),
    "kits:deliverable-check": Row(
        signed_in(403, citizen=404, lab_staff=REDIRECT, agent_a=REDIRECT),
        kwargs=_kits("deliverable", with_project=True),
        method="post",
    ),
    "kits:project-guide": Row(signed_in(200, citizen=404), kwargs=_kits("project")),
    "kits:project-guide-update": Row(
        signed_in(403, citizen=404, **KIT_PROJECT_EDITORS), kwargs=_kits("project")
    ),
    "kits:project-guide-pdf": Row(signed_in(200, citizen=404), kwargs=_kits("project")),
    "kits:initiative-guide": Row(signed_in(200, citizen=404), kwargs=_kits("initiative")),
    "kits:initiative-guide-update": Row(
        signed_in(403, citizen=404, **KIT_INITIATIVE_EDITORS), kwargs=_kits("initiative")
    ),
    "kits:initiative-guide-pdf": Row(signed_in(200, citizen=404), kwargs=_kits("initiative")),
    # open data: the page, the schemas and the latest files (generated by the row), anyone
    "opendata:index": Row(everyone(200)),
    "opendata:datapackage": Row(everyone(200)),
    "opendata:csv": Row(everyone(200), kwargs=_opendata_generated),
    "opendata:json": Row(everyone(200), kwargs=_opendata_generated),
    "opendata:schema": Row(everyone(200), kwargs=lambda r: {"slug": "projets"}),
    # the read API: its pages (a token is for network members; revoking is its holder's),
    # its docs and description for everyone; each GET answers what the persona sees on the
    # site (the network's catalogue: 404 outside it), with the session as the reader here
    # (tests/api/test_endpoints.py reads with tokens)
    "api:token-create": Row(network_members(200)),
    "api:token-revoke": Row(
        signed_in(404, correspondent_a=REDIRECT, citizen=404), kwargs=_api("token"), method="post"
    ),
    "api:docs": Row(everyone(200)),
    "api:root": Row(everyone(200)),
    # django-ninja's root has the same address: api:root answers it.
    "api-v1:api-root": Row(everyone(200)),
    "api-v1:openapi-json": Row(everyone(200)),
    "api-v1:projects": Row(everyone(200)),
    "api-v1:project": Row(
        {**everyone(200), "citizen": 404, "anonymous": 404}, kwargs=_api("project", "code", "code")
    ),
    "api-v1:initiatives": Row(everyone(200)),
    "api-v1:initiative": Row(
        {**everyone(200), "citizen": 404, "anonymous": 404}, kwargs=_api("initiative")
    ),
    "api-v1:criees": Row(everyone(200)),
    "api-v1:criee": Row({**everyone(200), "citizen": 404, "anonymous": 404}, kwargs=_api("criee")),
    "api-v1:consultations": Row(everyone(200)),
    "api-v1:consultation": Row(everyone(200), kwargs=_api("consultation")),
    "api-v1:consultation-results": Row(everyone(200), kwargs=_api("consultation")),
    "api-v1:restitutions": Row(everyone(200)),
    "api-v1:restitution": Row(everyone(200), kwargs=_api("restitution")),
    "api-v1:cafs": Row(everyone(200)),
    "api-v1:caf": Row(everyone(200), kwargs=_caf_a),
    "api-v1:programmes": Row(everyone(200)),
    "api-v1:programme": Row(everyone(200), kwargs=_api("programme", "slug", "slug")),
    # Django admin: only is_staff accounts; none of the personas has it
    "admin:index": Row(everyone(REDIRECT)),
}


def named_routes(patterns=None, namespace: str | None = None) -> set[str]:
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            if full in IGNORED_NAMESPACES:
                continue
            names |= named_routes(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_route_has_a_row():
    routes = named_routes()
    rows = set(MATRIX) - {"admin:index"}
    assert not routes - rows, f"routes without a row in the matrix: {sorted(routes - rows)}"
    assert not rows - routes, f"rows for routes that no longer exist: {sorted(rows - routes)}"


# A route that serves several registered things answers per thing: `analysis:source-start` for
# each source other apps register (the testimonies' row is in MATRIX). Only the lab manages a
# criée and sees every event of a programme; the others (Caf A's correspondent included, whose
# initiative is on the criée's programme) get 404.
SOURCE_ROWS: dict[str, Row] = {
    "criee_comments": Row(signed_in(404, lab_staff=200), kwargs=_criee_comments_source),
    "programme_syntheses": Row(signed_in(404, lab_staff=200), kwargs=_programme_syntheses_source),
}


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("source", sorted(SOURCE_ROWS))
def test_each_sources_start_answers_each_persona_as_expected(source, persona_name, client, request):
    assert_row_answers("analysis:source-start", SOURCE_ROWS[source], persona_name, client, request)


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_answers_each_persona_as_expected(route, persona_name, client, request):
    assert_row_answers(route, MATRIX[route], persona_name, client, request)


def assert_row_answers(route: str, row: Row, persona_name: str, client, request) -> None:
    user = None if persona_name == "anonymous" else request.getfixturevalue(persona_name)
    url = reverse(route, kwargs=row.kwargs(request) if row.kwargs else None)
    if user is not None:
        client.force_login(user)
    response = getattr(client, row.method)(url, row.data)
    expected = row.expect[persona_name]
    where = f"{row.method.upper()} {url} as {persona_name}"
    if expected == LOGIN:
        assert response.status_code == 302, f"{where}: {response.status_code}, expected login"
        assert response["Location"].startswith(str(settings.LOGIN_URL)), where
    elif expected == REDIRECT:
        assert response.status_code == 302, f"{where}: {response.status_code}, expected 302"
        assert not response["Location"].startswith(str(settings.LOGIN_URL)), where
    else:
        assert response.status_code == expected, f"{where}: {response.status_code}"
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        assert_every_post_form_has_a_csrf_token(response.content.decode(), where)


POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post\b", re.IGNORECASE)
CSRF_INPUT = re.compile(r"name=[\"']csrfmiddlewaretoken[\"']")


def assert_every_post_form_has_a_csrf_token(html: str, where: str) -> None:
    """The test client skips CSRF checks: a form rendered without its token (an `only` include
    drops it) passes every view test and fails in a real browser with a 403."""
    forms = html.split("</form>")
    missing = [f for f in forms if POST_FORM.search(f) and not CSRF_INPUT.search(f)]
    assert not missing, f"{where}: {len(missing)} POST form(s) without a CSRF token"
