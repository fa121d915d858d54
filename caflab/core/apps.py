from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "caflab.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self) -> None:
        from caflab.core.checks import check_production_settings

        # Deploy only: `check --deploy` runs it; the processes that serve run the same list
        # at start-up (caflab.wsgi, caflab.asgi, caflab.celery).
        checks.register(check_production_settings, "caflab", deploy=True)

        from django.core.signals import request_finished, request_started

        from caflab.core import queueing

        # One broker budget per request (queueing.enqueue).
        request_started.connect(queueing.open_request_budget, dispatch_uid="broker_budget_open")
        request_finished.connect(queueing.close_request_budget, dispatch_uid="broker_budget_close")

        # The home's "Ce qui vous attend": the platform's part (moderation, pending accounts).
        from caflab.core import home
        from caflab.core.panels import register_panel
        from caflab.core.waiting import WAITING_TEMPLATE

        register_panel(
            "home", name="platform", template=WAITING_TEMPLATE, context=home.context, order=90
        )
