"""LIKE patterns built from user text."""


def like_prefix(text: str) -> str:
    """A LIKE pattern matching values that start with `text` taken literally (its `%`, `_`
    and backslashes escaped; backslash is Postgres's default LIKE escape)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
