from typing import Any

from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "apps.timelines"
    label = "timelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.timelines import services
        from twitter import events

        for event_type, task in {
            "tweet.created": "tweet_created_task",
            "tweet.deleted": "tweet_deleted_task",
            "like.created": "like_created_task",
            "like.deleted": "like_deleted_task",
            "follow.created": "follow_created_task",
            "follow.deleted": "follow_deleted_task",
            "user.suspended": "user_suspended_task",
            "user.unsuspended": "user_unsuspended_task",
            "user.profile_updated": "user_profile_updated_task",
        }.items():
            events.subscribe(event_type, f"apps.timelines.tasks.{task}")

        # Effects the writer's next read must already see (each repeated by its consumer).
        def show_to_author(payload: dict[str, Any]) -> None:
            services.tweet_show_to_author(
                tweet_id=payload["tweet_id"],
                author_id=payload["author_id"],
                reply_to_id=payload["reply_to_id"],
                reply_to_user_id=payload["reply_to_user_id"],
                retweet_of_id=payload.get("retweet_of_id"),
            )

        def hide(payload: dict[str, Any]) -> None:
            services.tweet_hide(
                tweet_id=payload["tweet_id"],
                author_id=payload["author_id"],
                reply_to_id=payload["reply_to_id"],
                retweet_of_id=payload.get("retweet_of_id"),
            )

        events.on_commit_locally("tweet.created", show_to_author)
        events.on_commit_locally("tweet.deleted", hide)
        events.on_commit_locally(
            "like.created", lambda p: services.like_changed(user_id=p["user_id"], tweet_id=p["tweet_id"], liked=True)
        )
        events.on_commit_locally(
            "like.deleted", lambda p: services.like_changed(user_id=p["user_id"], tweet_id=p["tweet_id"], liked=False)
        )
        events.on_commit_locally(
            "follow.deleted",
            lambda p: services.unfollow_hide(follower_id=p["follower_id"], followee_id=p["followee_id"]),
        )
        events.on_commit_locally(
            "user.suspended", lambda p: services.user_suspension_changed(user_id=p["user_id"], suspended=True)
        )
        events.on_commit_locally(
            "user.unsuspended", lambda p: services.user_suspension_changed(user_id=p["user_id"], suspended=False)
        )
        events.on_commit_locally("user.profile_updated", lambda p: services.author_changed(user_id=p["user_id"]))
