import factory

from egov.accounts.models import Membership, User

PASSWORD = "Egov-test-2026!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    kind = User.Kind.OFFICER
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CitizenFactory(UserFactory):
    kind = User.Kind.CITIZEN
    username = factory.Sequence(lambda n: f"c:dan{n}@example.vn")
    email = factory.Sequence(lambda n: f"dan{n}@example.vn")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory("egov.organizations.tests.factories.AgencyFactory")
    role = "specialist"
