from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Count, Min
from django.utils import timezone

from twitter import events
from twitter.models import OutboxEvent


class Command(BaseCommand):
    help = (
        "Outbox events: status (pending and unconfirmed, by type, oldest age), relay (send pending now, "
        "and again what consumers did not confirm within OUTBOX_CONFIRM_SECONDS), prune."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["status", "relay", "prune"])
        parser.add_argument("--days", type=int, default=7, help="prune: delivered events older than this")

    def handle(self, *args: Any, action: str, days: int, **options: Any) -> None:
        if action == "relay":
            sent = events.sweep(older_than_seconds=0)
            self.stdout.write(self.style.SUCCESS(f"relayed {sent} pending event(s)"))
            resent, given_up = events.resend_unconfirmed(
                older_than_seconds=settings.OUTBOX_CONFIRM_SECONDS, max_attempts=settings.OUTBOX_MAX_ATTEMPTS
            )
            if resent or given_up:
                self.stdout.write(f"sent {resent} unconfirmed event(s) again; gave up on {given_up} (dead letters)")
            return
        if action == "prune":
            cutoff = timezone.now() - timedelta(days=days)
            deleted, _ = OutboxEvent.objects.filter(done_at__lt=cutoff).delete()
            self.stdout.write(self.style.SUCCESS(f"pruned {deleted} delivered event(s) older than {days} day(s)"))
            return
        pending = OutboxEvent.objects.filter(published_at__isnull=True)
        summary = pending.aggregate(count=Count("id"), oldest=Min("created_at"))
        unconfirmed = OutboxEvent.objects.filter(published_at__isnull=False, done_at__isnull=True)
        self.stdout.write(f"published: {OutboxEvent.objects.filter(published_at__isnull=False).count()}")
        self.stdout.write(f"pending:   {summary['count']}")
        self.stdout.write(f"unconfirmed: {unconfirmed.count()} (published, some consumer has not confirmed yet)")
        if summary["oldest"] is not None:
            age = (timezone.now() - summary["oldest"]).total_seconds()
            self.stdout.write(f"oldest pending: {age:.1f}s ago")
            for row in pending.values("event_type").annotate(n=Count("id")).order_by("-n"):
                self.stdout.write(f"  {row['event_type']:<24} {row['n']}")
