"""Celery tasks of the accounts app: ids in, never an address; safe to run twice (a pending
account is mailed its link again at worst, and the link stays the same kind)."""

from celery import shared_task


@shared_task(acks_late=True)
def send_signup_verification(user_id: int) -> bool:
    from caflab.accounts.signup import verification_send

    return verification_send(user_id=user_id)


@shared_task(acks_late=True)
def send_signup_existing(user_id: int) -> bool:
    from caflab.accounts.signup import existing_account_send

    return existing_account_send(user_id=user_id)


@shared_task(acks_late=True)
def send_password_reset(user_id: int) -> bool:
    """Mail a password-reset link; the link is built here, from the id, and never stored."""
    from caflab.accounts.security import password_reset_send

    return password_reset_send(user_id=user_id)


@shared_task(acks_late=True)
def purge_inactive_accounts() -> dict[str, int]:
    """Daily: delete accounts unused past their retention, and sign-ups never confirmed."""
    from caflab.accounts.personal_data import inactive_accounts_purge

    return inactive_accounts_purge()


@shared_task(acks_late=True)
def send_invitation(user_id: int) -> bool:
    """Mail an imported or admin-created account its link to choose a password."""
    from caflab.accounts.invitations import invitation_send

    return invitation_send(user_id=user_id)


@shared_task(acks_late=True)
def send_invitation_batch(batch_id: int) -> str:
    """The invitations of an import: one leased job (caflab.core.jobs), each person once."""
    from caflab.accounts.invitations import invitation_batch_send

    return invitation_batch_send(batch_id=batch_id)


@shared_task(acks_late=True)
def requeue_invitation_batches() -> int:
    """Every minute (beat): batches whose worker died or whose message was lost."""
    from caflab.accounts.invitations import invitation_batches_requeue

    return invitation_batches_requeue()


@shared_task(acks_late=True)
def send_invitations(user_ids: list[int]) -> int:
    """Chunks of ids queued by the release before invitation batches: kept so that messages
    still in the broker during a deployment are delivered. Nothing queues it any more."""
    from caflab.accounts.invitations import invitation_send

    return sum(invitation_send(user_id=user_id) for user_id in user_ids)
