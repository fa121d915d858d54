import factory
from factory.django import DjangoModelFactory

from caflab.accounts.models import Role, User
from caflab.network.models import Caf

TEST_PASSWORD = "un-mot-de-passe-solide-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@caf.example")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.AGENT
    caf = factory.LazyFunction(lambda: Caf.objects.get(code="38"))
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])

    class Params:
        lab = factory.Trait(role=Role.LAB_STAFF, caf=None)
        citizen = factory.Trait(role=Role.CITIZEN, caf=None)
        correspondent = factory.Trait(role=Role.CORRESPONDENT)
        moderator = factory.Trait(role=Role.MODERATOR, caf=None)
        admin = factory.Trait(role=Role.ADMIN, caf=None, is_staff=True, is_superuser=True)
