import datetime

import pytest
from django.utils import timezone

from caflab.notifications.models import Notification
from ideas.models import Idea
from ideas.tasks import remind_shelved_ideas
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.django_db


def test_a_shelved_idea_comes_back_to_the_lab_and_its_cafs_correspondents_once(
    lab_staff, correspondent_a, agent_a, caf_a, caf_b
):
    today = timezone.localdate()
    due = IdeaFactory(author=agent_a, caf=caf_a, status=Idea.Status.SHELVED, revisit_on=today)
    IdeaFactory(
        author=agent_a,
        caf=caf_b,
        status=Idea.Status.SHELVED,
        revisit_on=today + datetime.timedelta(5),
    )
    assert remind_shelved_ideas() == 2
    assert remind_shelved_ideas() == 0
    reminded = Notification.objects.filter(kind__startswith="idea.revisit")
    assert set(reminded.values_list("recipient", flat=True)) == {lab_staff.pk, correspondent_a.pk}
    assert {n.url for n in reminded} == {due.get_absolute_url()}
