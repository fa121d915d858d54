"""An accessibility sweep over the demo: the main pages of every app, seeded with the demo data
as a newcomer sees it after `make run`, checked with axe-core for each kind of user, for
sideways scroll on a phone, and, as the server sent them, with the Nu HTML Checker. The walks
of each issue check their own pages; this one catches the pages between them."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from analysis.models import Analysis
from caflab.accounts.models import User
from ecoute.models import TEXT_KINDS, Answer, Community, Consultation, Contribution, Recruitment
from evaluation.models import Effect, ImpactReport, Indicator, Survey
from events.models import DebateProposal
from ideas.models import Challenge, CreativitySession, Idea
from projects.models import Project
from tests.nu_validator import checker_or_skip, validate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _staff_pages() -> list[str]:
    project = Project.objects.get(title="Accueil sans rendez-vous repensé")
    consultation = Consultation.objects.get(slug="votre-accueil-a-la-caf")
    call = Consultation.objects.get(slug="idees-accueil-des-familles")
    analysis = Analysis.objects.get(consultation=consultation)
    proposal = DebateProposal.objects.order_by("pk").first()
    born = Idea.objects.filter(source=Idea.Source.CONSULTATION, origin_type__isnull=False).first()
    written = (
        Answer.objects.filter(
            questionnaire=consultation.questionnaire, question__kind__in=TEXT_KINDS
        )
        .exclude(value_text="")
        .first()
    )
    pages = [
        reverse("core:home"),
        reverse("projects:index"),
        reverse("projects:kanban"),
        reverse("projects:funnel"),
        reverse("projects:dashboard"),
        reverse("projects:levers"),
        reverse("ideas:idea-list"),
        reverse("ideas:triage"),
        reverse("ideas:challenge-list"),
        reverse("ideas:session-list"),
        reverse("ideas:session-request-list"),
        project.get_absolute_url(),
        reverse("ideas:idea-detail", kwargs={"pk": Idea.objects.order_by("pk").first().pk}),
        reverse("ideas:challenge-detail", kwargs={"pk": Challenge.objects.first().pk}),
        reverse("ideas:session-detail", kwargs={"pk": CreativitySession.objects.first().pk}),
        reverse("criees:index"),
        reverse("criees:criee-list"),
        reverse("criees:dashboard"),
        reverse("engagement:queue"),
        reverse("ecoute:manage"),
        reverse("ecoute:manage-detail", kwargs={"pk": consultation.pk}),
        reverse("ecoute:results", kwargs={"pk": consultation.pk}),
        reverse("ecoute:builder", kwargs={"pk": call.pk}),
        f"{reverse('engagement:queue')}?type=contributions-deposees&consultation={call.pk}",
        reverse("ecoute:community-list"),
        reverse(
            "ecoute:community-detail",
            kwargs={"pk": Community.objects.get(name="Lab Parentalité").pk},
        ),
        reverse("ecoute:recruitment-manage", kwargs={"pk": Recruitment.objects.first().pk}),
        reverse("evaluation:index"),
        reverse("evaluation:plan", kwargs={"code": project.code}),
        reverse("evaluation:indicator-list", kwargs={"code": project.code}),
        reverse(
            "evaluation:indicator-detail",
            kwargs={"pk": Indicator.objects.filter(project=project).first().pk},
        ),
        reverse("evaluation:surveys", kwargs={"code": project.code}),
        reverse(
            "evaluation:survey-compare",
            kwargs={"pk": Survey.objects.filter(project=project).first().pk},
        ),
        reverse("evaluation:testimonies", kwargs={"code": project.code}),
        reverse("evaluation:effects", kwargs={"code": project.code}),
        reverse(
            "evaluation:effect-detail",
            kwargs={"pk": Effect.objects.filter(project=project).first().pk},
        ),
        reverse("evaluation:judgements", kwargs={"code": project.code}),
        reverse("evaluation:ecological-edit", kwargs={"code": project.code}),
        reverse("evaluation:report-list", kwargs={"code": project.code}),
        reverse("evaluation:report-detail", kwargs={"pk": ImpactReport.objects.first().pk}),
        reverse("evaluation:recommendations", kwargs={"code": project.code}),
        reverse("notifications:list"),
        # the events (issue 14) and the analysis of texts (issue 18)
        reverse("events:index"),
        reverse("events:mine"),
        reverse("events:figures"),
        # after a workshop: its synthesis and proposals, one of them opened (to become an idea)
        reverse("events:attendance", kwargs={"pk": proposal.event_id}),
        reverse("events:detail", kwargs={"pk": proposal.event_id}),
        proposal.get_absolute_url(),
        reverse("analysis:detail", kwargs={"pk": analysis.pk}),
        reverse("analysis:coding", kwargs={"pk": analysis.pk}),
        reverse("analysis:themes", kwargs={"pk": analysis.pk}),
        reverse("analysis:results", kwargs={"pk": analysis.pk}),
        # a contribution born into an idea: what it became (issue 13)
        reverse("ecoute:contribution-detail", kwargs={"pk": born.origin_id}),
        # a questionnaire's written answers, one of them opened (to become an idea)
        reverse("ecoute:free-text", kwargs={"pk": written.question_id}),
        written.get_absolute_url(),
        reverse("accounts:pending-list"),
        reverse(
            "accounts:pending-assign",
            kwargs={"pk": User.objects.get(email="en.attente@caflab.demo").pk},
        ),
    ]
    return pages


def _citizen_pages() -> list[str]:
    call = Consultation.objects.get(slug="idees-accueil-des-familles")
    contribution = Contribution.objects.filter(consultation=call, status="published").first()
    return [
        reverse("core:home"),
        reverse("ecoute:index"),
        reverse("ecoute:detail", kwargs={"slug": call.slug}),
        reverse("ecoute:contributions", kwargs={"slug": call.slug}),
        reverse("ecoute:contribution-detail", kwargs={"pk": contribution.pk}),
        reverse("ecoute:contribution-create", kwargs={"slug": call.slug}),
        reverse("ecoute:restitution", kwargs={"slug": "votre-accueil-a-la-caf"}),
        reverse("ecoute:recruitment", kwargs={"pk": Recruitment.objects.first().pk}),
        reverse("ecoute:my-registrations"),
        reverse("ecoute:my-communities"),
        reverse("accounts:my-data"),
        reverse("accounts:profile"),
    ]


PHONE = 390
SMALL_PHONE = 320


def assert_no_sideways_scroll(page, widths: tuple[int, ...]) -> None:
    """At each width, the page is no wider than the window (WCAG 1.4.10): wide tables scroll in
    their own region, charts shrink. The window is resized, not the page reloaded."""
    desktop = page.viewport_size
    for width in widths:
        page.set_viewport_size({"width": width, "height": 844})
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, f"{page.url}: {scroll_width} px wide at {width} px"
    page.set_viewport_size(desktop)


def _small_phone_pages() -> set[str]:
    """The pages also checked at 320 px (the whole sweep at 390 px): those people read on a
    phone between meetings, and every citizen page."""
    project = Project.objects.get(title="Accueil sans rendez-vous repensé")
    consultation = Consultation.objects.get(slug="votre-accueil-a-la-caf")
    return {
        reverse("projects:index"),
        reverse("ideas:triage"),
        reverse("criees:criee-list"),
        reverse("ecoute:results", kwargs={"pk": consultation.pk}),
        reverse("evaluation:plan", kwargs={"code": project.code}),
        reverse("evaluation:report-detail", kwargs={"pk": ImpactReport.objects.first().pk}),
        reverse("events:figures"),
        *_citizen_pages(),
    }


def test_the_demo_pages_have_no_accessibility_violations(
    page, live_server, login_as, assert_accessible, settings
):
    checker_or_skip()  # before the long part: the HTML checker must be able to run
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    small_phone = _small_phone_pages()
    checked = []
    sent = {}  # "who path" → the HTML as the server sent it, for the Nu HTML Checker
    for email, pages in (
        ("labo@caflab.demo", _staff_pages()),
        ("citoyen@caflab.demo", _citizen_pages()),
    ):
        page.context.clear_cookies()
        login_as(page, live_server, User.objects.get(email=email), settings.DEMO_PASSWORD)
        for path in pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, (email, path, response.status)
            sent[f"{email} {path}"] = response.text()
            assert_accessible(page)
            assert_no_sideways_scroll(
                page, (PHONE, SMALL_PHONE) if path in small_phone else (PHONE,)
            )
            checked.append(path)
    # The pending person, and the administrator's import page.
    for email, pages in (
        ("en.attente@caflab.demo", [reverse("core:home"), reverse("accounts:pending")]),
        ("admin@caflab.demo", [reverse("accounts:import"), reverse("core:operations")]),
    ):
        page.context.clear_cookies()
        login_as(page, live_server, User.objects.get(email=email), settings.DEMO_PASSWORD)
        for path in pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, (email, path, response.status)
            sent[f"{email} {path}"] = response.text()
            assert_accessible(page)
            checked.append(path)
    page.context.clear_cookies()
    for path in (reverse("core:home"), reverse("ecoute:index"), reverse("accounts:signup")):
        response = page.goto(live_server.url + path)
        assert response.status == 200
        sent[f"anonymous {path}"] = response.text()
        assert_accessible(page)
    assert len(checked) > 50
    errors = validate(sent)
    assert not errors, f"{len(errors)} HTML error(s):\n" + "\n".join(errors)
