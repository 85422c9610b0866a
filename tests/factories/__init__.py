from tests.factories.users import PASSWORD, UserFactory

__all__ = ["PASSWORD", "UserFactory"]
