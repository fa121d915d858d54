"""The CafLab user: e-mail as login, one role, and the organisation the role belongs to."""

from typing import Any, ClassVar

import pghistory
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.audit import before_and_after, event_meta
from caflab.core.jobs import LeasedJob
from caflab.core.models import TimeStampedModel
from caflab.network.models import Caf, Directorate, Partner


class Role(models.TextChoices):
    LAB_STAFF = "lab_staff", _("Équipe du CafLab")
    CORRESPONDENT = "correspondent", _("Correspondant innovation")
    AGENT = "agent", _("Agent de Caf")
    DIRECTORATE = "directorate", _("Membre d’une direction de la Cnaf")
    PARTNER = "partner", _("Partenaire")
    CITIZEN = "citizen", _("Citoyen")
    MODERATOR = "moderator", _("Modérateur")
    ADMIN = "admin", _("Administrateur")
    # Signed in through the agents' identity provider from an organisation no Caf claims: sees
    # only what is public until an administrator or a correspondent places them in their Caf.
    PENDING = "pending", _("En attente d’attribution d’une Caf")


# Roles whose holder works for a given Caf, and must therefore name it.
CAF_ROLES = (Role.CORRESPONDENT, Role.AGENT)
# Roles of network employees (Cnaf or Caf): they see the network's internal catalogue.
NETWORK_ROLES = (
    Role.LAB_STAFF,
    Role.CORRESPONDENT,
    Role.AGENT,
    Role.DIRECTORATE,
    Role.MODERATOR,
    Role.ADMIN,
)


# The address of an erased account's tombstone: `.invalid` can never receive mail (RFC 2606).
ERASED_EMAIL_DOMAIN = "@supprime.invalid"


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immédiatement, un e-mail par événement")
    DAILY = "daily", _("Un récapitulatif quotidien")
    WEEKLY = "weekly", _("Un récapitulatif hebdomadaire")
    NEVER = "never", _("Jamais (sauf ce qui concerne mes propres contributions)")


class UserQuerySet(models.QuerySet["User"]):
    def active(self) -> "UserQuerySet":
        return self.filter(is_active=True)

    def of_caf(self, caf: Caf | int) -> "UserQuerySet":
        return self.filter(caf=caf)

    def correspondents_of(self, caf: Caf | int) -> "UserQuerySet":
        return self.active().filter(role=Role.CORRESPONDENT, caf=caf)

    def lab_staff(self) -> "UserQuerySet":
        return self.active().filter(role=Role.LAB_STAFF)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # The whole address is case-insensitive for us: store it lower-cased.
        return (email or "").strip().lower()

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("role", Role.ADMIN)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


# What the audit trail keeps of an account: its rights, never its password or last login.
AUDITED_USER_FIELDS = [
    "role",
    "caf",
    "directorate",
    "partner",
    "is_active",
    "is_staff",
    "is_superuser",
]


