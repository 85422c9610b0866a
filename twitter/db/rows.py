"""Inserting one row without the ORM's per-save machinery.

`Model.save()` compiles an INSERT, sends signals and walks its options on every call: on
the write path (a tweet and its outbox event, hundreds a second) that costs more than the
statement. `insert_row` sends the same INSERT, built once per model, with each field's
own conversion (`pre_save`, then `get_db_prep_save`: defaults, `auto_now_add`, JSON), so
the row is exactly what `save(force_insert=True)` would write. No signals are sent: use
it only for models nothing listens to.
"""

from functools import cache

from django.db import connections, models
from django.db.models import Field


@cache
def _statement(model: type[models.Model]) -> tuple[str, tuple[Field, ...]]:
    fields = tuple(field for field in model._meta.concrete_fields if not field.generated)
    columns = ", ".join(connections["default"].ops.quote_name(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({placeholders})", fields  # noqa: S608


def insert_row(instance: models.Model, *, using: str = "default") -> None:
    connection = connections[using]
    sql, fields = _statement(type(instance))
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
    instance._state.adding = False
    instance._state.db = using
