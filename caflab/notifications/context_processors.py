from django.http import HttpRequest

from caflab.notifications.models import Notification


def notifications(request: HttpRequest) -> dict[str, int]:
    """The unread badge of the header: one COUNT on an index, nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread_count": Notification.objects.for_user(user).unread().count()}