@pghistory.track(
    *before_and_after(*AUDITED_USER_FIELDS),
    # An account created with access to the admin is a change of rights too.
    pghistory.InsertEvent(
        "created_with_admin_access",
        condition=pghistory.Q(new__is_staff=True) | pghistory.Q(new__is_superuser=True),
    ),
    fields=AUDITED_USER_FIELDS,
    model_name="UserEvent",
    meta=event_meta(_("historique : compte"), _("historique : comptes")),
)
class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role, default=Role.CITIZEN)
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("Caf"),
    )
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("direction de la Cnaf"),
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation partenaire"),
    )
    email_frequency = models.CharField(
        _("e-mails de notification"),
        max_length=10,
        choices=EmailFrequency,
        default=EmailFrequency.IMMEDIATE,
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(
        _("accès à l’administration"),
        default=False,
        help_text=_("Peut se connecter à l’administration Django."),
    )
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    # Set when a self-registered account's address is confirmed by its e-mailed link (signup.py);
    # accounts created by an administrator have none and need none.
    email_verified_at = models.DateTimeField(_("adresse vérifiée le"), null=True, blank=True)
    # Set each time an invitation (a single-use link to set a password or sign in with the
    # identity provider) is mailed to an imported or admin-created account.
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    # A random secret, drawn the first time the account answers an anonymous questionnaire:
    # its "has answered" markers are keyed hashes of it (ecoute.services.answering), so that
    # they cannot be recomputed from the account's id, even with the application's key.
    # Emptied when the account is erased, which makes its markers unattributable.
    participation_secret = models.CharField(
        _("secret de participation anonyme"), max_length=64, blank=True, editable=False
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=~Q(role__in=CAF_ROLES) | Q(caf__isnull=False),
                name="user_caf_role_has_caf",
                violation_error_message=_(
                    "Un agent ou un correspondant doit être rattaché à une Caf."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.DIRECTORATE) | Q(directorate__isnull=False),
                name="user_directorate_role_has_directorate",
                violation_error_message=_(
                    "Un membre de direction doit être rattaché à une direction."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.PARTNER) | Q(partner__isnull=False),
                name="user_partner_role_has_partner",
                violation_error_message=_("Un partenaire doit être rattaché à une organisation."),
            ),
        ]
        indexes = [
            # The accounts waiting for their Caf (counted on the home of whoever assigns them,
            # listed oldest first): a handful among 30,000 people.
            models.Index(
                fields=["date_joined"],
                condition=Q(role=Role.PENDING, is_active=True),
                name="user_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        if self.is_erased:
            return str(_("Compte supprimé"))
        return self.get_full_name() or self.email

    @property
    def is_erased(self) -> bool:
        """An account deleted by its owner but kept as an anonymous tombstone, because content
        others rely on points to it (see caflab.accounts.personal_data)."""
        return self.email.endswith(ERASED_EMAIL_DOMAIN)

    def clean(self) -> None:
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    # --- role facts, read by permissions.py and templates --------------------------------------
    @property
    def is_lab_staff(self) -> bool:
        return self.is_active and (self.role == Role.LAB_STAFF or self.is_superuser)

    @property
    def is_correspondent(self) -> bool:
        return self.is_active and self.role == Role.CORRESPONDENT

    @property
    def is_moderator(self) -> bool:
        return self.is_active and self.role in (Role.MODERATOR, Role.LAB_STAFF, Role.ADMIN)

    @property
    def is_network_member(self) -> bool:
        """A Cnaf or Caf employee, who sees the network's internal catalogue."""
        return self.is_active and self.role in NETWORK_ROLES

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def may_delete_own_account(self) -> bool:
        """Citizens and partners erase their account themselves; network staff accounts are
        managed by the administrators (they carry decisions others rely on)."""
        return self.role in (Role.CITIZEN, Role.PARTNER) and not (
            self.is_staff or self.is_superuser
        )

    @property
    def is_pending(self) -> bool:
        """Signed in through the identity provider, waiting to be placed in a Caf."""
        return self.role == Role.PENDING

    @property
    def is_directorate_member(self) -> bool:
        return self.role == Role.DIRECTORATE

    @property
    def organisation(self) -> Caf | Directorate | Partner | None:
        return self.caf or self.directorate or self.partner


# The groups and permissions granted to an account: a proxy of each many-to-many table, the
# way pghistory tracks them (its triggers need a model of ours to hang on).
@pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.DeleteEvent("removed"),
    obj_field=None,
    model_name="UserGroupEvent",
    meta=event_meta(_("historique : groupes d’un compte"), _("historique : groupes des comptes")),
)
class UserGroup(User.groups.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True
        verbose_name = _("groupe d’un compte")
        verbose_name_plural = _("groupes des comptes")


@pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.DeleteEvent("removed"),
    obj_field=None,
    model_name="UserPermissionEvent",
    meta=event_meta(
        _("historique : permissions d’un compte"), _("historique : permissions des comptes")
    ),
)
class UserPermission(User.user_permissions.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True
        verbose_name = _("permission d’un compte")
        verbose_name_plural = _("permissions des comptes")


class SsoIdentity(models.Model):
    """An account's identity at an OpenID Connect provider: the provider's subject (`sub`)
    finds the account at each sign-in, before any e-mail. The organisation claims of the last
    sign-in are kept so that a pending account can be placed in its Caf."""

    class Provider(models.TextChoices):
        AGENTS = "agents", _("Fournisseur d’identité des agents (ProConnect)")
        CITIZENS = "citizens", _("Fournisseur d’identité des citoyens (FranceConnect)")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sso_identities", verbose_name=_("compte")
    )
    provider = models.CharField(_("fournisseur"), max_length=10, choices=Provider)
    subject = models.CharField(_("identifiant chez le fournisseur"), max_length=255)
    siret = models.CharField(_("SIRET déclaré"), max_length=14, blank=True)
    organisation = models.CharField(_("service déclaré"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("dernière connexion"), null=True, blank=True)

    class Meta:
        verbose_name = _("identité fédérée")
        verbose_name_plural = _("identités fédérées")
        ordering = ["provider", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="sso_identity_unique_subject"
            ),
            models.UniqueConstraint(
                fields=["user", "provider"], name="sso_identity_one_per_provider"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} : {self.subject}"


class AccountChange(models.Model):
    """The history of an account's role, Caf and activity: who changed what, when and why
    (imports, administrators' bulk actions, placing a pending account). Never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Compte créé")
        UPDATED = "updated", _("Compte modifié")
        ASSIGNED = "assigned", _("Caf attribuée")
        DEACTIVATED = "deactivated", _("Compte désactivé")
        REACTIVATED = "reactivated", _("Compte réactivé")

    class Source(models.TextChoices):
        IMPORT = "import", _("Import de fichier")
        ADMIN = "admin", _("Administration")
        SSO = "sso", _("Connexion par le fournisseur d’identité")
        ASSIGNMENT = "assignment", _("Attribution d’un compte en attente")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="account_changes", verbose_name=_("compte")
    )
    kind = models.CharField(_("nature"), max_length=12, choices=Kind)
    source = models.CharField(_("origine"), max_length=12, choices=Source)
    # {"field": [before, after]}, values as shown to people (a Caf's name, a role's label).
    changes = models.JSONField(_("changements"), default=dict, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("changement de compte")
        verbose_name_plural = _("historique des comptes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.at:%d/%m/%Y %H:%M}"


class InvitationBatch(LeasedJob, TimeStampedModel):
    """The invitations of one import, sent in the background by one job (caflab.core.jobs): a
    worker that dies mid-way loses its lease and the beat queues the batch again; each person
    of the batch is mailed once (`BatchInvitation`), however many times the batch runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Terminé")
        FAILED = "failed", _("Échec")

    requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    label = models.CharField(_("origine"), max_length=255, blank=True)
    # A "Relancer" batch takes over the people its failed predecessor did not reach.
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("relance de"),
    )
    total = models.PositiveIntegerField(_("personnes à inviter"), default=0)
    sent_count = models.PositiveIntegerField(_("invitations envoyées"), default=0)
    skipped_count = models.PositiveIntegerField(
        _("personnes ignorées"),
        default=0,
        help_text=_("Comptes désactivés ou ayant choisi un mot de passe entre-temps."),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.QUEUED)
    error = models.CharField(_("erreur"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("envoi d’invitations")
        verbose_name_plural = _("envois d’invitations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.label or _('Invitations')} ({self.created_at:%d/%m/%Y %H:%M})"

    @property
    def handled_count(self) -> int:
        return self.sent_count + self.skipped_count


class BatchInvitation(models.Model):
    """One person of an invitation batch. `handled_at` is set in the transaction that mails
    them: a batch run again (its worker died) skips whoever was already mailed."""

    class Outcome(models.TextChoices):
        PENDING = "", _("À envoyer")
        SENT = "sent", _("Envoyée")
        SKIPPED = "skipped", _("Ignorée")
        MOVED = "moved", _("Reprise par une relance")

    batch = models.ForeignKey(
        InvitationBatch,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("envoi"),
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("compte")
    )
    outcome = models.CharField(
        _("résultat"), max_length=8, choices=Outcome, default=Outcome.PENDING, blank=True
    )
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation d’un envoi")
        verbose_name_plural = _("invitations des envois")
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "user"], name="batch_invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} → {self.user_id}"
