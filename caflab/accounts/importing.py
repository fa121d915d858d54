"""Importing the network's people from a spreadsheet: the upload page and `import_people` share
this module.

A file (CSV in UTF-8 or Windows-1252, `;` or `,`, or XLSX) lists one person a line: e-mail,
first name, last name, role, Caf (département code or SIRET), directorate (acronym), partner
organisation (name). Each line creates an account, updates it, leaves it unchanged or is refused
with its reason; `full` also deactivates the network members the file no longer lists (never
deleted: their content stays). The import is idempotent: the same file twice changes nothing the
second time, and writes no history.

Speed matters (36,000 agents): existing accounts are loaded by e-mail in one pass, reference
data is cached in dictionaries, new accounts and their history rows are inserted in batches.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import (
    CAF_ROLES,
    NETWORK_ROLES,
    AccountChange,
    InvitationBatch,
    Role,
    User,
)
from caflab.accounts.services import TRACKED_FIELDS, _shown
from caflab.core import audit
from caflab.core.models import AuditEvent
from caflab.core.tabular import TableFileError, cell_text, read_table
from caflab.network.models import Caf, CafSiret, Directorate, Partner

BATCH_SIZE = 1000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
EXTENSIONS = ("csv", "xlsx")

# The roles an import may give: the network's and partners', never citizen nor pending.
IMPORTABLE_ROLES = (*NETWORK_ROLES, Role.PARTNER)

# The columns, by their header once normalised (lower case, no accent, no space or dash).
COLUMNS = {
    "email": "email",
    "mail": "email",
    "courriel": "email",
    "adresseemail": "email",
    "adressemail": "email",
    "adressecourriel": "email",
    "prenom": "first_name",
    "nom": "last_name",
    "nomdefamille": "last_name",
    "role": "role",
    "caf": "caf",
    "direction": "directorate",
    "directiondelacnaf": "directorate",
    "organisationpartenaire": "partner",
    "partenaire": "partner",
    "organisation": "partner",
}
ORGANISATION_FIELDS = ("caf", "directorate", "partner")


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, no e-mail column…): a French message."""


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


OUTCOME_LABELS = {
    Outcome.CREATED: gettext_lazy("créé"),
    Outcome.UPDATED: gettext_lazy("modifié"),
    Outcome.UNCHANGED: gettext_lazy("inchangé"),
    Outcome.REFUSED: gettext_lazy("refusé"),
}


@dataclass
class Line:
    """What the import did (or would do) with one line of the file."""

    number: int
    email: str
    outcome: str
    message: str = ""
    changes: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])

    def __str__(self) -> str:
        text = _("ligne %(number)s") % {"number": self.number}
        if self.email:
            text += f" ({self.email})"
        text += f" : {self.outcome_label}"
        return f"{text} — {self.message}" if self.message else text


@dataclass
class ImportReport:
    dry_run: bool
    full: bool
    lines: list[Line] = field(default_factory=list)
    # Active network members the file does not list: deactivated with `full` (or would be).
    absent: int = 0
    deactivated: int = 0
    invited: int = 0
    # The job mailing the new accounts their invitation (its progress is shown on the page).
    invitation_batch: InvitationBatch | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in OUTCOME_LABELS}

    @property
    def has_changes(self) -> bool:
        counts = self.counts
        return bool(counts[Outcome.CREATED] or counts[Outcome.UPDATED] or self.deactivated)

    def lines_for_display(self, limit: int | None = None) -> list[Line]:
        """Refused lines first (what needs fixing), then the changes, the unchanged last."""
        order = {Outcome.REFUSED: 0, Outcome.CREATED: 1, Outcome.UPDATED: 2, Outcome.UNCHANGED: 3}
        lines = sorted(self.lines, key=lambda line: (order[line.outcome], line.number))
        return lines[:limit] if limit is not None else lines

    def summary(self) -> str:
        counts = self.counts
        text = (
            _(
                "%(created)s créé(s), %(updated)s modifié(s), %(unchanged)s inchangé(s), "
                "%(refused)s refusé(s)."
            )
            % counts
        )
        if self.full:
            if self.dry_run:
                text += " " + _("%(n)s compte(s) absent(s) du fichier seraient désactivés.") % {
                    "n": self.absent
                }
            else:
                text += " " + _("%(n)s compte(s) absent(s) du fichier désactivé(s).") % {
                    "n": self.deactivated
                }
        if self.dry_run:
            text += " " + _("Simulation : rien n’a été enregistré.")
        return text


