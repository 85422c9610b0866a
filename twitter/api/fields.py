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


class WholeNumberField(serializers.IntegerField):
    """A query parameter's whole number: ASCII digits only (no '١٢', '1e3' or '1.0'), at
    most 9 of them, so no value can be a huge number to convert."""

    default_error_messages = {"invalid": "Must be a whole number (digits 0-9)."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and data.isascii() and data.isdigit() and len(data) <= 9)
        ):
            self.fail("invalid")
        return int(super().to_internal_value(data))
