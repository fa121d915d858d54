"""Consultations of "La Caf à votre écoute": who is consulted, where, when, under which privacy
notice, and what they are asked (a questionnaire; contributions and recruitment plug in on the
same consultation). A community consultation is reserved to the members of its communities."""

import datetime
from collections.abc import Callable
from typing import Any

import pghistory
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from caflab.core.audit import before_and_after, event_meta
from caflab.core.errors import InvalidState
from caflab.core.models import TimeStampedModel
from caflab.core.workflow import StatusChangeBase, Workflow, transition
from caflab.network.models import Caf
from caflab.search.indexing import search_indexes, search_vector_trigger
from ecoute.models.communities import Membership
from ecoute.reserved import open_to_q, reserved_q

DEFAULT_RIGHTS = _(
    "Vous pouvez accéder aux données vous concernant, les rectifier, demander leur effacement "
    "ou exercer votre droit à la limitation du traitement. Vous pouvez aussi adresser une "
    "réclamation à la CNIL (www.cnil.fr)."
)


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def published(self) -> "ConsultationQuerySet":
        """Announced, open or finished: everything but drafts."""
        return self.exclude(status=Consultation.Status.DRAFT)

    def open(self) -> "ConsultationQuerySet":
        return self.filter(status=Consultation.Status.OPEN)

    def managed_by(self, user) -> "ConsultationQuerySet":
        """The consultations `user` runs: all of them for the lab and moderators, their Caf's
        for a correspondent, none for anyone else."""
        if not user.is_authenticated:
            return self.none()
        if user.is_lab_staff or user.is_moderator:
            return self
        if user.is_correspondent and user.caf_id:
            return self.filter(caf=user.caf_id)
        return self.none()

    def visible_to(self, user) -> "ConsultationQuerySet":
        """Who reads which consultation (hidden → 404). Drafts: their managers only. Public
        consultations: everyone, anonymous visitors included. Agents-only ones: the network's
        members. Community ones: the active members of one of its communities."""
        access = Q(access=Consultation.Access.PUBLIC)
        if user.is_authenticated and user.is_network_member:
            access |= Q(access=Consultation.Access.AGENTS)
        if user.is_authenticated:
            member_of = Membership.objects.active().filter(user=user).values("community_id")
            access |= Q(access=Consultation.Access.COMMUNITY, communities__in=member_of)
        reserved_for_user = open_to_q(user)  # ecoute.reserved: e.g. an event's attendees
        if reserved_for_user is not None:
            access |= Q(access=Consultation.Access.COMMUNITY) & reserved_for_user
        readable = Q(pk__in=self.model.objects.published().filter(access).values("pk"))
        managed = Q(pk__in=self.model.objects.managed_by(user).values("pk"))
        return self.filter(readable | managed)

    def unreserved(self) -> "ConsultationQuerySet":
        """Without the consultations another app reserves to its own people (ecoute.reserved):
        the lists shared by everyone of a visibility key never show them."""
        reserved = reserved_q()
        return self if reserved is None else self.exclude(reserved)

    def restitution_due(self) -> "ConsultationQuerySet":
        """Closed (results published or not) and no restitution published yet: the people who
        took part are owed one. An archived consultation is not due: it was archived with its
        restitution or, by the lab, with the reason there is none. A consultation another app
        reserves (an event's satisfaction questionnaire, ecoute.reserved) owes none: its
        results go back to the organisers."""
        return (
            self.unreserved()
            .filter(status__in=[Consultation.Status.CLOSED, Consultation.Status.RESULTS_PUBLISHED])
            .exclude(restitution__status="published")
        )

    def restitution_overdue(self, today: datetime.date | None = None) -> "ConsultationQuerySet":
        """Due, and closed for `ECOUTE_RESTITUTION_REMINDER_DAYS` days or more on `today`."""
        today = today or timezone.localdate()
        limit = today - datetime.timedelta(days=restitution_reminder_days())
        return self.restitution_due().filter(closes_at__date__lte=limit)

    def with_restitution_state(self, today: datetime.date | None = None) -> "ConsultationQuerySet":
        """Annotate `restitution_state`: "overdue", "due" (see the two methods above) or "",
        in the list's own query (the manage list's badge)."""
        from ecoute.models.restitution import Restitution

        today = today or timezone.localdate()
        limit = today - datetime.timedelta(days=restitution_reminder_days())
        due = Q(
            status__in=[Consultation.Status.CLOSED, Consultation.Status.RESULTS_PUBLISHED]
        ) & ~Exists(Restitution.objects.published().filter(consultation=OuterRef("pk")))
        return self.annotate(
            restitution_state=Case(
                When(due & Q(closes_at__date__lte=limit), then=Value("overdue")),
                When(due, then=Value("due")),
                default=Value(""),
                output_field=models.CharField(),
            )
        )

    def with_list_data(self) -> "ConsultationQuerySet":
        return self.select_related("caf", "owner").prefetch_related("perimeter_cafs")

    def for_cards(self) -> "ConsultationQuerySet":
        """What a consultation card reads (ecoute/includes/consultation_card.html): a few
        columns, no join; its perimeter's Caf are prefetched by the caller."""
        return self.only(
            "title",
            "slug",
            "summary",
            "audience",
            "access",
            "allow_anonymous",
            "status",
            "opens_at",
            "closes_at",
        )


