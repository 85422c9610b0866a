"""The timelines context's one table: who is merged at read time instead of fanned out.

Redis holds the same set for the hot paths (feeds.celebrity_ids); this table is what it is
loaded from when Redis lost it, so a Redis restart changes no one's status.
"""

from django.db import models


class Celebrity(models.Model):
    user_id = models.BigIntegerField(primary_key=True)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "celebrities"

    def __str__(self) -> str:
        return f"celebrity {self.user_id}"
