"""Serializer fields for snowflake ids: strings in JSON, ints inside."""

from typing import Any

from rest_framework import serializers

from twitter.ids import MAX_ID


def parse_id(value: Any) -> int | None:
    """The id in `value` (a decimal string or an int), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


class IdField(serializers.Field):
    default_error_messages = {"invalid": "Must be an id: a string of digits."}

    def to_representation(self, value: int) -> str:
        return str(value)

    def to_internal_value(self, data: Any) -> int:
        number = parse_id(data)
        if number is None:
            raise serializers.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))