def restitution_reminder_days() -> int:
    """N: the owner is reminded N days after closing, the lab at 2N, the sponsor at 3N."""
    return int(getattr(settings, "ECOUTE_RESTITUTION_REMINDER_DAYS", 30))


def visibility_key(user) -> str:
    """A key shared by the users who see the same consultations (`visible_to`): anonymous
    visitors, then the signed-in by network membership, by active community memberships (one
    query) and by what they manage. Lists cached under it are never shown to anyone who would
    see other consultations."""
    if not user.is_authenticated:
        return "public"
    if user.is_lab_staff or user.is_moderator:
        managed = "all"
    elif user.is_correspondent and user.caf_id:
        managed = f"caf{user.caf_id}"
    else:
        managed = "none"
    communities = sorted(
        Membership.objects.active().filter(user=user).values_list("community_id", flat=True)
    )
    agents = "agents" if user.is_network_member else "citizens"
    return f"{agents}:{managed}:{'.'.join(map(str, communities)) or '-'}"


class ContributionKind(models.TextChoices):
    IDEAS = "ideas", _("Appel à idées")
    TESTIMONIES = "testimonies", _("Témoignages sur un service")


class ModerationMode(models.TextChoices):
    BEFORE = "before", _("Avant publication (a priori)")
    AFTER = "after", _("Après publication (a posteriori)")


# What the audit trail keeps of a consultation: its status and the settings that decide who is
# consulted, who may answer and how (the perimeter's Caf are tracked below, by their table).
AUDITED_CONSULTATION_FIELDS = [
    "status",
    "audience",
    "caf",
    "access",
    "allow_anonymous",
    "opens_at",
    "closes_at",
    "collects_contributions",
    "moderation_mode",
    "privacy_retention_months",
    "owner",
]


