"""Who may see a notification: its recipient, nobody else (not even the lab). The QuerySet
scope `Notification.objects.for_user(user)` makes anybody else's notification a 404."""

import rules

from caflab.notifications.models import Notification


@rules.predicate
def is_recipient(user, notification: Notification | None) -> bool:
    return bool(
        user.is_authenticated and notification is not None and notification.recipient_id == user.pk
    )


# The notification centre: any signed-in user (anonymous visitors are sent to the login page).
can_view_notification_centre = rules.is_authenticated
rules.add_perm("notifications.view_centre", can_view_notification_centre)

# Opening (and so marking read) one notification: its recipient only.
can_open_notification = is_recipient
rules.add_perm("notifications.open_notification", can_open_notification)
