"""Home and user timelines: fan-out, hybrid merge, rebuilds, hiding, paging."""

import json
from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.timelines import feeds, services
from apps.timelines.tasks import tweet_created_task
from apps.users import services as user_services
from tests.conftest import Api, Events, broker_redis
from tests.factories import UserFactory
from twitter import events, keys
from twitter.models import OutboxEvent
from twitter.redis import get_redis


@pytest.fixture
def pair(api_for: Any, outbox: Events) -> tuple[Api, Api]:
    """reader follows author; reader's home is cached (they read it once)."""
    reader, author = api_for(UserFactory(username="reader")), api_for(UserFactory(username="author"))
    reader.follow(author.user)
    outbox.deliver()
    assert reader.home() == []
    return reader, author


def cached(user_id: int) -> list[int] | None:
    return feeds.ids(feeds.Home(user_id))


def test_a_followers_home_gets_the_tweet_by_fan_out(pair: tuple[Api, Api], outbox: Events) -> None:
    reader, author = pair
    tweet = author.tweet("hello followers")
    assert author.home_ids() == [tweet["id"]]  # the author at once (read-your-writes)
    assert cached(reader.user.pk) == []  # the reader once the fan-out ran
    outbox.deliver()
    assert cached(reader.user.pk) == [int(tweet["id"])]
    home = reader.home()
    assert [t["id"] for t in home] == [tweet["id"]]
    assert home[0]["author"]["username"] == "author"
    assert home[0]["liked"] is False


def test_warm_home_reads_issue_no_sql(pair: tuple[Api, Api], outbox: Events) -> None:
    reader, author = pair
    for i in range(3):
        author.tweet(f"tweet {i}")
    outbox.deliver()
    reader.home()  # fills the tweet and author caches
    with CaptureQueriesContext(connections["default"]) as queries:
        home = reader.home(limit=2)
    assert len(home) == 2
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_running_a_fan_out_twice_changes_nothing(pair: tuple[Api, Api], outbox: Events) -> None:
    reader, author = pair
    reader.read.get(f"/api/v1/users/{author.user.pk}/tweets")  # the profile list exists once read
    tweet = author.tweet("once")
    event = OutboxEvent.objects.get(event_type="tweet.created")
    tweet_created_task(event.id, event.payload)
    tweet_created_task(event.id, event.payload)
    assert cached(reader.user.pk) == [int(tweet["id"])]
    assert feeds.ids(feeds.Profile(author.user.pk)) == [int(tweet["id"])]


def test_inserts_are_ordered_even_when_they_arrive_late(pair: tuple[Api, Api], outbox: Events) -> None:
    reader, author = pair
    first, second, third = (int(author.tweet(text)["id"]) for text in ("one", "two", "three"))
    home = feeds.Home(reader.user.pk)
    for tweet_id in (third, first, second, first):
        feeds.push(tweet_id, [home])
    assert cached(reader.user.pk) == [third, second, first]


def test_an_inactive_follower_is_skipped_and_rebuilt_on_read(api_for: Any, outbox: Events) -> None:
    sleeper, author = api_for(UserFactory()), api_for(UserFactory())
    sleeper.follow(author.user)
    tweets = [author.tweet(f"while asleep {i}")["id"] for i in range(3)]
    outbox.deliver()
    assert cached(sleeper.user.pk) is None  # no list: nothing was pushed
    assert sleeper.home_ids() == list(reversed(tweets))
    expected, _ = services.home_ids_from_database(user_id=sleeper.user.pk, using="default")
    assert cached(sleeper.user.pk) == expected


def _followed_celebrity(reader: Api, api_for: Any, outbox: Events, settings: Any) -> Api:
    """A new account that `reader` follows and that the follow made a celebrity."""
    star = api_for(UserFactory())
    settings.CELEBRITY_FOLLOWERS = 1
    reader.follow(star.user)
    outbox.deliver()
    assert services.is_celebrity(star.user.pk)
    return star


def test_celebrities_are_merged_at_read_time_not_fanned_out(
    pair: tuple[Api, Api], api_for: Any, outbox: Events, settings: Any
) -> None:
    reader, _ = pair
    star = api_for(UserFactory(username="star"))
    settings.CELEBRITY_FOLLOWERS = 2
    fans = [api_for(UserFactory()) for _ in range(2)]
    reader.follow(star.user)
    for fan in fans:
        fan.follow(star.user)
    outbox.deliver()  # the follow that crossed the threshold promotes the star
    assert services.is_celebrity(star.user.pk)
    tweet = star.tweet("to my many fans")
    outbox.deliver()
    assert int(tweet["id"]) not in cached(reader.user.pk)  # type: ignore[operator]
    assert reader.home_ids() == [tweet["id"]]
    fans[0].home()
    assert fans[0].home_ids() == [tweet["id"]]