@pghistory.track(
    *before_and_after(*AUDITED_CONSULTATION_FIELDS),
    fields=AUDITED_CONSULTATION_FIELDS,
    model_name="ConsultationEvent",
    meta=event_meta(_("historique : consultation"), _("historique : consultations")),
)
class Consultation(TimeStampedModel):
    ContributionKind = ContributionKind
    ModerationMode = ModerationMode

    class Audience(models.TextChoices):
        CITIZENS = "citizens", _("Les usagers")
        AGENTS = "agents", _("Les agents")
        BOTH = "both", _("Les usagers et les agents")

    class Access(models.TextChoices):
        PUBLIC = "public", _("Publique : ouverte à tous")
        AGENTS = "agents", _("Réservée aux agents du réseau")
        # The active members of the consultation's communities (see `communities`).
        COMMUNITY = "community", _("Réservée à une communauté invitée")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SCHEDULED = "scheduled", _("Programmée")
        OPEN = "open", _("Ouverte")
        # A context keeps Django's own French "Close" ("Fermer", a button) out of the way.
        CLOSED = "closed", pgettext_lazy("consultation status", "Close")
        RESULTS_PUBLISHED = "results_published", _("Résultats publiés")
        ARCHIVED = "archived", _("Archivée")

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), max_length=80, unique=True)
    summary = models.CharField(_("résumé"), max_length=400)
    body = models.TextField(_("présentation"), blank=True)
    audience = models.CharField(
        _("public consulté"), max_length=10, choices=Audience, default=Audience.CITIZENS
    )
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("Caf organisatrice"),
        help_text=_("Vide pour une consultation du CafLab national."),
    )
    perimeter_cafs = models.ManyToManyField(
        Caf,
        blank=True,
        related_name="+",
        verbose_name=_("périmètre"),
        help_text=_("Les Caf concernées ; aucune : consultation nationale."),
    )
    access = models.CharField(_("accès"), max_length=10, choices=Access, default=Access.PUBLIC)
    allow_anonymous = models.BooleanField(
        _("réponses anonymes"),
        default=False,
        help_text=_(
            "Sans compte ni lien entre la réponse et la personne : ni nom, ni adresse IP, "
            "la date au jour près."
        ),
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    opens_at = models.DateTimeField(_("ouverture"), null=True, blank=True)
    closes_at = models.DateTimeField(_("clôture"), null=True, blank=True)
    # The privacy notice (RGPD art. 13), shown on the consultation and next to the form.
    privacy_controller = models.CharField(
        _("responsable du traitement"),
        max_length=200,
        default="Caisse nationale des allocations familiales",
    )
    privacy_purpose = models.TextField(_("finalité"), blank=True)
    privacy_retention_months = models.PositiveSmallIntegerField(
        _("durée de conservation (mois)"), default=12
    )
    privacy_contact = models.CharField(_("contact pour vos droits"), max_length=200, blank=True)
    privacy_rights = models.TextField(_("vos droits"), default=DEFAULT_RIGHTS)
    projects = models.ManyToManyField(
        "projects.Project",
        blank=True,
        related_name="consultations",
        verbose_name=_("projets du portefeuille"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_consultations",
        verbose_name=_("responsable"),
    )
    # Contributions (phase 2): a call for ideas or testimonies, moderated before or after
    # publication.
    collects_contributions = models.BooleanField(
        _("recueille des contributions"),
        default=False,
        help_text=_(
            "Les participants proposent des idées ou témoignent, puis les soutiennent "
            "et les commentent."
        ),
    )
    contribution_kind = models.CharField(
        _("type de contributions"),
        max_length=12,
        choices=ContributionKind,
        default=ContributionKind.IDEAS,
    )
    moderation_mode = models.CharField(
        _("modération des contributions"),
        max_length=6,
        choices=ModerationMode,
        default=ModerationMode.BEFORE,
    )
    communities = models.ManyToManyField(
        "ecoute.Community",
        blank=True,
        related_name="consultations",
        verbose_name=_("communautés invitées"),
        help_text=_("Pour une consultation réservée à une communauté : ses membres y répondent."),
    )
    # Archived without a restitution: only the lab may, and says why, publicly ("Pas de
    # restitution, parce que…").
    no_restitution_reason = models.TextField(_("pas de restitution, parce que"), blank=True)
    no_restitution_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("archivée sans restitution par"),
    )
    no_restitution_at = models.DateTimeField(
        _("archivée sans restitution le"), null=True, blank=True
    )
    # Set by the retention purge (ecoute.services.retention) once the personal data tied to the
    # consultation is erased, so that the daily run skips it.
    personal_data_purged_at = models.DateTimeField(
        _("données personnelles purgées le"), null=True, blank=True, editable=False
    )

    # Kept current by PostgreSQL (caflab.search.indexing); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "opens_at"]),
            models.Index(fields=["status", "closes_at"]),
            *search_indexes("consultation"),
        ]
        triggers = [search_vector_trigger(("title", "A"), ("summary", "B"), ("body", "C"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_it_opens",
                violation_error_message=_("La clôture doit suivre l’ouverture."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(opens_at__isnull=False, closes_at__isnull=False),
                name="consultation_published_has_dates",
                violation_error_message=_(
                    "Une consultation publiée doit avoir ses dates d’ouverture et de clôture."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ecoute:detail", kwargs={"slug": self.slug})

    def get_manage_url(self) -> str:
        return reverse("ecoute:manage-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("La clôture doit suivre l’ouverture.")})

    # --- facts ---------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_premoderated(self) -> bool:
        return self.moderation_mode == ModerationMode.BEFORE

    @property
    def is_national(self) -> bool:
        """No Caf perimeter. Reads the prefetch cache when the view prefetched it."""
        return not self.perimeter_cafs.all()

    @property
    def consults_citizens(self) -> bool:
        return self.audience in (self.Audience.CITIZENS, self.Audience.BOTH)

    @property
    def consults_agents(self) -> bool:
        return self.audience in (self.Audience.AGENTS, self.Audience.BOTH)

    @property
    def accepts_anonymous(self) -> bool:
        """Visitors without an account may answer: public, for citizens, anonymous answers."""
        return bool(
            self.allow_anonymous and self.access == self.Access.PUBLIC and self.consults_citizens
        )

    # --- status moves ----------------------------------------------------------------------
    # The moves are declared once (`WORKFLOW`, below the class) and made by `transition()`:
    # the row locked and read again, its status history written. Each verb refuses in its own
    # words a move not allowed from the current status (an `InvalidState`, which is a
    # `ValidationError` the admin shows); "already done" only for the statuses the caller
    # names (`already_done`, as `consultation_move` does). `move`: `transition()`'s other
    # arguments (`by`, `reason`, `already_done`), and `check(locked)`, the caller's own checks
    # once the verb's passed. A verb returns the locked, moved row (and updates its own).
    def _move(
        self,
        to: str | Callable[["Consultation"], str],
        refusal: Any,
        now: datetime.datetime | None = None,
        *,
        prepare: Callable[["Consultation"], list[str]] | None = None,
        check: Callable[["Consultation"], None] | None = None,
        already_done: Any = None,
        by: Any = None,
        **move: Any,
    ) -> "Consultation":
        def checks(locked: Consultation) -> list[str]:
            fields = prepare(locked) if prepare is not None else []
            if check is not None:
                check(locked)
            return fields

        locked = transition(
            self,
            to=to,
            by=by,
            workflow=WORKFLOW,
            already_done={} if already_done is None else already_done,
            refused=refusal,
            prepare=checks,
            now=now,
            **move,
        )
        for name in (
            "status",
            "status_changed_at",
            "closes_at",
            "updated_at",
            "no_restitution_reason",
            "no_restitution_by_id",
            "no_restitution_at",
        ):
            setattr(self, name, getattr(locked, name))
        return locked

    def publish(self, now: datetime.datetime | None = None, **move: Any) -> "Consultation":
        """Draft → scheduled, or straight to open when the opening date has passed."""
        now = now or timezone.now()

        def target(locked: Consultation) -> str:
            # Only a draft may be scheduled (and only a draft or a scheduled one opened).
            if locked.is_draft and locked.opens_at and locked.opens_at <= now:
                return self.Status.OPEN
            return self.Status.SCHEDULED

        def dates(locked: Consultation) -> list[str]:
            if not (locked.opens_at and locked.closes_at):
                raise ValidationError(
                    _("Indiquez les dates d’ouverture et de clôture avant de publier.")
                )
            if locked.closes_at <= now:
                raise ValidationError(_("La date de clôture est déjà passée."))
            return []

        return self._move(
            target, _("Seul un brouillon peut être publié."), now, prepare=dates, **move
        )

    def unpublish(self, now: datetime.datetime | None = None, **move: Any) -> "Consultation":
        """A scheduled consultation goes back to draft (before anyone could answer)."""
        refusal = _("Seule une consultation programmée peut redevenir un brouillon.")
        return self._move(self.Status.DRAFT, refusal, now, **move)

    def close(self, now: datetime.datetime | None = None, **move: Any) -> "Consultation":
        now = now or timezone.now()

        def early(locked: Consultation) -> list[str]:
            if locked.closes_at is None or locked.closes_at > now:
                locked.closes_at = now  # closed early: the dates say so
            return ["closes_at"]

        refusal = _("Seule une consultation ouverte peut être close.")
        return self._move(self.Status.CLOSED, refusal, now, prepare=early, **move)

    def publish_results(self, now: datetime.datetime | None = None, **move: Any) -> "Consultation":
        refusal = _("Les résultats se publient une fois la consultation close.")
        return self._move(self.Status.RESULTS_PUBLISHED, refusal, now, **move)

    def archive(
        self, now: datetime.datetime | None = None, *, reason: str = "", **move: Any
    ) -> "Consultation":
        """Closed (or results published) → archived, once its restitution is published. Without
        one, only the lab may archive, with a written reason shown publicly (`reason`)."""
        now = now or timezone.now()
        by = move.get("by")
        reason = (reason or "").strip()

        def restitution_given(locked: Consultation) -> list[str]:
            from ecoute.models.restitution import Restitution

            if Restitution.objects.published().filter(consultation=locked).exists():
                return []
            if not reason:
                raise InvalidState(
                    _(
                        "Publiez d’abord la restitution : une consultation close ne s’archive "
                        "pas sans dire aux participants ce qu’on a fait de leur parole. Seul "
                        "le CafLab peut l’archiver sans restitution, en écrivant pourquoi."
                    )
                )
            if not (by is not None and getattr(by, "is_lab_staff", False)):
                raise InvalidState(
                    _("Seul le CafLab peut archiver une consultation sans restitution.")
                )
            locked.no_restitution_reason = reason
            locked.no_restitution_by = by
            locked.no_restitution_at = now
            return ["no_restitution_reason", "no_restitution_by", "no_restitution_at"]

        refusal = _("Seule une consultation close peut être archivée.")
        return self._move(
            self.Status.ARCHIVED,
            refusal,
            now,
            prepare=restitution_given,
            reason=reason,
            **move,
        )

    @property
    def archived_without_restitution(self) -> bool:
        return bool(self.no_restitution_reason)


class ConsultationStatusChange(StatusChangeBase):
    """The status history: published, opened, closed… by whom (nobody: the periodic task at
    the consultation's dates), when, and why."""

    subject_field = "consultation"

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("consultation"),
    )
    from_status = models.CharField(_("de"), max_length=20, choices=Consultation.Status, blank=True)
    to_status = models.CharField(_("vers"), max_length=20, choices=Consultation.Status)

    class Meta:
        verbose_name = _("changement de statut de consultation")
        verbose_name_plural = _("changements de statut de consultations")
        ordering = ["consultation", "changed_at"]

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.from_status or '∅'} → {self.to_status}"


_Status = Consultation.Status
# Where a consultation may go from each status: a manager publishes a draft (scheduled, or
# open at once when its opening date has passed) or takes a scheduled one back; the periodic
# task opens a scheduled one and closes an open one on their dates; then results, archive.
WORKFLOW = Workflow(
    moves={
        _Status.DRAFT: (_Status.SCHEDULED, _Status.OPEN),
        _Status.SCHEDULED: (_Status.DRAFT, _Status.OPEN),
        _Status.OPEN: (_Status.CLOSED,),
        _Status.CLOSED: (_Status.RESULTS_PUBLISHED, _Status.ARCHIVED),
        _Status.RESULTS_PUBLISHED: (_Status.ARCHIVED,),
        _Status.ARCHIVED: (),
    },
    history=ConsultationStatusChange,
    refused_field=None,
)


@pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.DeleteEvent("removed"),
    obj_field=None,
    model_name="ConsultationPerimeterEvent",
    meta=event_meta(_("historique : périmètre"), _("historique : périmètres des consultations")),
)
class ConsultationPerimeter(Consultation.perimeter_cafs.through):  # type: ignore[name-defined,misc]
    """A Caf of a consultation's perimeter: a proxy of the many-to-many table, for its trail."""

    class Meta:
        proxy = True
        verbose_name = _("Caf du périmètre")
        verbose_name_plural = _("Caf des périmètres des consultations")
