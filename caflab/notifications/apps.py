from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "caflab.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from caflab.notifications import personal_data, queueing

        personal_data.register()
        # One broker budget per request (queueing.enqueue).
        request_started.connect(queueing.open_request_budget, dispatch_uid="broker_budget_open")
        request_finished.connect(queueing.close_request_budget, dispatch_uid="broker_budget_close")
