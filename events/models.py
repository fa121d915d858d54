"""Events of the lab and the network: trainings, debates, webinars, learning expeditions, demo
days and workshops; who registers to them (with a waiting list), who came, and the materials
shared afterwards.

An event is seen only by its audience (`Event.objects.visible_to`); who may register among them
is its eligibility (`Event.refusal_for`), checked by the registration service."""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import NETWORK_ROLES, Role
from caflab.core.models import TimeStampedModel
from caflab.core.queries import count_of
from caflab.core.uploads import get_private_storage, random_filename
from caflab.core.workflow import StatusChangeBase
from caflab.network.models import Caf, Directorate, Programme, Theme

if TYPE_CHECKING:
    from caflab.accounts.models import User

# The roles an organiser may restrict registration to (the others never see the event's
# audience anyway, or manage the platform).
ELIGIBLE_ROLE_CHOICES = [
    (role.value, role.label)
    for role in (
        Role.LAB_STAFF,
        Role.CORRESPONDENT,
        Role.AGENT,
        Role.DIRECTORATE,
        Role.PARTNER,
        Role.CITIZEN,
    )
]


class EventQuerySet(models.QuerySet["Event"]):
    def visible_to(self, user: "User") -> "EventQuerySet":
        """The lab sees every event. Organisers see theirs, and a correspondent his Caf's, at
        every status. Everyone else sees the events that are out of draft and meant for them:
        the network's for network staff, a directorate's for its members, some Caf's for the
        agents of those Caf, the partners' for partners and the network, the citizens' for
        every signed-in person. Anonymous visitors see nothing."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_lab_staff:
            return self
        Audience = Event.Audience
        audience = Q(audience=Audience.CITIZENS)
        if user.is_network_member:
            audience |= Q(audience__in=[Audience.NETWORK, Audience.PARTNERS])
            if user.directorate_id:
                audience |= Q(audience=Audience.DIRECTORATE, directorate=user.directorate_id)
            if user.caf_id:
                in_cafs = Event.cafs.through.objects.filter(event=OuterRef("pk"), caf=user.caf_id)
                audience |= Q(audience=Audience.CAFS) & Q(Exists(in_cafs))
        elif user.is_partner:
            audience |= Q(audience=Audience.PARTNERS)
        scope = ~Q(status=Event.Status.DRAFT) & audience
        organising = Event.organisers.through.objects.filter(event=OuterRef("pk"), user=user)
        scope |= Q(Exists(organising))
        if user.is_correspondent and user.caf_id:
            scope |= Q(caf=user.caf_id)
        return self.filter(scope)

    def listed(self) -> "EventQuerySet":
        """What the catalogue lists: published, held or cancelled (never drafts)."""
        return self.exclude(status=Event.Status.DRAFT)

    def upcoming(self, now: datetime.datetime | None = None) -> "EventQuerySet":
        return self.filter(
            status=Event.Status.PUBLISHED, ends_at__gte=now or timezone.now()
        ).order_by("starts_at", "pk")

    def with_card_data(self) -> "EventQuerySet":
        """Everything a catalogue card reads, so the page costs a fixed number of queries."""
        return (
            self.select_related("caf", "programme", "directorate")
            .prefetch_related("themes")
            .annotate(n_confirmed=count_of(Registration, "event", status="confirmed"))
        )


class Event(TimeStampedModel):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Formation")
        DEBATE = "debate", _("Débat")
        WEBINAR = "webinar", _("Webinaire")
        EXPEDITION = "expedition", _("Expédition apprenante")
        DEMO_DAY = "demo_day", _("Journée de démonstration")
        WORKSHOP = "workshop", _("Atelier")

    class Audience(models.TextChoices):
        NETWORK = "network", _("Tout le réseau")
        DIRECTORATE = "directorate", _("Une direction de la Cnaf")
        CAFS = "cafs", _("Certaines Caf")
        PARTNERS = "partners", _("Les partenaires (et le réseau)")
        CITIZENS = "citizens", _("Les usagers (et tous les inscrits)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publié")
        CANCELLED = "cancelled", _("Annulé")
        HELD = "held", _("Tenu")

    kind = models.CharField(_("type"), max_length=12, choices=Kind, db_index=True)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"))
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="events", verbose_name=_("thèmes")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("programme"),
    )
    # The organising Caf (its correspondents manage the event); none for a national event.
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("Caf organisatrice"),
    )
    audience = models.CharField(
        _("public"), max_length=12, choices=Audience, default=Audience.NETWORK
    )
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("direction concernée"),
    )
    # For the "some Caf" audience: who sees the event. For any other audience: when set, only
    # the agents of these Caf may register (eligibility by Caf).
    cafs = models.ManyToManyField(
        Caf,
        blank=True,
        related_name="targeted_events",
        verbose_name=_("Caf concernées"),
        help_text=_(
            "Public « certaines Caf » : les Caf qui voient l’événement. Autres publics : "
            "si renseigné, seuls les agents de ces Caf peuvent s’inscrire."
        ),
    )
    eligible_roles = models.JSONField(
        _("rôles admis à s’inscrire"),
        default=list,
        blank=True,
        help_text=_("Vide : toute personne du public visé peut s’inscrire."),
    )
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    online_url = models.URLField(_("lien de connexion"), blank=True)
    starts_at = models.DateTimeField(_("début"), db_index=True)
    ends_at = models.DateTimeField(_("fin"))
    seats = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    registration_opens_at = models.DateTimeField(_("ouverture des inscriptions"))
    registration_closes_at = models.DateTimeField(_("clôture des inscriptions"))
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organised_events",
        verbose_name=_("organisateurs"),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    cancel_reason = models.TextField(_("motif de l’annulation"), blank=True)
    # After a debate (or a workshop): what was said, and the proposals that came out of it
    # (DebateProposal), each of which can become an idea of the box.
    synthesis = models.TextField(_("synthèse"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["status", "starts_at"], name="event_status_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_it_starts",
                violation_error_message=_("La fin doit suivre le début."),
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="event_registration_window",
                violation_error_message=_(
                    "La clôture des inscriptions doit suivre leur ouverture."
                ),
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="event_has_seats"),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""),
                name="event_has_place_or_link",
                violation_error_message=_("Indiquez un lieu ou un lien de connexion."),
            ),
            models.CheckConstraint(
                condition=~Q(audience="directorate") | Q(directorate__isnull=False),
                name="event_directorate_audience_names_it",
                violation_error_message=_("Choisissez la direction concernée."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = gettext("La fin doit suivre le début.")
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            errors["registration_closes_at"] = gettext(
                "La clôture des inscriptions doit suivre leur ouverture."
            )
        if closes and self.ends_at and closes > self.ends_at:
            errors["registration_closes_at"] = gettext(
                "Les inscriptions doivent être closes avant la fin de l’événement."
            )
        if not (self.place or self.online_url):
            errors["place"] = gettext("Indiquez un lieu ou un lien de connexion.")
        if self.audience == self.Audience.DIRECTORATE and not self.directorate_id:
            errors["directorate"] = gettext("Choisissez la direction concernée.")
        unknown = set(self.eligible_roles or []) - {
            value for value, _label in ELIGIBLE_ROLE_CHOICES
        }
        if unknown:
            errors["eligible_roles"] = gettext("Rôle inconnu.")
        if errors:
            raise ValidationError(errors)

    # --- facts ---------------------------------------------------------------------------------

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @property
    def is_on_site(self) -> bool:
        return bool(self.place)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def is_registration_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.registration_opens_at <= now < self.registration_closes_at
        )

    def window_refusal(self, now: datetime.datetime | None = None) -> str:
        """Why nobody may register now ("" when registrations are open), in French."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return gettext("Cet événement est annulé.")
        if self.status != self.Status.PUBLISHED:
            return gettext("Cet événement n’est pas ouvert aux inscriptions.")
        if now < self.registration_opens_at:
            return gettext("Les inscriptions ouvriront le %(date)s.") % {
                "date": _local(self.registration_opens_at)
            }
        if now >= self.registration_closes_at:
            return gettext("Les inscriptions sont closes depuis le %(date)s.") % {
                "date": _local(self.registration_closes_at)
            }
        return ""

    def eligibility_refusal(self, user: "User", caf_ids: set[int] | None = None) -> str:
        """Why `user` may not register to this event ("" when they may), in French.
        `caf_ids`: the event's Caf ids, when the caller already read them."""
        roles = self.eligible_roles or []
        if roles and user.role not in roles:
            labels = ", ".join(str(Role(role).label) for role in roles)
            return gettext("Cet événement est réservé aux profils suivants : %(roles)s.") % {
                "roles": labels
            }
        if caf_ids is None:
            caf_ids = set(self.cafs.values_list("pk", flat=True))
        if caf_ids and user.caf_id not in caf_ids:
            return gettext("Cet événement est réservé aux agents des Caf concernées.")
        if self.audience == self.Audience.DIRECTORATE and not (
            user.is_lab_staff or user.directorate_id == self.directorate_id
        ):
            return gettext("Cet événement est réservé aux membres de la direction concernée.")
        if self.audience == self.Audience.NETWORK and user.role not in NETWORK_ROLES:
            return gettext("Cet événement est réservé aux agents du réseau.")
        return ""


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y à %H:%M")


