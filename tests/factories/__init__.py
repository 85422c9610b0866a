from tests.factories.tweets import TweetFactory
from tests.factories.users import PASSWORD, UserFactory

__all__ = ["PASSWORD", "TweetFactory", "UserFactory"]