def test_a_demoted_celebrity_is_fanned_out_again_without_gaps(
    pair: tuple[Api, Api], api_for: Any, outbox: Events, settings: Any
) -> None:
    reader, _ = pair
    star = _followed_celebrity(reader, api_for, outbox, settings)
    before = star.tweet("as a celebrity")["id"]
    outbox.deliver()
    settings.CELEBRITY_FOLLOWERS = 100
    services.celebrities_sync()
    assert not services.is_celebrity(star.user.pk)
    after = star.tweet("as a regular")["id"]
    outbox.deliver()
    assert reader.home_ids() == [after, before]
    assert int(before) in cached(reader.user.pk)  # type: ignore[operator]


def test_unfollow_hides_at_once_and_removes_after(pair: tuple[Api, Api], outbox: Events) -> None:
    reader, author = pair
    tweet = author.tweet("soon unfollowed")
    outbox.deliver()
    assert reader.home_ids() == [tweet["id"]]
    reader.unfollow(author.user)
    assert reader.home_ids() == []  # hidden before any task ran
    outbox.deliver()
    assert cached(reader.user.pk) == []
    reader.follow(author.user)
    outbox.deliver()
    assert reader.home_ids() == [tweet["id"]]  # following again merges recent tweets


def test_delete_hides_at_once_and_removes_after(pair: tuple[Api, Api], outbox: Events) -> None:
    reader, author = pair
    keep, gone = author.tweet("keep")["id"], author.tweet("delete me")["id"]
    outbox.deliver()
    assert reader.home_ids() == [gone, keep]
    assert author.write.delete(f"/api/v1/tweets/{gone}").status_code == 204
    assert reader.home_ids() == [keep]
    assert author.home_ids() == [keep]
    outbox.deliver()
    assert cached(reader.user.pk) == [int(keep)]


def test_a_suspended_authors_tweets_leave_every_timeline(pair: tuple[Api, Api], outbox: Events) -> None:
    reader, author = pair
    tweet = author.tweet("before suspension")["id"]
    outbox.deliver()
    user_services.user_suspend(user_id=author.user.pk)
    assert reader.home_ids() == []
    assert reader.read.get(f"/api/v1/users/{author.user.pk}/tweets").status_code == 403
    user_services.user_unsuspend(user_id=author.user.pk)
    assert reader.home_ids() == [tweet]


def test_replies_follow_the_home_rule(api_for: Any, outbox: Events) -> None:
    viewer, replier, known, stranger = (api_for(UserFactory()) for _ in range(4))
    for other in (replier, known):
        viewer.follow(other.user)
    outbox.deliver()
    viewer.home()
    to_known = replier.tweet("@known yes", reply_to_id=known.tweet("known's tweet")["id"])["id"]
    to_stranger = replier.tweet("@stranger no", reply_to_id=stranger.tweet("stranger's tweet")["id"])["id"]
    own_thread = replier.tweet("1/2")["id"]
    thread = replier.tweet("2/2", reply_to_id=own_thread)["id"]
    outbox.deliver()
    home = viewer.home_ids()
    assert to_known in home
    assert thread in home
    assert to_stranger not in home
    services.home_rebuild(user_id=viewer.user.pk, using="default")  # the rebuild agrees
    assert viewer.home_ids() == home
    profile = [t["id"] for t in viewer.read.get(f"/api/v1/users/{replier.user.pk}/tweets").json()]
    assert profile == [thread, own_thread]  # replies to others stay off the profile


def test_paging_crosses_from_the_cache_into_the_database(pair: tuple[Api, Api], outbox: Events, settings: Any) -> None:
    reader, author = pair
    settings.TIMELINE_MAX_LENGTH = 30
    posted = [author.tweet(f"tweet {i}")["id"] for i in range(75)]
    outbox.deliver()
    assert len(cached(reader.user.pk)) == 30  # type: ignore[arg-type]
    assert reader.every_home_id(limit=20) == list(reversed(posted))
    newer = reader.home_ids(limit=5, min_id=posted[10])
    assert newer == list(reversed(posted[11:16]))
    since = reader.home_ids(limit=5, since_id=posted[10])
    assert since == list(reversed(posted))[:5]


