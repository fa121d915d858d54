"""Load the demo data: `python manage.py seed_demo` (idempotent; `make run` calls it).

Each app may have a `demo.py` with `seed(stdout) -> None`; they run in INSTALLED_APPS order, so an
app's demo can rely on the accounts and reference data seeded before it.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Charge les données de démonstration (comptes par rôle, contenus). DEBUG uniquement."

    def handle(self, *args, **options) -> None:
        # Demo accounts share a published password: never in a real deployment.
        if not settings.DEBUG:
            raise CommandError("seed_demo ne s'exécute qu'avec DEBUG=1 (comptes de démonstration).")
        for app_name in settings.LOCAL_APPS:
            module_name = f"{app_name}.demo"
            if find_spec(module_name) is None:
                continue
            with transaction.atomic():
                import_module(module_name).seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
