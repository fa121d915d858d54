"""The notifications' sections of "my data" (caflab.accounts.personal_data): in-app
notifications, e-mails sent, follows. Erased with the account."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.notifications.models import Follow, Notification, OutboxMail


def export_notifications(user) -> list[dict]:
    return [
        {
            _("Titre"): n.title,
            _("Texte"): n.body,
            _("Lien"): n.url,
            _("Reçue le"): n.created_at,
            _("Lue le"): n.read_at,
        }
        for n in Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
    ]


def export_mails(user) -> list[dict]:
    return [
        {_("Objet"): m.subject, _("État"): m.get_status_display(), _("Créé le"): m.created_at}
        for m in OutboxMail.objects.filter(recipient=user).order_by("-created_at", "-pk")
    ]


def export_follows(user) -> list[dict]:
    return [
        {
            _("Objet suivi"): f"{f.content_type.name} n°{f.object_id}",
            _("Suivi depuis le"): f.created_at,
        }
        for f in Follow.objects.filter(user=user).select_related("content_type")
    ]


def erase(user) -> None:
    OutboxMail.objects.filter(recipient=user).delete()
    Notification.objects.filter(recipient=user).delete()
    Follow.objects.filter(user=user).delete()


def register() -> None:
    personal_data.register(
        "notifications.notifications",
        gettext_lazy("Vos notifications"),
        export=export_notifications,
        erase=erase,
        order=80,
        covers=[("notifications.Notification", "recipient")],
    )
    personal_data.register(
        "notifications.mails",
        gettext_lazy("Les e-mails qui vous ont été envoyés"),
        export_mails,
        order=81,
        covers=[("notifications.OutboxMail", "recipient")],
    )
    personal_data.register(
        "notifications.follows",
        gettext_lazy("Ce que vous suivez"),
        export_follows,
        order=82,
        covers=[("notifications.Follow", "user")],
    )
