import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from apps.timelines import feeds, services
from apps.users import selectors as user_selectors
from twitter.db.routing import PRIMARY


class Command(BaseCommand):
    help = (
        "Compare every cached home timeline with what the database says it should hold; "
        "report the differences and, with --repair, rebuild the lists that differ."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--user", type=int, action="append", dest="users", help="only this user (repeatable)")
        parser.add_argument("--repair", action="store_true")
        parser.add_argument("--show", type=int, default=10, help="print details of this many differing users")

    def handle(self, *args: Any, users: list[int] | None, repair: bool, show: int, **options: Any) -> None:
        started = time.monotonic()
        candidates = users or user_selectors.user_ids_active(using=PRIMARY)
        checked = differing = 0
        for start in range(0, len(candidates), 1000):
            for user_id in feeds.existing_homes(candidates[start : start + 1000]):
                checked += 1
                cached = feeds.ids(feeds.Home(user_id)) or []
                expected, _ = services.home_ids_from_database(user_id=user_id, using=PRIMARY)
                if cached == expected:
                    continue
                differing += 1
                if differing <= show:
                    missing = sorted(set(expected) - set(cached), reverse=True)
                    extra = sorted(set(cached) - set(expected), reverse=True)
                    self.stdout.write(
                        f"user {user_id}: cached {len(cached)}, expected {len(expected)}; "
                        f"missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
                        f"extra {extra[:5]}{'...' if len(extra) > 5 else ''}"
                        + ("" if missing or extra else ", order differs")
                    )
                if repair:
                    services.home_rebuild(user_id=user_id, using=PRIMARY)
            self.stdout.write(f"checked {checked} cached timelines of {min(start + 1000, len(candidates))} users")
        elapsed = time.monotonic() - started
        verdict = f"{differing} of {checked} cached home timelines differ" + (
            " (repaired)" if repair and differing else ""
        )
        self.stdout.write((self.style.SUCCESS if not differing else self.style.WARNING)(f"{verdict}; {elapsed:.1f}s"))