def test_user_timeline_pages_and_link_header(pair: tuple[Api, Api], outbox: Events) -> None:
    reader, author = pair
    posted = [author.tweet(f"mine {i}")["id"] for i in range(5)]
    response = reader.read.get(f"/api/v1/users/{author.user.pk}/tweets", {"limit": 2})
    assert [t["id"] for t in response.json()] == [posted[4], posted[3]]
    assert f"max_id={posted[3]}" in response["Link"]
    assert reader.read.get("/api/v1/users/424242/tweets").status_code == 404


def test_home_needs_a_token_and_valid_cursors(pair: tuple[Api, Api], read_api: Any) -> None:
    reader, _ = pair
    assert read_api.get("/api/v1/timelines/home").status_code == 401
    for bad in ({"limit": "0"}, {"max_id": "x"}, {"since_id": "1", "min_id": "2"}):
        response = reader.read.get("/api/v1/timelines/home", bad)
        assert response.status_code == 400, bad


def test_a_complete_list_filled_to_the_cap_is_no_longer_complete(settings: Any, outbox: Events) -> None:
    settings.TIMELINE_MAX_LENGTH = 5
    home = feeds.Home(1)
    feeds.populate(home, [10, 8])
    assert feeds.is_complete(home)
    feeds.merge([12, 11, 9], [home])
    assert feeds.ids(home) == [12, 11, 10, 9, 8]
    assert not feeds.is_complete(home)  # older entries may exist beyond the cap


def test_a_rebuild_that_lagged_far_behind_still_pages_everything(api_for: Any, outbox: Events, settings: Any) -> None:
    reader, author = api_for(UserFactory()), api_for(UserFactory())
    reader.follow(author.user)
    settings.TIMELINE_MAX_LENGTH = 10
    posted = [author.tweet(f"t{i}")["id"] for i in range(25)]
    newer, _ = services.home_ids_from_database(user_id=reader.user.pk, using="default")
    rebuilt = services.caught_up([], newer)  # as if the rebuild's first read saw nothing
    feeds.populate(feeds.Home(reader.user.pk), rebuilt)
    assert reader.every_home_id(limit=7) == list(reversed(posted))


def test_the_pre_serialized_page_equals_the_serializer(pair: tuple[Api, Api], outbox: Events) -> None:
    """The hot path joins cached bytes; the result must be what DRF's serializer gives."""
    import json

    from apps.tweets.models import Tweet
    from apps.tweets.serializers import TweetOutputSerializer

    reader, author = pair
    root = author.tweet("root")["id"]
    author.tweet("a reply", reply_to_id=root)
    outbox.deliver()
    reader.home()  # caches tweets and cards
    raw = reader.read.get("/api/v1/timelines/home").content
    for item in json.loads(raw):
        tweet = Tweet.objects.select_related("author").get(pk=item["id"])
        expected = TweetOutputSerializer(
            {
                "id": str(tweet.pk),
                "text": tweet.text,
                "created_at": tweet.created_at,
                "author": {
                    "id": str(tweet.author_id),
                    "username": tweet.author.username,
                    "display_name": tweet.author.display_name,
                    "avatar_url": tweet.author.avatar_url,
                },
                "reply_to_id": None if tweet.reply_to_id is None else str(tweet.reply_to_id),
                "reply_to_user_id": None if tweet.reply_to_user_id is None else str(tweet.reply_to_user_id),
                "retweet_of": None,
                "like_count": tweet.like_count,
                "retweet_count": tweet.retweet_count,
                "reply_count": tweet.reply_count,
                "media": [],
                "hashtags": [],
                "mentions": [],
                "liked": False,
                "retweeted": False,
            }
        ).data
        assert item == json.loads(json.dumps(expected))


def test_a_users_home_and_profile_lists_rebuild_independently(
    pair: tuple[Api, Api], api_for: Any, outbox: Events, settings: Any
) -> None:
    """Rebuilding X's home must not block rebuilding X's user list (a celebrity merge)."""
    reader, _ = pair
    star = _followed_celebrity(reader, api_for, outbox, settings)
    tweet = star.tweet("merged")["id"]
    feeds.drop(feeds.Profile(star.user.pk))
    assert feeds.acquire_rebuild_lock(feeds.Home(star.user.pk))  # X's home is being rebuilt
    assert reader.home_ids() == [tweet]  # X's user list is rebuilt all the same


