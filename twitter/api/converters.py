"""URL converter for snowflake ids: a path with an impossible id is a 404, not a 500."""

from django.urls import register_converter

from twitter.ids import MAX_ID


class SnowflakeConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValueError(value)  # Django treats it as no match: 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(SnowflakeConverter, "id")