# --- reading the file ------------------------------------------------------------------------


def normalise(text: Any) -> str:
    """Lower case, no accent, no space, dash, apostrophe or dot: how headers and labels match."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-_'’.]+", "", text.lower())


def _rows(data: bytes, extension: str) -> Iterator[list[str]]:
    """The file's rows as text, read by caflab.core.tabular (CSV in UTF-8, Windows-1252…, `;`
    or `,`, or XLSX); its French reasons become ImportFileError."""
    try:
        for row in read_table(data, kind=extension):
            if row.error:
                raise ImportFileError(
                    _("Ligne %(number)s : %(error)s") % {"number": row.number, "error": row.error}
                )
            yield row.cells
    except TableFileError as error:
        raise ImportFileError(str(error)) from error


def read_people_file(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The file's recognised columns and its rows as (line number, {column: text}); line 1 is
    the header, as a spreadsheet numbers it. Blank lines are skipped."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        raise ImportFileError(
            _("Ce type de fichier n’est pas accepté. Formats acceptés : %(formats)s.")
            % {"formats": ", ".join(EXTENSIONS)}
        )
    rows = _rows(data, extension)
    header = next(rows, None)
    if not header:
        raise ImportFileError(_("Le fichier est vide."))
    columns = [COLUMNS.get(normalise(name), "") for name in header]
    if "email" not in columns:
        raise ImportFileError(
            _(
                "La colonne « e-mail » est introuvable sur la première ligne. Colonnes attendues : "
                "e-mail, prénom, nom, rôle, Caf, direction, organisation partenaire."
            )
        )
    records = []
    for number, row in enumerate(rows, start=2):
        values = [cell_text(value) for value in row]
        if not any(values):
            continue
        record = {}
        for column, value in zip(columns, values, strict=False):
            if column and column not in record:
                record[column] = value
        records.append((number, record))
    return [column for column in dict.fromkeys(columns) if column], records


# --- reference data, looked up once ----------------------------------------------------------


class References:
    """Every Caf, SIRET, directorate, partner and importable role, in dictionaries."""

    def __init__(self) -> None:
        cafs = list(Caf.objects.all())
        self.caf_by_id = {caf.pk: caf for caf in cafs}
        self.caf_by_code = {caf.code.upper(): caf for caf in cafs}
        self.caf_by_name = {normalise(caf.name): caf for caf in cafs}
        self.caf_by_siret = {
            siret: self.caf_by_id[caf_id]
            for siret, caf_id in CafSiret.objects.values_list("siret", "caf_id")
        }
        directorates = list(Directorate.objects.all())
        self.directorate_by_id = {d.pk: d for d in directorates}
        self.directorate_by_acronym = {normalise(d.acronym): d for d in directorates}
        self.directorate_by_name = {normalise(d.name): d for d in directorates}
        partners = list(Partner.objects.all())
        self.partner_by_id = {p.pk: p for p in partners}
        self.partners_by_name: dict[str, list[Partner]] = {}
        for partner in partners:
            self.partners_by_name.setdefault(normalise(partner.name), []).append(partner)
        self.role_by_name: dict[str, str] = {}
        for role in IMPORTABLE_ROLES:
            self.role_by_name[normalise(role.value)] = role.value
            self.role_by_name[normalise(role.label)] = role.value
        for alias, role in (
            ("correspondant", Role.CORRESPONDENT),
            ("correspondantinnovation", Role.CORRESPONDENT),
            ("agent", Role.AGENT),
            ("direction", Role.DIRECTORATE),
            ("membrededirection", Role.DIRECTORATE),
            ("labo", Role.LAB_STAFF),
            ("cafLab", Role.LAB_STAFF),
            ("equipecaflab", Role.LAB_STAFF),
            ("moderateur", Role.MODERATOR),
            ("administrateur", Role.ADMIN),
            ("partenaire", Role.PARTNER),
        ):
            self.role_by_name.setdefault(normalise(alias), role.value)

    def caf(self, text: str) -> Caf | None:
        compact = re.sub(r"\s", "", text).upper()
        if compact.isdigit() and len(compact) == 14:
            return self.caf_by_siret.get(compact)
        if compact.isdigit() and len(compact) == 1:  # a spreadsheet dropped the leading zero
            compact = "0" + compact
        return self.caf_by_code.get(compact) or self.caf_by_name.get(normalise(text))

    def directorate(self, text: str) -> Directorate | None:
        key = normalise(text)
        return self.directorate_by_acronym.get(key) or self.directorate_by_name.get(key)


# --- deciding what each line does ------------------------------------------------------------


class Refused(Exception):
    """One line cannot be imported: the French reason."""


def _target(record: dict[str, str], columns: list[str], refs: References) -> dict[str, Any]:
    """The account's fields as the line wants them; Refused with the reason if it cannot be."""
    target: dict[str, Any] = {}
    raw_role = record.get("role", "")
    if not raw_role:
        raise Refused(_("rôle manquant"))
    role = refs.role_by_name.get(normalise(raw_role))
    if role is None:
        raise Refused(
            _("rôle « %(role)s » inconnu ou non accepté par l’import") % {"role": raw_role}
        )
    target["role"] = role
    for name in ("first_name", "last_name"):
        if record.get(name):  # an empty cell never erases a known name
            target[name] = record[name][:150]
    if "caf" in columns:
        raw = record.get("caf", "")
        target["caf"] = refs.caf(raw) if raw else None
        if raw and target["caf"] is None:
            raise Refused(_("Caf « %(caf)s » inconnue") % {"caf": raw})
    if "directorate" in columns:
        raw = record.get("directorate", "")
        target["directorate"] = refs.directorate(raw) if raw else None
        if raw and target["directorate"] is None:
            raise Refused(_("direction « %(d)s » inconnue") % {"d": raw})
    if "partner" in columns:
        raw = record.get("partner", "")
        found = refs.partners_by_name.get(normalise(raw), []) if raw else []
        if raw and not found:
            raise Refused(_("organisation partenaire « %(p)s » inconnue") % {"p": raw})
        if len(found) > 1:
            raise Refused(
                _("plusieurs organisations partenaires s’appellent « %(p)s »") % {"p": raw}
            )
        target["partner"] = found[0] if found else None
    return target


