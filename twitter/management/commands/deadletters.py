from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from twitter.deadletters import dead_letter_replay
from twitter.models import DeadLetter


class Command(BaseCommand):
    help = "Dead letters of tasks that failed for good: list them, or replay them through the broker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["list", "replay"])
        parser.add_argument("--id", type=int, action="append", dest="ids", help="replay: this dead letter (repeatable)")
        parser.add_argument("--all", action="store_true", help="replay: every dead letter not replayed yet")
        parser.add_argument("--limit", type=int, default=50, help="list: how many, newest first")

    def handle(self, *args: Any, action: str, ids: list[int] | None, limit: int, **options: Any) -> None:
        if action == "list":
            letters = DeadLetter.objects.order_by("-id")[:limit]
            for letter in letters:
                replayed = f"replayed {letter.replay_count}x" if letter.replay_count else "not replayed"
                self.stdout.write(f"{letter.id}  {letter.failed_at:%Y-%m-%d %H:%M:%S}  {letter.task_name}  {replayed}")
                self.stdout.write(f"    args={letter.args} error={letter.error[:200]}")
            self.stdout.write(f"{DeadLetter.objects.count()} dead letter(s) in all")
            return
        if options["all"]:
            ids = list(DeadLetter.objects.filter(replayed_at__isnull=True).order_by("id").values_list("id", flat=True))
        if not ids:
            raise CommandError("replay needs --id ID (repeatable) or --all")
        missing = set(ids) - set(DeadLetter.objects.filter(id__in=ids).values_list("id", flat=True))
        if missing:
            raise CommandError(f"no dead letter with id {', '.join(map(str, sorted(missing)))}")
        for number, letter_id in enumerate(ids, 1):
            dead_letter_replay(dead_letter_id=letter_id)
            self.stdout.write(f"[{number}/{len(ids)}] replayed {letter_id}")
        self.stdout.write(self.style.SUCCESS(f"replayed {len(ids)} dead letter(s)"))
