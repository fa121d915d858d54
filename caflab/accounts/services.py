"""Changes to network accounts that leave a trace: every change of role, Caf, organisation or
activity is written to `AccountChange` with who made it, from where and why."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from caflab.accounts.models import AccountChange, Role, User

# The fields whose changes are kept in the account's history.
TRACKED_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "role",
    "caf",
    "directorate",
    "partner",
    "is_active",
)


def _shown(user: User, field: str) -> Any:
    """A field's value as a person reads it in the history (a Caf's name, a role's label)."""
    value = getattr(user, field)
    if field == "role":
        return str(Role(value).label) if value in Role.values else value
    if field in ("caf", "directorate", "partner"):
        return str(value) if value is not None else ""
    return value


def _kind_for(user: User, changed: dict[str, list[Any]]) -> str:
    if "is_active" in changed:
        return AccountChange.Kind.REACTIVATED if user.is_active else AccountChange.Kind.DEACTIVATED
    return AccountChange.Kind.UPDATED


@transaction.atomic
def account_update(
    *,
    user: User,
    by: User | None,
    source: str,
    reason: str = "",
    kind: str | None = None,
    **fields: Any,
) -> dict[str, list[Any]]:
    """Set `fields` on `user`, save only what changed and record it in the history. Returns the
    changes ({field: [before, after]}, empty when nothing changed: nothing is written then)."""
    before = {name: _shown(user, name) for name in fields if name in TRACKED_FIELDS}
    raw_before = {name: getattr(user, name) for name in fields}
    for name, value in fields.items():
        setattr(user, name, value)
    changed_fields = [name for name in fields if getattr(user, name) != raw_before[name]]
    if not changed_fields:
        return {}
    user.save(update_fields=[*changed_fields, "updated_at"])
    changes = {
        name: [before[name], _shown(user, name)] for name in changed_fields if name in before
    }
    if changes:
        AccountChange.objects.create(
            user=user,
            kind=kind or _kind_for(user, changes),
            source=source,
            changes=changes,
            reason=reason,
            by=by,
            at=timezone.now(),
        )
    return changes


def account_created(*, user: User, by: User | None, source: str, reason: str = "") -> None:
    """Record that `user` was just created (by an import, an administrator or a first sign-in)."""
    AccountChange.objects.create(
        user=user,
        kind=AccountChange.Kind.CREATED,
        source=source,
        changes={name: [None, _shown(user, name)] for name in TRACKED_FIELDS},
        reason=reason,
        by=by,
    )
