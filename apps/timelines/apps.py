from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "apps.timelines"
    label = "timelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.timelines import services
        from apps.tweets.rendering import render_core
        from twitter import events
        from twitter.events import Committed, LocalHandler

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
        def show_to_author(committed: Committed) -> None:
            payload, tweet = committed.payload, committed.context.get("tweet")
            services.tweet_show_to_author(
                tweet_id=payload["tweet_id"],
                author_id=payload["author_id"],
                reply_to_id=payload["reply_to_id"],
                reply_to_user_id=payload["reply_to_user_id"],
                retweet_of_id=payload.get("retweet_of_id"),
                rendered=render_core(tweet) if tweet is not None else None,
                batch=committed.redis,
            )

        def hide(committed: Committed) -> None:
            payload = committed.payload
            services.tweet_hide(
                tweet_id=payload["tweet_id"],
                author_id=payload["author_id"],
                reply_to_id=payload["reply_to_id"],
                retweet_of_id=payload.get("retweet_of_id"),
            )

        def liked(value: bool) -> LocalHandler:
            def handler(committed: Committed) -> None:
                payload = committed.payload
                services.like_changed(user_id=payload["user_id"], tweet_id=payload["tweet_id"], liked=value)

            return handler

        def suspended(value: bool) -> LocalHandler:
            def handler(committed: Committed) -> None:
                services.user_suspension_changed(user_id=committed.payload["user_id"], suspended=value)

            return handler

        def unfollowed(committed: Committed) -> None:
            payload = committed.payload
            services.unfollow_hide(follower_id=payload["follower_id"], followee_id=payload["followee_id"])

        def author_changed(committed: Committed) -> None:
            services.author_changed(user_id=committed.payload["user_id"])

        events.on_commit_locally("tweet.created", show_to_author)
        events.on_commit_locally("tweet.deleted", hide)
        events.on_commit_locally("like.created", liked(True))
        events.on_commit_locally("like.deleted", liked(False))
        events.on_commit_locally("follow.deleted", unfollowed)
        events.on_commit_locally("user.suspended", suspended(True))
        events.on_commit_locally("user.unsuspended", suspended(False))
        events.on_commit_locally("user.profile_updated", author_changed)
