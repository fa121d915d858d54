import factory
from factory.django import DjangoModelFactory

from caflab.notifications.models import Notification, OutboxMail
from tests.accounts.factories import UserFactory


class NotificationFactory(DjangoModelFactory):
    """An in-app notification written directly (tests of the centre); flows use `notify`."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory, citizen=True)
    kind = "test.event"
    title = factory.Sequence(lambda n: f"Notification numéro {n}")
    body = ""
    url = ""


class OutboxMailFactory(DjangoModelFactory):
    class Meta:
        model = OutboxMail

    recipient = factory.SubFactory(UserFactory, citizen=True)
    kind = OutboxMail.Kind.IMMEDIATE
    subject = factory.Sequence(lambda n: f"[CafLab] Message {n}")
    body = "Bonjour,\n\nUn message de test.\n"
