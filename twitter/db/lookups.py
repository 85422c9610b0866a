"""`column = ANY(array)`: a list of ids bound as one array parameter.

`IN (%s, %s, ...)` binds every id as its own parameter: for the thousand followees of a
home timeline, Django builds and Postgres parses two thousand placeholders, which cost
more than the query. Use in a filter: `.filter(AnyOf(F("author_id"), ids))`, or bind
`id_array(ids)` in raw SQL.
"""

from collections.abc import Iterable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.sql.compiler import SQLCompiler


def id_array(ids: Iterable[int]) -> str:
    """Ids as a Postgres array's text form, to bind as one `%s::bigint[]` parameter.
    psycopg's list adapter quotes element by element, which for a thousand ids costs more
    than the query; int() keeps the text to digits."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def __init__(self, lhs: Any, ids: Iterable[int]) -> None:
        super().__init__(lhs, id_array(ids))

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, self.rhs)
