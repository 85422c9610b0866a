import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.timelines import services
from apps.users import selectors as user_selectors
from twitter.db.routing import PRIMARY
from twitter.errors import ApplicationError


class Command(BaseCommand):
    help = "Rebuild cached home and user timelines from the database: one user, or all."

    def add_arguments(self, parser: ArgumentParser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", type=int, help="a user id")
        who.add_argument("--username")
        who.add_argument("--all", action="store_true", help="every active user")
        parser.add_argument("--using", default=PRIMARY, help="database alias to read (default: the primary)")

    def handle(self, *args: Any, user: int | None, username: str | None, using: str, **options: Any) -> None:
        if username is not None:
            try:
                user = user_selectors.user_get_by_username(username=username).pk
            except ApplicationError as exc:
                raise CommandError(f"{username}: {exc.message}") from exc
        user_ids = user_selectors.user_ids_active(using=using) if options["all"] else [int(user)]  # type: ignore[arg-type]
        started = time.monotonic()
        for number, user_id in enumerate(user_ids, 1):
            services.home_rebuild(user_id=user_id, using=using)
            services.user_rebuild(user_id=user_id, using=using)
            if number % 500 == 0 or number == len(user_ids):
                rate = number / max(time.monotonic() - started, 1e-6)
                self.stdout.write(f"rebuilt {number}/{len(user_ids)} users ({rate:.0f}/s)")
        self.stdout.write(self.style.SUCCESS(f"done in {time.monotonic() - started:.1f}s"))
