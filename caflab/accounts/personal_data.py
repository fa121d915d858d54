""" "My data" (RGPD arts. 15, 17 and 20): what the platform holds about a person, its download
(JSON or CSV), and the erasure of an account.

Each app contributes its own section through a small registry, from its `AppConfig.ready()`:

    from caflab.accounts import personal_data
    personal_data.register("ecoute.responses", _("Vos réponses aux consultations"),
                           export=export_responses, erase=erase_responses, order=30)

- `export(user) -> list[dict]`: one dict per item, keys are French labels, values plain
  Python values (text, numbers, dates, booleans, None);
- `erase(user) -> None`: erase or detach what the section holds, in the caller's transaction.
  What must stay (an answer to a consultation, an idea others built on) is detached or
  anonymised, never a reason to refuse the erasure;
- `covers`: the `("app_label.Model", "field")` pairs, foreign keys or many-to-many to the user
  model, whose rows the section exports and erases. tests/accounts/test_personal_data_coverage.py
  fails when a user foreign key is neither covered by a section nor excluded with a reason.

Work done on the network's records (a measurement entered, a pitch decided, a file uploaded) is
listed by an "attributions" section (`export_attributions`, one query per section): the rows
stay, others rely on them; on erasure (`leave_places`) the many-to-many places (jury,
presenters) are left, the SET_NULL foreign keys emptied, and the PROTECT ones point at the
tombstone.

`account_delete` runs every section's `erase`, then deletes the account row; when a PROTECT
foreign key keeps the row (authored content other people rely on), the row is turned into an
anonymous tombstone instead: no e-mail, no name, no password, inactive.
"""

