"""Database router of the read-API: reads per `twitter.db.routing`, never writes elsewhere."""

from typing import Any

from django.db.models import Model

from twitter.db.routing import PRIMARY, read_alias


class ReadReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY
