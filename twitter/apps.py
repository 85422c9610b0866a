from django.apps import AppConfig


class TwitterConfig(AppConfig):
    name = "twitter"
    verbose_name = "Platform kernel"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # psycopg-pool retries a database it cannot reach after 1, 2, 4, 8 ... seconds, so a
        # primary back after an 8 s outage took writes back only ~7 s later (the fault
        # suite measured it). Retrying every second (with the pool's jitter) brings them
        # back within about a second, for one connection attempt a second while it is down.
        from psycopg_pool.base import AttemptWithBackoff

        AttemptWithBackoff.DELAY_BACKOFF = 1.0

        # The worker's metrics exporter starts with a worker (a Celery signal).
        from twitter import worker_metrics  # noqa: F401