import datetime
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import (
    SET_NULL,
    DateTimeField,
    F,
    IntegerField,
    Model,
    ProtectedError,
    RestrictedError,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import ERASED_EMAIL_DOMAIN, EmailFrequency, Role, User
from caflab.core.mail import mail_build
from caflab.core.spreadsheets import to_csv

Row = dict[str, Any]
ExportFn = Callable[[User], list[Row]]
EraseFn = Callable[[User], None]


@dataclass(frozen=True)
class Section:
    key: str
    title: Any  # a lazy translation
    export: ExportFn
    erase: EraseFn | None
    order: int
    covers: tuple[tuple[str, str], ...] = ()


_registry: dict[str, Section] = {}


def register(
    key: str,
    title: Any,
    export: ExportFn,
    erase: EraseFn | None = None,
    *,
    order: int = 100,
    covers: Iterable[tuple[str, str]] = (),
) -> None:
    """Add (or replace: `ready()` may run twice in tests) a section of "my data"."""
    _registry[key] = Section(
        key=key, title=title, export=export, erase=erase, order=order, covers=tuple(covers)
    )


def sections() -> list[Section]:
    return sorted(_registry.values(), key=lambda s: (s.order, s.key))


# --- attributions: the person's name on the network's records ----------------------------------


@dataclass(frozen=True)
class Attribution:
    """`model.field` names the person as `role`; the row is shown by `title` (a field path) and
    dated by `at` (a date or date-time field path)."""

    model: type[Model]
    field: str
    role: Any  # a lazy translation
    title: str
    at: str = "created_at"

    @property
    def cover(self) -> tuple[str, str]:
        return (self.model._meta.label, self.field)


def export_attributions(user: User, attributions: Iterable[Attribution]) -> list[Row]:
    """One row per record naming `user`, in a single UNION query whatever the number of kinds."""
    specs = list(attributions)
    querysets = []
    for number, a in enumerate(specs):
        querysets.append(
            a.model._default_manager.filter(**{a.field: user})
            .annotate(
                _kind=Value(number, output_field=IntegerField()),
                _title=Cast(F(a.title), TextField()),
                _at=Cast(F(a.at), DateTimeField()),
            )
            .values_list("_kind", "pk", "_title", "_at")
        )
    if not querysets:
        return []
    union = querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else querysets[0]
    rows = sorted(union, key=lambda r: (r[3] is None, r[3] or timezone.now(), r[0], r[1]))
    return [
        {
            _("Rôle"): str(specs[kind].role),
            _("Élément"): str(specs[kind].model._meta.verbose_name).capitalize(),
            _("Intitulé"): title,
            _("Le"): at,
        }
        for kind, _pk, title, at in rows
    ]


def leave_places(user: User, attributions: Iterable[Attribution]) -> None:
    """Take `user` off the many-to-many places (a jury, a pitch's presenters) and empty the
    SET_NULL foreign keys, as the account's deletion would: the result is the same when a
    PROTECT keeps the account as a tombstone, which then signs only the PROTECT rows."""
    for a in attributions:
        field = a.model._meta.get_field(a.field)
        if field.many_to_many:
            through = field.remote_field.through
            through._default_manager.filter(**{field.m2m_reverse_field_name(): user}).delete()
        elif field.remote_field.on_delete is SET_NULL:
            a.model._default_manager.filter(**{a.field: user}).update(**{a.field: None})


@dataclass
class Export:
    key: str
    title: str
    rows: list[Row]


def export_user(user: User) -> list[Export]:
    return [Export(s.key, str(s.title), s.export(user)) for s in sections()]


# --- downloads -------------------------------------------------------------------------------


def as_json(user: User, now: datetime.datetime | None = None) -> bytes:
    data = {
        "generated_at": now or timezone.now(),
        "sections": {
            export.key: {"title": export.title, "items": export.rows}
            for export in export_user(user)
        },
    }
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return " | ".join(_text(v) for v in value)
    return str(value)


def as_csv(user: User) -> bytes:
    """One line per field of each item (long format: sections differ in their fields), for
    French Excel, every cell formula-safe."""
    rows = []
    for export in export_user(user):
        for number, item in enumerate(export.rows, start=1):
            for field, value in item.items():
                rows.append([export.title, str(number), str(field), _text(value)])
    return to_csv([_("Rubrique"), _("N°"), _("Champ"), _("Valeur")], rows)


# --- the account's own section ---------------------------------------------------------------


def export_account(user: User) -> list[Row]:
    return [
        {
            _("Adresse e-mail"): user.email,
            _("Prénom"): user.first_name,
            _("Nom"): user.last_name,
            _("Rôle"): user.get_role_display(),
            _("Organisation"): str(user.organisation) if user.organisation else "",
            _("Inscrit le"): user.date_joined,
            _("Adresse vérifiée le"): user.email_verified_at,
            _("Dernière connexion"): user.last_login,
            _("E-mails de notification"): user.get_email_frequency_display(),
        }
    ]


# --- erasure ---------------------------------------------------------------------------------


def _tombstone(user: User) -> None:
    """Keep the row (something PROTECTs it) but nothing personal in it."""
    user.email = f"compte-supprime-{uuid.uuid4().hex}{ERASED_EMAIL_DOMAIN}"
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.role = Role.CITIZEN  # no organisation left to name
    user.caf = user.directorate = user.partner = None
    user.email_verified_at = user.last_login = None
    user.email_frequency = EmailFrequency.NEVER
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


@transaction.atomic
def account_erase(*, user: User) -> bool:
    """Every section's erasure, then the row deleted, or made a tombstone when a PROTECT keeps
    it (contributions others rely on, shown as "Compte supprimé"). No check, no e-mail: the
    caller decides (`account_delete` for the person, the admin's deletion of an account)."""
    for section in sections():
        if section.erase is not None:
            section.erase(user)
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).delete()
    except (ProtectedError, RestrictedError, IntegrityError):
        _tombstone(user)
        return False
    return True


class CannotDeleteAccount(Exception):
    """This account is managed by the administrators."""


