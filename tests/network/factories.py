import factory
from factory.django import DjangoModelFactory

from caflab.network.models import Partner


class PartnerFactory(DjangoModelFactory):
    """Partners are not reference data: tests and demo data create them."""

    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Association partenaire {n}")
    kind = Partner.Kind.ASSOCIATION
    caf = None