def test_a_big_audience_is_fanned_out_in_parts_by_several_tasks(api_for: Any, outbox: Events, settings: Any) -> None:
    """Every part but the first is an outbox event of its own (sent again if lost, like
    any event), one broker message each, so that several workers take them at once."""
    settings.FANOUT_CHUNK_SIZE = 2
    author = api_for(UserFactory())
    fans = [api_for(UserFactory()) for _ in range(5)]
    for fan in fans:
        fan.follow(author.user)
        fan.home_ids()  # an active reader: the home list exists
    outbox.deliver()
    tweet = author.tweet("to my five followers")
    created = outbox.published("tweet.created")[-1]
    pushed = services.tweet_fan_out(
        tweet_id=created["tweet_id"],
        author_id=created["author_id"],
        reply_to_id=None,
        reply_to_user_id=None,
    )
    assert pushed == 2
    follower_ids = sorted(fan.user.pk for fan in fans)
    parts = outbox.published("timeline.fan_out_part")
    assert [(p["after_follower_id"], p["last_follower_id"]) for p in parts] == [
        (follower_ids[1], follower_ids[3]),
        (follower_ids[3], follower_ids[4]),
    ]
    assert len([fan for fan in fans if tweet["id"] in fan.home_ids()]) == 2

    broker_redis().delete("fanout")
    assert events.relay(OutboxEvent.objects.filter(event_type="timeline.fan_out_part")) == 2
    messages = [json.loads(message) for message in broker_redis().lrange("fanout", 0, -1)]
    assert [m["headers"]["task"] for m in messages] == ["apps.timelines.tasks.fan_out_part_task"] * 2

    outbox.deliver()
    assert all(tweet["id"] in fan.home_ids() for fan in fans)


def test_a_suspension_survives_redis_losing_the_suspended_set(pair: tuple[Api, Api], outbox: Events) -> None:
    """Issue 13, fault 3: the suspended set lived only in Redis and was reloaded by a timer,
    so after Redis restarted empty a suspended author's tweets showed for minutes. Now a
    set without its loaded mark is read whole from the database before a page uses it."""
    reader, author = pair
    kept = author.tweet("before the suspension")["id"]
    outbox.deliver()
    assert kept in reader.home_ids()
    user_services.user_suspend(user_id=author.user.pk)
    outbox.deliver()
    assert kept not in reader.home_ids()
    get_redis().delete(keys.suspended_users())  # Redis lost it (restarted empty)
    assert kept not in reader.home_ids()
    assert get_redis().sismember(keys.suspended_users(), str(author.user.pk))  # loaded again, whole
    user_services.user_unsuspend(user_id=author.user.pk)
    outbox.deliver()
    assert kept in reader.home_ids()


def test_the_celebrity_set_survives_redis_losing_it(
    pair: tuple[Api, Api], api_for: Any, outbox: Events, settings: Any
) -> None:
    """Issue 13, build 2: who is merged at read time lived only in Redis; lost, a celebrity
    was fanned out again to every follower. The database now keeps it, and a set without
    its loaded mark is read back from there."""
    reader, _ = pair
    star = _followed_celebrity(reader, api_for, outbox, settings)
    get_redis().delete(keys.celebrities())  # Redis lost it (restarted empty, or evicted it)
    tweet = star.tweet("still merged")["id"]
    outbox.deliver()
    assert int(tweet) not in cached(reader.user.pk)  # not fanned out
    assert reader.home_ids() == [tweet]  # merged
    assert services.celebrity_ids() == {star.user.pk}


def test_a_home_whose_state_was_lost_is_rebuilt_with_its_celebrities(
    pair: tuple[Api, Api], api_for: Any, outbox: Events, settings: Any
) -> None:
    """The set of celebrities merged into a home went with its list only by chance (a
    separate key, with its own expiry): without it, a followed celebrity's tweets vanished
    from the home. A home whose state set is missing is now rebuilt."""
    reader, _ = pair
    star = _followed_celebrity(reader, api_for, outbox, settings)
    tweet = star.tweet("merged at read time")["id"]
    outbox.deliver()
    assert reader.home_ids() == [tweet]
    get_redis().delete(keys.home_state(reader.user.pk))  # lost; the home list is still there
    assert reader.home_ids() == [tweet]


def test_an_unfollowed_author_stays_hidden_when_redis_loses_the_home_state(
    pair: tuple[Api, Api], outbox: Events
) -> None:
    """Right after an unfollow the author is hidden while their entries are removed; the
    hidden authors were a key of their own, and lost, the unfollowed tweets showed again
    until the removal ran. Now they are part of the home's state, and a home whose state is
    lost is rebuilt from the database (where the follow is gone)."""
    reader, author = pair
    tweet = author.tweet("soon unfollowed")["id"]
    outbox.deliver()
    assert reader.home_ids() == [tweet]
    reader.unfollow(author.user)  # the entries' removal is not delivered yet
    assert reader.home_ids() == []
    get_redis().delete(keys.home_state(reader.user.pk))
    assert reader.home_ids() == []
    assert tweet not in [str(i) for i in cached(reader.user.pk) or []]
