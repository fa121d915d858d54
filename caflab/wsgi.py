import os

from django.core.wsgi import get_wsgi_application

from caflab.core.checks import refuse_to_start_if_misconfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caflab.settings")

application = get_wsgi_application()

# Fail at start-up, not at the first request, when production is half-configured (no
# SECRET_KEY, no SITE_URL, e-mails going nowhere, ALLOWED_HOSTS = *).
refuse_to_start_if_misconfigured()
