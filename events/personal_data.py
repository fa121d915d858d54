"""The events' sections of "my data" (caflab.accounts.personal_data): a person's registrations
(with their attendance), and their name on the events they organised, the status changes they
made and the materials they shared. On erasure, registrations to events not yet started are
cancelled (the waiting list moves up), and every registration loses the person's name: the
year's figures keep the attendance, counted per Caf and directorate, of nobody."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution
from events.models import (
    CalendarKey,
    DebateProposal,
    Event,
    EventStatusChange,
    Material,
    Registration,
    Satisfaction,
)

ATTRIBUTIONS = [
    Attribution(Event, "created_by", gettext_lazy("Créé par vous"), "title"),
    Attribution(Event, "organisers", gettext_lazy("Organisé par vous"), "title", "starts_at"),
    Attribution(
        EventStatusChange,
        "changed_by",
        gettext_lazy("Statut changé par vous"),
        "event__title",
        "changed_at",
    ),
    Attribution(Material, "uploaded_by", gettext_lazy("Déposé par vous"), "name"),
    Attribution(DebateProposal, "created_by", gettext_lazy("Saisie par vous"), "text"),
    Attribution(
        Satisfaction,
        "sent_by",
        gettext_lazy("Questionnaire de satisfaction envoyé par vous"),
        "event__title",
    ),
]


def export_registrations(user) -> list[dict]:
    attended = {True: _("oui"), False: _("non"), None: _("non relevée")}
    return [
        {
            _("Événement"): r.event.title,
            _("Date"): r.event.starts_at,
            _("Statut"): r.get_status_display(),
            _("Inscrit(e) le"): r.registered_at,
            _("Annulée le"): r.cancelled_at,
            _("Présence"): attended[r.attended],
        }
        for r in Registration.objects.filter(user=user)
        .select_related("event")
        .order_by("registered_at", "pk")
    ]


def export_calendar(user) -> list[dict]:
    return [
        {_("Lien d’abonnement à l’agenda, version"): key.version, _("Renouvelé le"): key.rotated_at}
        for key in CalendarKey.objects.filter(user=user)
    ]


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase(user) -> None:
    from events.services import registration_cancel

    upcoming = Registration.objects.live().filter(user=user, event__starts_at__gt=timezone.now())
    for registration in upcoming:
        registration_cancel(registration=registration, by=user)
    Registration.objects.filter(user=user).update(user=None)
    personal_data.leave_places(user, ATTRIBUTIONS)
    # Renewing the calendar link (rather than deleting its row, which would bring back version
    # 1) makes every link the person handed to a calendar application answer 404.
    from events.calendar_feed import calendar_key_rotate

    calendar_key_rotate(user=user)


def register() -> None:
    personal_data.register(
        "events.registrations",
        gettext_lazy("Vos inscriptions aux événements"),
        export=export_registrations,
        erase=erase,
        order=65,
        covers=[("events.Registration", "user"), *[a.cover for a in ATTRIBUTIONS]],
    )
    personal_data.register(
        "events.calendar",
        gettext_lazy("Votre lien d’abonnement à l’agenda des événements"),
        export_calendar,
        order=67,
        covers=[("events.CalendarKey", "user")],
    )
    personal_data.register(
        "events.activity",
        gettext_lazy("Votre nom sur les événements"),
        export_activity,
        order=66,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