def _check_constraints(values: dict[str, Any]) -> None:
    """The database's rules on a role's organisation, as a refusal instead of a crash."""
    role = values["role"]
    if role in CAF_ROLES and values.get("caf") is None:
        raise Refused(_("un agent ou un correspondant doit être rattaché à une Caf"))
    if role == Role.DIRECTORATE and values.get("directorate") is None:
        raise Refused(_("un membre de direction doit être rattaché à une direction"))
    if role == Role.PARTNER and values.get("partner") is None:
        raise Refused(_("un partenaire doit être rattaché à une organisation partenaire"))


def _shown_value(name: str, value: Any) -> Any:
    """As services._shown, from the cached reference data (no query per line)."""
    if name == "role":
        return str(Role(value).label) if value in Role.values else value
    if name in ORGANISATION_FIELDS:
        return str(value) if value is not None else ""
    return value


def _current(user: User, refs: References) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "caf": refs.caf_by_id.get(user.caf_id),
        "directorate": refs.directorate_by_id.get(user.directorate_id),
        "partner": refs.partner_by_id.get(user.partner_id),
        "is_active": user.is_active,
    }


def describe_changes(changes: dict[str, list[Any]]) -> str:
    """ "rôle : Agent de Caf → Correspondant innovation ; Caf : … → …" for the report."""
    labels = {name: str(User._meta.get_field(name).verbose_name) for name in TRACKED_FIELDS}
    parts = []
    for name, (before, after) in changes.items():
        if name == "is_active":
            parts.append(_("réactivé") if after else _("désactivé"))
        else:
            parts.append(f"{labels[name]} : {before or '—'} → {after or '—'}")
    return " ; ".join(parts)


def _existing_users(emails: list[str]) -> dict[str, User]:
    users: dict[str, User] = {}
    for start in range(0, len(emails), BATCH_SIZE * 5):
        chunk = emails[start : start + BATCH_SIZE * 5]
        users.update((user.email, user) for user in User.objects.filter(email__in=chunk))
    return users