class EventStatusChange(StatusChangeBase):
    """The status history of an event: published, cancelled (with its reason), held."""

    subject_field = "event"

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("événement")
    )
    from_status = models.CharField(_("de"), max_length=10, choices=Event.Status, blank=True)
    to_status = models.CharField(_("vers"), max_length=10, choices=Event.Status)

    class Meta:
        verbose_name = _("changement de statut d’événement")
        verbose_name_plural = _("changements de statut d’événements")
        ordering = ["event", "changed_at"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.from_status or '∅'} → {self.to_status}"


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def live(self) -> "RegistrationQuerySet":
        return self.exclude(status=Registration.Status.CANCELLED)

    def waiting_order(self) -> "RegistrationQuerySet":
        return self.filter(status=Registration.Status.WAITING).order_by("registered_at", "pk")


LIVE = Q(status__in=["confirmed", "waiting"])


class Registration(models.Model):
    """A person's place at an event (or on its waiting list), and whether they came. The Caf
    and directorate are those of the person when they registered: the figures of a year do not
    move when someone changes Caf."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscription confirmée")
        WAITING = "waiting", _("Liste d’attente")
        CANCELLED = "cancelled", _("Annulée")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("événement")
    )
    # Emptied when the person erases their account: the year's figures keep the attendance.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name=_("personne"),
    )
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Caf de la personne"),
    )
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("direction de la personne"),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status)
    registered_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("sortie de la liste d’attente le"), null=True, blank=True)
    # Attendance, taken by the organiser after the event: None until it is taken.
    attended = models.BooleanField(_("présent"), null=True, blank=True)
    # The reminder of the day before is claimed by the task that sends it: never twice.
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription à un événement")
        verbose_name_plural = _("inscriptions aux événements")
        ordering = ["event", "registered_at", "pk"]
        indexes = [
            models.Index(fields=["event", "status", "registered_at"], name="event_reg_order_idx"),
            models.Index(fields=["user", "status"], name="event_reg_user_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=LIVE,
                name="event_registration_once",
                violation_error_message=_("Vous êtes déjà inscrit(e)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} – {self.event_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.CANCELLED


def material_upload_to(instance: "Material", filename: str) -> str:
    """A random name on disk (never the uploader's), in a folder per event."""
    return f"events/{instance.event_id}/{random_filename(filename)}"


class Material(TimeStampedModel):
    """A file shared after (or before) an event: slides, notes. Stored privately and served by a
    view that checks the event is visible to the person."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="materials", verbose_name=_("événement")
    )
    file = models.FileField(
        _("fichier"), upload_to=material_upload_to, storage=get_private_storage, max_length=255
    )
    name = models.CharField(_("nom du fichier"), max_length=150)
    description = models.CharField(_("description"), max_length=200, blank=True)
    content_type = models.CharField(_("type de contenu"), max_length=120)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )

    class Meta:
        verbose_name = _("support d’événement")
        verbose_name_plural = _("supports d’événements")
        ordering = ["event", "created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:material", kwargs={"pk": self.pk})


class DebateProposalQuerySet(models.QuerySet["DebateProposal"]):
    def visible_to(self, user) -> "DebateProposalQuerySet":
        """Whoever sees the event."""
        return self.filter(event__in=Event.objects.visible_to(user))


class DebateProposal(TimeStampedModel):
    """A proposal that came out of an event (a debate, a workshop…), written by its organisers
    in the synthesis. The lab, or the correspondent of the event's Caf, turns it into an idea
    of the box (projects.origins); those who came are told what became of it. Never deleted
    once written: an idea may point to it."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("événement")
    )
    text = models.TextField(_("proposition"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )

    objects = DebateProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposition issue d’un événement")
        verbose_name_plural = _("propositions issues des événements")
        ordering = ["event", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("events:proposal", kwargs={"pk": self.pk})


# --- after the event: the satisfaction questionnaire ---------------------------------------


class SatisfactionTemplateQuerySet(models.QuerySet["SatisfactionTemplate"]):
    def default(self) -> "SatisfactionTemplate | None":
        return self.filter(is_default=True).select_related("questionnaire").first()


class SatisfactionTemplate(TimeStampedModel):
    """The lab's satisfaction questionnaire (écoute's engine: a questionnaire with no
    consultation), copied for each event whose organisers send one. The lab edits its questions
    in the admin (écoute's questionnaires); a copy already sent never changes. Its first scale
    question is the event's overall rating, which the figures average."""

    name = models.CharField(_("nom"), max_length=150)
    questionnaire = models.OneToOneField(
        "ecoute.Questionnaire",
        on_delete=models.PROTECT,
        related_name="satisfaction_template",
        verbose_name=_("questionnaire"),
    )
    is_default = models.BooleanField(_("modèle par défaut"), default=True)

    objects = SatisfactionTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("modèle de questionnaire de satisfaction")
        verbose_name_plural = _("modèles de questionnaire de satisfaction")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="satisfaction_template_one_default",
                violation_error_message=_("Un seul modèle peut être celui par défaut."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class SatisfactionQuerySet(models.QuerySet["Satisfaction"]):
    def open_to(self, user: "User") -> "SatisfactionQuerySet":
        """The questionnaires of the events `user` came to (attendance taken: present)."""
        came = Registration.objects.filter(
            event=OuterRef("event"),
            user=user,
            status=Registration.Status.CONFIRMED,
            attended=True,
        )
        return self.filter(Exists(came))


class Satisfaction(TimeStampedModel):
    """An event's satisfaction questionnaire: an écoute consultation reserved to the people who
    came (ecoute.reserved), its questionnaire copied from the template. Those who came are
    invited once; each answers once (écoute's one-answer rule); the event's page and the
    figures read its results, a group under écoute's minimum size masked."""

    event = models.OneToOneField(
        Event, on_delete=models.PROTECT, related_name="satisfaction", verbose_name=_("événement")
    )
    consultation = models.OneToOneField(
        "ecoute.Consultation",
        on_delete=models.PROTECT,
        related_name="event_satisfaction",
        verbose_name=_("consultation"),
    )
    # The copy of the template's overall rating (its first scale question): the figures' mean.
    rating_question = models.ForeignKey(
        "ecoute.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question de la note globale"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyé par"),
    )
    # Claimed by the task that tells the people who came: never twice.
    invited_at = models.DateTimeField(_("invitations parties le"), null=True, blank=True)
    n_invited = models.PositiveIntegerField(_("personnes invitées"), default=0)

    objects = SatisfactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire de satisfaction d’un événement")
        verbose_name_plural = _("questionnaires de satisfaction des événements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.event)


# --- "mes inscriptions" as a calendar --------------------------------------------------------


class CalendarKey(models.Model):
    """The version of a person's calendar subscription link. The link carries a signed token
    naming the person and this version; regenerating the link bumps the version, so every
    older link answers 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_calendar_key",
        verbose_name=_("personne"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    rotated_at = models.DateTimeField(_("lien renouvelé le"), default=timezone.now)

    class Meta:
        verbose_name = _("lien d’abonnement à l’agenda")
        verbose_name_plural = _("liens d’abonnement à l’agenda")

    def __str__(self) -> str:
        return f"{self.user_id} (v{self.version})"
