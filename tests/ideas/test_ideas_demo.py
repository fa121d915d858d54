"""The idea box's demo data: about 150 ideas across statuses and sources, linked to the demo
portfolio, loaded once, without notifications."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType

from caflab.accounts import demo as accounts_demo
from caflab.notifications.models import Notification, OutboxMail
from ideas import demo as demo_ideas
from ideas.models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport
from projects import demo as portfolio_demo
from projects.models import ProjectOrigin

pytestmark = pytest.mark.django_db


def test_the_demo_idea_box_covers_every_status_and_is_loaded_once():
    out = io.StringIO()
    accounts_demo.seed(out)
    portfolio_demo.seed(out)
    demo_ideas.seed(out)
    count = Idea.objects.count()
    demo_ideas.seed(out)
    assert Idea.objects.count() == count
    assert 140 <= count <= 160
    assert set(Idea.objects.values_list("status", flat=True)) == set(Idea.Status.values)
    # The box, the challenges and the sessions; ideas from consultations and criées are only
    # born of real contributions and initiatives (seed_lineage), none here without them.
    assert set(Idea.objects.values_list("source", flat=True)) == {"box", "challenge", "session"}
    for idea in Idea.objects.filter(status=Idea.Status.ACCEPTED):
        assert ProjectOrigin.objects.filter(
            project=idea.project,
            content_type=ContentType.objects.get_for_model(Idea),
            object_id=idea.pk,
        ).exists()
    assert not Idea.objects.filter(merged_into__status=Idea.Status.MERGED).exists()
    # every idea has its history, ending with its current status
    for idea in Idea.objects.prefetch_related("status_changes"):
        history = sorted(idea.status_changes.all(), key=lambda c: c.changed_at)
        assert history[-1].to_status == idea.status
    assert IdeaSupport.objects.count() > count
    assert IdeaComment.objects.filter(parent__isnull=False).exists()
    assert IdeaStatusChange.objects.exclude(reason="").count() == IdeaStatusChange.objects.count()
    assert not Notification.objects.exists()
    assert not OutboxMail.objects.exists()


def test_the_demo_turns_contributions_and_initiatives_into_ideas_through_the_services():
    from tests.accounts.factories import UserFactory
    from tests.criees.factories import InitiativeFactory
    from tests.ecoute.factories import ConsultationFactory, ContributionFactory
    from tests.projects.factories import ProjectFactory

    UserFactory(email="labo@caflab.demo", lab=True)
    ProjectFactory()
    call = ConsultationFactory(collects_contributions=True)
    contributions = ContributionFactory.create_batch(3, consultation=call)
    ContributionFactory(consultation=call, status="pending")  # not offered: nothing made of it
    initiatives = InitiativeFactory.create_batch(2)
    out = io.StringIO()
    demo_ideas.seed_lineage(out)
    demo_ideas.seed_lineage(out)  # once
    born = Idea.objects.filter(origin_type__isnull=False)
    assert {idea.origin for idea in born} == {*contributions, *initiatives}
    assert set(born.values_list("source", flat=True)) == {"consultation", "criee"}
    accepted = born.filter(status=Idea.Status.ACCEPTED)
    assert accepted.count() == 2  # the first of each kind
    for idea in accepted:
        assert ProjectOrigin.objects.filter(project=idea.project, object_id=idea.origin_id).exists()
