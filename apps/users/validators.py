"""Rules for usernames and profile fields (DESIGN.md section 3)."""

from django.core.validators import RegexValidator

USERNAME_MAX_LENGTH = 15
DISPLAY_NAME_MAX_LENGTH = 50
BIO_MAX_LENGTH = 160
LOCATION_MAX_LENGTH = 30

username_validator = RegexValidator(
    regex=r"^[A-Za-z0-9_]{1,15}\Z",
    message="Usernames are 1 to 15 letters (A-Z), digits or underscores.",
    code="invalid_username",
)
