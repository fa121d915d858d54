""" "My data" covers every place a person is named: each foreign key, one-to-one or
many-to-many to the user model is declared by a section of the registry (`covers=`) or
excluded here with its reason. A new user foreign key fails this test until someone decides."""

from django.apps import apps
from django.contrib.auth import get_user_model

from caflab.accounts import personal_data

_AUDIT = (
    "audit trail (pghistory event or admin log): evidence of who changed what, kept for "
    "accountability; no foreign key constraint, so the account's deletion leaves the id only"
)

EXCLUDED: dict[tuple[str, str], str] = {
    # Access rights, shown as the role in "Votre compte", deleted with the account (CASCADE).
    ("accounts.UserGroup", "user"): "access rights given by the administrators, CASCADE",
    ("accounts.UserPermission", "user"): "access rights given by the administrators, CASCADE",
    # Someone else's account history: the row is the other person's data.
    ("accounts.AccountChange", "by"): "an administrator's change to another account (SET_NULL)",
    ("accounts.InvitationBatch", "requested_by"): "an administrator's import job (SET_NULL)",
    ("accounts.BatchInvitation", "user"): "delivery state of the invitation e-mail, CASCADE",
    ("notifications.FanOut", "actor"): "delivery job of other people's notifications (SET_NULL)",
    ("notifications.Notification", "actor"): "other people's notifications (SET_NULL)",
    ("core.AuditEvent", "by"): "security audit log, kept for accountability (SET_NULL)",
    ("admin.LogEntry", "user"): _AUDIT,
    ("pghistory.MiddlewareEvents", "user"): _AUDIT,
    ("accounts.UserEvent", "pgh_obj"): _AUDIT,
    ("accounts.UserGroupEvent", "user"): _AUDIT,
    ("accounts.UserPermissionEvent", "user"): _AUDIT,
    ("projects.GateReviewEvent", "decided_by"): _AUDIT,
    ("criees.CommentEvent", "moderated_by"): _AUDIT,
    ("ideas.IdeaCommentEvent", "moderated_by"): _AUDIT,
    ("ecoute.ConsultationEvent", "owner"): _AUDIT,
    ("ecoute.ContributionEvent", "moderated_by"): _AUDIT,
    ("ecoute.ContributionCommentEvent", "moderated_by"): _AUDIT,
    ("ecoute.ExportJobEvent", "requested_by"): _AUDIT,
    ("evaluation.ImpactReportEvent", "requested_by"): _AUDIT,
    ("api.AccessTokenEvent", "user"): _AUDIT,
    ("api.AccessTokenEvent", "revoked_by"): _AUDIT,
}


def user_foreign_keys() -> set[tuple[str, str]]:
    """(model label, field name) of every FK, one-to-one and many-to-many to the user model;
    the auto-created tables of a many-to-many are counted as the many-to-many itself."""
    user_model = get_user_model()
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            concrete = getattr(field, "concrete", False) or field.many_to_many
            named = field.is_relation and field.related_model is user_model
            if named and concrete and not field.auto_created:
                found.add((model._meta.label, field.name))
    return found


def covered() -> dict[tuple[str, str], list[str]]:
    by_pair: dict[tuple[str, str], list[str]] = {}
    for section in personal_data.sections():
        for pair in section.covers:
            by_pair.setdefault(pair, []).append(section.key)
    return by_pair


def test_the_walk_finds_the_known_kinds_of_user_keys():
    keys = user_foreign_keys()
    assert ("projects.TeamMember", "user") in keys  # a foreign key
    assert ("ideas.Challenge", "jury") in keys  # a many-to-many
    assert ("criees.CommentEvent", "moderated_by") in keys  # an event table
    assert not any(label.endswith("_jury") for label, _ in keys)  # its auto-created table


def test_every_user_foreign_key_is_in_my_data_or_excluded_with_a_reason():
    keys = user_foreign_keys()
    sections = covered()
    missing = sorted(keys - set(sections) - set(EXCLUDED))
    assert not missing, f"neither in a 'my data' section nor excluded: {missing}"
    both = sorted(set(sections) & set(EXCLUDED))
    assert not both, f"both covered and excluded: {both}"
    assert all(reason.strip() for reason in EXCLUDED.values())


def test_no_section_or_exclusion_names_a_key_that_does_not_exist():
    keys = user_foreign_keys()
    assert sorted(set(covered()) - keys) == []
    assert sorted(set(EXCLUDED) - keys) == []


def test_criees_evaluation_and_ecoute_register_their_staff_sections():
    registered = {section.key for section in personal_data.sections()}
    assert {
        "criees.memberships",
        "criees.comments",
        "criees.supports",
        "criees.activity",
        "evaluation.measurements",
        "evaluation.testimonies",
        "evaluation.activity",
        "projects.teams",
        "projects.activity",
        "ideas.activity",
        "ecoute.activity",
    } <= registered
