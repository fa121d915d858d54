"""The idea box's demo data: about 150 ideas across statuses and sources, linked to the demo
portfolio, loaded once, without notifications."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType

from caflab.accounts import demo as accounts_demo
from caflab.notifications.models import Notification, OutboxMail
from projects import demo as portfolio_demo
from projects import demo_ideas
from projects.models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport, ProjectOrigin

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
    # The idea box's own sources; the sessions demo (run with the portfolio) adds the others.
    assert set(Idea.objects.values_list("source", flat=True)) >= {"box", "consultation", "criee"}
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
