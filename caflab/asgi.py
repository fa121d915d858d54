import os

from django.core.asgi import get_asgi_application

from caflab.core.checks import refuse_to_start_if_misconfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caflab.settings")

application = get_asgi_application()

# Fail at start-up, as caflab.wsgi does, when production is half-configured.
refuse_to_start_if_misconfigured()