# --- the import ------------------------------------------------------------------------------


def people_import(
    *,
    columns: list[str],
    rows: Iterable[tuple[int, dict[str, str]]],
    by: User | None,
    dry_run: bool = False,
    full: bool = False,
    invite: bool = True,
    reason: str = "",
) -> ImportReport:
    """Create, update (and with `full` deactivate) accounts as the file's `rows` say; with
    `dry_run` compute the same report and write nothing. Invitations go to new accounts only,
    queued after the commit."""
    report = ImportReport(dry_run=dry_run, full=full)
    refs = References()
    rows = list(rows)
    emails_in_file: set[str] = set()
    for _number, record in rows:
        email = User.objects.normalize_email(record.get("email"))
        if email:
            emails_in_file.add(email)
    existing = _existing_users(sorted(emails_in_file))

    first_line_of: dict[str, int] = {}
    to_create: list[User] = []
    to_update: list[tuple[User, dict[str, Any], dict[str, list[Any]]]] = []
    for number, record in rows:
        email = User.objects.normalize_email(record.get("email"))
        line = Line(number=number, email=email, outcome=Outcome.REFUSED)
        report.lines.append(line)
        try:
            if not email:
                raise Refused(_("adresse e-mail manquante"))
            try:
                validate_email(email)
            except ValidationError as exc:
                raise Refused(
                    _("adresse e-mail « %(email)s » invalide") % {"email": email}
                ) from exc
            if email in first_line_of:
                raise Refused(
                    _("adresse déjà présente ligne %(line)s") % {"line": first_line_of[email]}
                )
            first_line_of[email] = number
            target = _target(record, columns, refs)
            user = existing.get(email)
            if user is None:
                _check_constraints(target)
                line.outcome = Outcome.CREATED
                new = User(email=email, is_active=True, **target)
                new.set_unusable_password()
                to_create.append(new)
                continue
            if user.role == Role.CITIZEN:
                raise Refused(
                    _(
                        "cette adresse est celle d’un compte citoyen : "
                        "à traiter dans l’administration"
                    )
                )
            current = _current(user, refs)
            wanted = {**target, "is_active": True}
            _check_constraints({**current, **wanted})
            diff = {name: value for name, value in wanted.items() if current[name] != value}
            if not diff:
                line.outcome = Outcome.UNCHANGED
                continue
            if user.is_superuser:
                raise Refused(
                    _("compte de super-administrateur : à modifier dans l’administration")
                )
            line.outcome = Outcome.UPDATED
            line.changes = {
                name: [_shown_value(name, current[name]), _shown_value(name, value)]
                for name, value in diff.items()
            }
            line.message = describe_changes(line.changes)
            to_update.append((user, diff, line.changes))
        except Refused as refusal:
            line.outcome = Outcome.REFUSED
            line.message = str(refusal)

    absent: list[User] = []
    if full:
        if not any(line.outcome != Outcome.REFUSED for line in report.lines):
            raise ImportFileError(
                _(
                    "Aucune ligne du fichier n’est valide : la désactivation des absents est "
                    "annulée, pour ne pas désactiver tout le réseau."
                )
            )
        absent = [
            user
            for user in User.objects.filter(
                is_active=True, role__in=NETWORK_ROLES, is_superuser=False
            ).only("pk", "email", "role", "is_active")
            if user.email not in emails_in_file and (by is None or user.pk != by.pk)
        ]
        report.absent = len(absent)

    if dry_run:
        return report
    reason = reason or _("Import d’un fichier de comptes")
    with transaction.atomic():
        _create(to_create, by=by, reason=reason)
        _update(to_update, by=by, reason=reason)
        _deactivate(absent, by=by, reason=reason + " — " + _("absent du fichier"))
        report.deactivated = len(absent)
        if invite and to_create:
            from caflab.accounts.invitations import invitation_batch_create

            # One leased job for all of them (its worker may die: each person is mailed once).
            report.invitation_batch = invitation_batch_create(
                user_ids=[user.pk for user in to_create], by=by, label=reason
            )
            report.invited = len(to_create)
        audit.record(
            action=AuditEvent.Action.PEOPLE_IMPORT,
            by=by,
            details={**report.counts, "full": full, "deactivated": report.deactivated},
        )
    return report


