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
def purge_inactive_accounts() -> dict[str, int]:
    """Daily: delete accounts unused past their retention, and sign-ups never confirmed."""
    from caflab.accounts.personal_data import inactive_accounts_purge

    return inactive_accounts_purge()
