from celery import shared_task

from apps.media import services
from twitter.task_base import ReliableTask


@shared_task(base=ReliableTask, name="apps.media.tasks.media_expire_task")
def media_expire_task() -> int:
    return services.media_expire()
