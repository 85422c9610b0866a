import factory

from apps.tweets.models import Tweet
from tests.factories.users import UserFactory


class TweetFactory(factory.django.DjangoModelFactory):
    """A tweet row as it is stored; tests of behaviour create tweets through the API."""

    class Meta:
        model = Tweet

    author = factory.SubFactory(UserFactory)
    text = factory.Faker("sentence")
