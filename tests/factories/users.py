import factory

from apps.users.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user_{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username.lower()}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)