def _create(users: list[User], *, by: User | None, reason: str) -> None:
    """Insert new accounts and their "created" history rows in batches. The rows are the ones
    `services.account_created` writes, built in bulk: one INSERT per thousand, not per person."""
    if not users:
        return
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    if users[0].pk is None:  # a database that does not return ids from a bulk insert
        ids = dict(
            User.objects.filter(email__in=[u.email for u in users]).values_list("email", "pk")
        )
        for user in users:
            user.pk = ids[user.email]
    now = timezone.now()
    AccountChange.objects.bulk_create(
        (
            AccountChange(
                user_id=user.pk,
                kind=AccountChange.Kind.CREATED,
                source=AccountChange.Source.IMPORT,
                changes={name: [None, _shown(user, name)] for name in TRACKED_FIELDS},
                reason=reason,
                by=by,
                at=now,
            )
            for user in users
        ),
        batch_size=BATCH_SIZE,
    )


def _update(
    updates: list[tuple[User, dict[str, Any], dict[str, list[Any]]]],
    *,
    by: User | None,
    reason: str,
) -> None:
    """Save the changed fields and write the rows `services.account_update` would (same kinds,
    same {field: [before, after]}), in batches: a reorganisation may move thousands."""
    now = timezone.now()
    for start in range(0, len(updates), BATCH_SIZE):
        batch = updates[start : start + BATCH_SIZE]
        fields: set[str] = {"updated_at"}
        history = []
        for user, diff, changes in batch:
            was_pending = user.role == Role.PENDING
            for name, value in diff.items():
                setattr(user, name, value)
            user.updated_at = now
            fields.update(diff)
            if was_pending:
                kind = AccountChange.Kind.ASSIGNED
            elif "is_active" in changes:
                kind = AccountChange.Kind.REACTIVATED
            else:
                kind = AccountChange.Kind.UPDATED
            history.append(
                AccountChange(
                    user_id=user.pk,
                    kind=kind,
                    source=AccountChange.Source.IMPORT,
                    changes=changes,
                    reason=reason,
                    by=by,
                    at=now,
                )
            )
        User.objects.bulk_update([user for user, _diff, _changes in batch], sorted(fields))
        AccountChange.objects.bulk_create(history)


def _deactivate(users: list[User], *, by: User | None, reason: str) -> None:
    """Deactivate `users` (never delete) and write the rows `services.account_update` would,
    in batches: a first `full` import may deactivate thousands of stale accounts."""
    now = timezone.now()
    for start in range(0, len(users), BATCH_SIZE):
        batch = users[start : start + BATCH_SIZE]
        # Only still-active rows: an account deactivated meanwhile gets no second history row.
        ids = list(
            User.objects.filter(pk__in=[user.pk for user in batch], is_active=True).values_list(
                "pk", flat=True
            )
        )
        User.objects.filter(pk__in=ids).update(is_active=False, updated_at=now)
        AccountChange.objects.bulk_create(
            AccountChange(
                user_id=pk,
                kind=AccountChange.Kind.DEACTIVATED,
                source=AccountChange.Source.IMPORT,
                changes={"is_active": [True, False]},
                reason=reason,
                by=by,
                at=now,
            )
            for pk in ids
        )


def people_import_file(
    *,
    data: bytes,
    filename: str,
    by: User | None,
    dry_run: bool = False,
    full: bool = False,
    invite: bool = True,
) -> ImportReport:
    """Read `data` (the bytes of `filename`) and import it. ImportFileError when unreadable."""
    columns, rows = read_people_file(data, filename)
    return people_import(
        columns=columns,
        rows=rows,
        by=by,
        dry_run=dry_run,
        full=full,
        invite=invite,
        reason=_("Import du fichier « %(name)s »") % {"name": filename.rsplit("/", 1)[-1]},
    )


def can_import_people(user: Any) -> bool:
    """Importing is adding and changing accounts in bulk: it is open to whoever may add and
    change accounts in the Django admin (superusers, and staff granted both permissions)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perms(["accounts.add_user", "accounts.change_user"])
    )