@transaction.atomic
def account_delete(*, user: User) -> bool:
    """Erase `user`'s personal data and their account. Answers to consultations stay, detached
    from anyone. Returns True when the row was deleted, False when it became a tombstone.

    The confirmation e-mail goes to the address read before erasing, once the transaction has
    committed; it is sent from here rather than by a task because a task takes ids only, and
    the address no longer exists afterwards."""
    if not user.may_delete_own_account:
        raise CannotDeleteAccount(
            _("Ce compte est géré par les administrateurs : adressez-leur votre demande.")
        )
    address = user.email
    deleted = account_erase(user=user)
    body = render_to_string("accounts/account_deleted_email.txt", {"site_url": settings.SITE_URL})
    message = mail_build(
        subject=_("Votre compte CafLab est supprimé"),
        text=body,
        to=[address],
        reason=_("votre compte CafLab vient d’être supprimé, à votre demande ou faute d’usage."),
    )
    transaction.on_commit(lambda: message.send(fail_silently=True))
    return deleted


def inactive_accounts_purge(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Daily retention of accounts, as the privacy page says: a citizen's or partner's account
    unused for ACCOUNT_INACTIVE_DAYS is deleted like a self-deletion (answers kept, detached;
    its owner told); a sign-up never confirmed within SIGNUP_UNCONFIRMED_DAYS is removed. Network
    staff accounts are the administrators'. Safe to run twice."""
    now = now or timezone.now()
    unused_since = now - datetime.timedelta(days=settings.ACCOUNT_INACTIVE_DAYS)
    inactive = (
        User.objects.filter(role__in=[Role.CITIZEN, Role.PARTNER], is_active=True)
        .filter(is_staff=False, is_superuser=False)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=unused_since)
    )
    deleted = 0
    for user in inactive.iterator():
        account_delete(user=user)
        deleted += 1
    unconfirmed = User.objects.filter(
        role=Role.CITIZEN,
        is_active=False,
        email_verified_at__isnull=True,
        last_login__isnull=True,
        date_joined__lt=now - datetime.timedelta(days=settings.SIGNUP_UNCONFIRMED_DAYS),
    ).exclude(email__endswith=ERASED_EMAIL_DOMAIN)
    removed = 0
    for user in unconfirmed.iterator():
        try:
            with transaction.atomic():
                user.delete()
            removed += 1
        except (ProtectedError, RestrictedError, IntegrityError):
            continue  # something points at it: leave it to the administrators
    return {"inactive": deleted, "unconfirmed": removed}


register(
    "accounts.account", gettext_lazy("Votre compte"), export=export_account, erase=None, order=10
)


# --- single sign-on identities and the account's history ----------------------------------------


def export_identities(user: User) -> list[Row]:
    from caflab.accounts.models import SsoIdentity

    return [
        {
            _("Fournisseur d’identité"): identity.get_provider_display(),
            _("Identifiant chez le fournisseur"): identity.subject,
            _("SIRET déclaré"): identity.siret,
            _("Service déclaré"): identity.organisation,
            _("Première connexion"): identity.created_at,
            _("Dernière connexion"): identity.last_login_at,
        }
        for identity in SsoIdentity.objects.filter(user=user).order_by("provider")
    ]


def export_account_history(user: User) -> list[Row]:
    from caflab.accounts.models import AccountChange

    return [
        {
            _("Le"): change.at,
            _("Changement"): change.get_kind_display(),
            _("Origine"): change.get_source_display(),
            _("Détail"): [
                f"{field} : {before} → {after}"
                for field, (before, after) in sorted(change.changes.items())
            ],
            _("Motif"): change.reason,
        }
        for change in AccountChange.objects.filter(user=user).order_by("-at", "-pk")
    ]


def erase_identities_and_history(user: User) -> None:
    """The provider's identifier and the account's history (which holds its former address and
    names) go with the account, a tombstone included."""
    from caflab.accounts.models import AccountChange, SsoIdentity

    SsoIdentity.objects.filter(user=user).delete()
    AccountChange.objects.filter(user=user).delete()


register(
    "accounts.identities",
    gettext_lazy("Vos connexions par un fournisseur d’identité"),
    export=export_identities,
    erase=erase_identities_and_history,
    order=11,
    covers=[("accounts.SsoIdentity", "user"), ("accounts.AccountChange", "user")],
)
register(
    "accounts.history",
    gettext_lazy("L’historique de votre compte"),
    export=export_account_history,
    order=12,
    covers=[("accounts.AccountChange", "user")],
)
