"""How the idea box's pages are written fast (issue 12) without changing what they show: the
filter fields drawn by `filter_field` as crispy draws them, the status badges as a tag, the
triage queue's list of reviewers, the comment threads in one template."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from caflab.accounts.models import Role
from ideas.filters import IdeaFilter, TriageFilter
from ideas.forms.ideas import ReviewerChoiceField
from ideas.models import Idea
from ideas.services import ideas as services
from tests.accounts.factories import UserFactory
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.django_db

TRIAGE = reverse("ideas:triage")


def normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


def crispy_html(field) -> str:
    template = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
    return normalised(template.render(Context({"field": field})))


def drawn_html(field) -> str:
    template = Template("{% load filter_fields %}{% filter_field field %}")
    return normalised(template.render(Context({"field": field})))


def filtersets(data, user):
    none = Idea.objects.none()
    return IdeaFilter(data or None, queryset=none), TriageFilter(
        data or None, queryset=none, user=user
    )


@pytest.mark.parametrize(
    "data", [{}, {"q": "rappel", "status": "submitted", "tri": "title"}, {"caf": "38"}]
)
def test_the_filter_fields_are_written_as_crispy_writes_them(caf_a, lab_staff, data):
    # Two copies of each form: crispy changes the widgets' classes as it renders them.
    for ours, crispys in zip(filtersets(data, lab_staff), filtersets(data, lab_staff), strict=True):
        ours.form.is_valid()
        crispys.form.is_valid()
        for name in ours.form.fields:
            assert drawn_html(ours.form[name]) == crispy_html(crispys.form[name]), name


def test_the_reviewers_field_is_written_as_crispy_writes_it(client, lab_staff, caf_a):
    IdeaFactory(caf=caf_a)
    client.force_login(lab_staff)
    ours = client.get(TRIAGE).context["assign_form"]["reviewer"]
    crispys = client.get(TRIAGE).context["assign_form"]["reviewer"]
    assert drawn_html(ours) == crispy_html(crispys)
    assert 'class="select form-select"' in drawn_html(ours)


OLD_BADGE = (
    "{% load i18n %}<span class=\"badge rounded-pill {% if status == 'submitted' %}text-bg-light "
    "border{% elif status == 'under_review' %}text-bg-info{% elif status == 'accepted' %}"
    "text-bg-success{% elif status == 'merged' %}text-bg-secondary{% elif status == 'shelved' %}"
    'text-bg-warning{% else %}text-bg-dark{% endif %}"><span class="visually-hidden">'
    '{% translate "Statut\u00a0:" %} </span>{{ label }}</span>'
)


@pytest.mark.parametrize("status", Idea.Status.values)
def test_the_status_badge_tag_writes_what_the_include_wrote(status):
    idea = Idea(status=status)
    old = Template(OLD_BADGE).render(
        Context({"status": status, "label": idea.get_status_display()})
    )
    tag = Template("{% load idea_tags %}{% idea_status_badge idea.status %}")
    assert tag.render(Context({"idea": idea})) == old
    include = Template(
        '{% include "ideas/includes/idea_status_badge.html" with status=idea.status '
        "label=idea.get_status_display only %}"
    )
    assert include.render(Context({"idea": idea})).strip() == old


@pytest.mark.parametrize("source", Idea.Source.values)
def test_the_source_filter_gives_the_display_text(source):
    idea = Idea(source=source)
    rendered = Template("{% load idea_tags %}{{ idea.source|idea_source }}")
    assert rendered.render(Context({"idea": idea})) == idea.get_source_display()


@pytest.mark.parametrize(
    ("persona", "sees_other_caf"), [("lab_staff", True), ("correspondent_a", False)]
)
def test_the_reviewers_list_reads_as_the_field_labels_them(
    client, request, caf_a, caf_b, persona, sees_other_caf
):
    other = UserFactory(role=Role.CORRESPONDENT, caf=caf_b, first_name="Zoé", last_name="Z")
    nameless = UserFactory(role=Role.LAB_STAFF, first_name="", last_name="", email="x@lab.example")
    IdeaFactory(caf=caf_a)
    user = request.getfixturevalue(persona)
    client.force_login(user)
    field = client.get(TRIAGE).context["assign_form"].fields["reviewer"]
    labels = dict(field.choices)
    expected = {
        person.pk: ReviewerChoiceField.label_from_instance(field, person)
        for person in field.queryset
    }
    assert {pk: label for pk, label in labels.items() if pk} == expected
    assert (other.pk in labels) is sees_other_caf
    assert labels[nameless.pk].startswith("x@lab.example (")


def test_an_assignment_to_someone_off_the_list_is_refused(client, correspondent_a, caf_b):
    idea = IdeaFactory(caf=correspondent_a.caf)
    other = UserFactory(role=Role.CORRESPONDENT, caf=caf_b)
    client.force_login(correspondent_a)
    client.post(reverse("ideas:triage-assign"), {"idees": [idea.pk], "reviewer": other.pk})
    idea.refresh_from_db()
    assert idea.reviewer is None


def test_replies_are_written_inside_their_thread_and_answer_it(client, agent_a, agent_b):
    idea = IdeaFactory(caf=agent_a.caf)
    first = services.idea_comment_add(idea=idea, by=agent_a, text="Premier.", parent=None)
    reply = services.idea_comment_add(idea=idea, by=agent_b, text="Réponse.", parent=first)
    latest = services.idea_comment_add(idea=idea, by=agent_b, text="Seul.", parent=None)
    client.force_login(agent_b)
    html = normalised(client.get(reverse("ideas:idea-detail", args=[idea.pk])).content.decode())
    at = {c.pk: html.index(f'id="commentaire-{c.pk}"') for c in (first, reply, latest)}
    # The latest thread first, without a block of replies; then the first one and its reply
    # (the shared thread markup, includes/comment_thread.html, nests replies in a list).
    replies = '<ul class="list-unstyled comment-replies">'
    assert replies not in html[at[latest.pk] : at[first.pk]]
    thread = html[at[first.pk] :]
    assert thread.count(replies) == 1
    assert thread.index(replies) < thread.index(f'id="commentaire-{reply.pk}"')
    # The thread is answered as a whole (one form, as on initiatives and contributions): the
    # reply posts the thread's first comment, never the reply's.
    assert thread.count(f'name="commentaire-parent" value="{first.pk}"') == 1
    assert f'name="commentaire-parent" value="{reply.pk}"' not in html
