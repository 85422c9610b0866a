import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.search import services
from apps.search.backends.elastic.client import CLUSTER_ERRORS


class Command(BaseCommand):
    help = (
        "Rebuild the search indexes. Elasticsearch: each kind is copied into a new index, "
        "then the alias searches read moves to it atomically (no downtime). Postgres: the "
        "search indexes are rebuilt concurrently (writes go on) and statistics refreshed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--type", choices=["all", *services.KINDS], default="all", dest="kind")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, kind: str, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        started = time.monotonic()
        if not services.elasticsearch_enabled():
            self.stdout.write("backend: postgres (ELASTICSEARCH_URL is not set)")
            services.postgres_search_indexes_rebuild(progress=lambda index: self.stdout.write(f"reindexing {index}"))
        else:
            for each in services.KINDS if kind == "all" else [kind]:
                try:
                    self._rebuild(each, batch_size)
                except CLUSTER_ERRORS as exc:
                    raise CommandError(f"{each}: the search cluster failed: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"done in {time.monotonic() - started:.1f}s"))

    def _rebuild(self, kind: str, batch_size: int) -> None:
        total = services.search_total(kind=kind)
        started = time.monotonic()
        self.stdout.write(f"{kind}: {total} rows to index")

        def progress(done: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"{kind}: {done}/{total} ({rate:.0f}/s)")

        index = services.search_reindex(kind=kind, batch_size=batch_size, progress=progress)
        self.stdout.write(f"{kind}: searches now read {index}")
