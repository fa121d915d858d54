"""Who may do what in the participation part: network members and the project's partners read;
the lead, the team and the lab edit; citizens get 403; a project one cannot see is 404."""

import pytest
from django.urls import reverse

from caflab.accounts.models import Role
from projects.models import TeamMember
from tests.accounts.factories import UserFactory
from tests.evaluation.factories import EffectFactory, SurveyWaveFactory, make_survey
from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(lead, partner_org):
    project = ProjectFactory(lead=lead)
    project.partners.add(partner_org)
    return project


@pytest.fixture
def team_member(project, agent_b):
    TeamMember.objects.create(project=project, user=agent_b)
    return agent_b


def read_urls(project):
    survey = make_survey(project, questions=0)
    effect = EffectFactory(project=project)
    code = {"code": project.code}
    return [
        reverse("evaluation:surveys", kwargs=code),
        reverse("evaluation:survey-detail", kwargs={"pk": survey.pk}),
        reverse("evaluation:survey-compare", kwargs={"pk": survey.pk}),
        reverse("evaluation:testimonies", kwargs=code),
        reverse("evaluation:effects", kwargs=code),
        reverse("evaluation:effect-detail", kwargs={"pk": effect.pk}),
        reverse("evaluation:judgements", kwargs=code),
    ]


def edit_urls(project):
    survey = make_survey(project, questions=0)
    wave = SurveyWaveFactory(survey=survey)
    code = {"code": project.code}
    return [
        reverse("evaluation:survey-create", kwargs=code),
        reverse("evaluation:survey-question-create", kwargs={"pk": survey.pk}),
        reverse("evaluation:survey-wave-create", kwargs={"pk": survey.pk}),
        reverse("evaluation:survey-wave-invite", kwargs={"pk": wave.pk}),
        reverse("evaluation:testimony-create", kwargs=code),
        reverse("evaluation:effect-create", kwargs=code),
        reverse("evaluation:judgement-edit", kwargs={**code, "criterion": "impact"}),
        reverse("evaluation:ecological-edit", kwargs=code),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("team_member", 200),
        ("lab_staff", 200),
        ("agent_a", 200),
        ("agent_b", 200),
        ("partner", 200),
        ("citizen", 403),
    ],
)
def test_who_reads(client, request, project, who, status):
    client.force_login(request.getfixturevalue(who))
    for url in read_urls(project):
        assert client.get(url).status_code == status, url


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("team_member", 200),
        ("lab_staff", 200),
        ("correspondent_a", 403),
        ("agent_a", 403),
        ("partner", 403),
        ("citizen", 403),
    ],
)
def test_who_edits(client, request, project, who, status):
    client.force_login(request.getfixturevalue(who))
    for url in edit_urls(project):
        assert client.get(url).status_code == status, url


def test_a_partner_of_another_project_and_others_on_a_draft_get_404(client, agent_b, caf_a):
    draft = ProjectFactory(is_draft=True)
    unrelated = ProjectFactory()
    outsider = UserFactory(role=Role.PARTNER, caf=None, partner=PartnerFactory())
    client.force_login(agent_b)
    for url in read_urls(draft) + edit_urls(draft):
        assert client.get(url).status_code == 404, url
    client.force_login(outsider)
    for url in read_urls(unrelated):
        assert client.get(url).status_code == 404, url


def test_anonymous_goes_to_the_login_page(client, project, settings):
    for url in read_urls(project) + edit_urls(project):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(str(settings.LOGIN_URL)), url


def test_posting_as_a_reader_is_refused(client, agent_a, project):
    effect = EffectFactory(project=project)
    client.force_login(agent_a)
    response = client.post(
        reverse("evaluation:effect-transition", kwargs={"pk": effect.pk}),
        {"to_status": "resolved", "comment": "Non."},
    )
    assert response.status_code == 403
    effect.refresh_from_db()
    assert effect.status == "open"


def test_readers_see_no_edit_links(client, agent_a, project):
    client.force_login(agent_a)
    html = client.get(reverse("evaluation:effects", kwargs={"code": project.code})).content
    assert b"Signaler un effet" not in html
