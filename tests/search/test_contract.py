"""What every search backend must do. Runs against Postgres always, and against a real
Elasticsearch cluster whenever ELASTICSEARCH_URL is set (skipped, with that reason,
otherwise). Changes reach a backend only as in production: through outbox events."""

from typing import Any

from apps.search.backends.base import TweetSearch
from apps.tweets.search import HashtagCount, TweetFilter
from apps.users import services as user_services
from tests.factories import UserFactory
from tests.search.conftest import Backend


def tweets(backend: Backend, sort: str = "relevance", **wanted: Any) -> list[int]:
    search = TweetSearch(filter=TweetFilter(**wanted), sort=sort, limit=20)  # type: ignore[arg-type]
    return backend.backend.tweet_ids(search)


def test_every_word_must_match(search_backend: Backend, api_for: Any) -> None:
    author = api_for(UserFactory())
    both = author.tweet("the quick brown fox")
    author.tweet("the quick red car")
    search_backend.sync()
    assert tweets(search_backend, text="quick fox") == [int(both["id"])]
    assert tweets(search_backend, text="QUICK Fox") == [int(both["id"])]
    assert tweets(search_backend, text="quick zebra") == []


def test_deleted_tweets_and_suspended_authors_never_match(search_backend: Backend, api_for: Any) -> None:
    kept, gone, banned = (api_for(UserFactory()) for _ in range(3))
    visible = kept.tweet("findable words")
    deleted = gone.tweet("findable words")
    banned.tweet("findable words")
    assert gone.write.delete(f"/api/v1/tweets/{deleted['id']}").status_code == 204
    user_services.user_suspend(user_id=banned.user.pk)
    search_backend.sync()
    assert tweets(search_backend, text="findable") == [int(visible["id"])]
    assert banned.user.pk not in search_backend.backend.user_ids(
        text=banned.user.username, usernames_only=False, offset=0, limit=20
    )


def test_unsuspending_brings_an_author_back(search_backend: Backend, api_for: Any) -> None:
    author = api_for(UserFactory())
    tweet = author.tweet("comeback story")
    user_services.user_suspend(user_id=author.user.pk)
    search_backend.sync()
    assert tweets(search_backend, text="comeback") == []
    user_services.user_unsuspend(user_id=author.user.pk)
    search_backend.sync()
    assert tweets(search_backend, text="comeback") == [int(tweet["id"])]


def test_author_hashtag_and_mention_filters(search_backend: Backend, api_for: Any) -> None:
    alice, bob = api_for(UserFactory(username="alice")), api_for(UserFactory(username="bob"))
    by_alice = alice.tweet("launch day #Rocket")
    mentioning = bob.tweet("launch with @alice")
    search_backend.sync()
    assert tweets(search_backend, text="launch", author_id=alice.user.pk) == [int(by_alice["id"])]
    assert tweets(search_backend, hashtags=("rocket",)) == [int(by_alice["id"])]
    assert tweets(search_backend, mention_ids=(alice.user.pk,)) == [int(mentioning["id"])]
    assert tweets(search_backend, text="launch", hashtags=("rocket",), author_id=bob.user.pk) == []


def test_equally_relevant_tweets_rank_newest_first_and_recent_pages_by_id(
    search_backend: Backend, api_for: Any
) -> None:
    author = api_for(UserFactory())
    posted = [int(author.tweet(f"weather report {n}")["id"]) for n in range(5)]
    search_backend.sync()
    newest_first = sorted(posted, reverse=True)
    assert tweets(search_backend, text="weather report") == newest_first
    assert tweets(search_backend, sort="recent", text="weather") == newest_first
    older = TweetSearch(filter=TweetFilter(text="weather"), sort="recent", limit=2, max_id=newest_first[1])
    assert search_backend.backend.tweet_ids(older) == newest_first[2:4]
    assert (
        search_backend.backend.tweet_ids(
            TweetSearch(filter=TweetFilter(text="weather"), sort="relevance", limit=2, offset=2)
        )
        == newest_first[2:4]
    )


def test_more_relevant_text_ranks_higher(search_backend: Backend, api_for: Any) -> None:
    author = api_for(UserFactory())
    dense = author.tweet("python python python")
    sparse = author.tweet("python is one of many words in this rather long sentence about things")
    search_backend.sync()
    assert tweets(search_backend, text="python") == [int(dense["id"]), int(sparse["id"])]


def test_users_by_name_prefix(search_backend: Backend, api_for: Any) -> None:
    exact = UserFactory(username="ali", display_name="Somebody", followers_count=1)
    prefixed = UserFactory(username="alison", display_name="A. Person", followers_count=50)
    by_display = UserFactory(username="zed", display_name="Mary Alibert", followers_count=5)
    UserFactory(username="bob", display_name="Bob")
    search_backend.sync()
    found = search_backend.backend.user_ids(text="ali", usernames_only=False, offset=0, limit=20)
    assert found[:3] == [exact.pk, prefixed.pk, by_display.pk]
    usernames = search_backend.backend.user_ids(text="ali", usernames_only=True, offset=0, limit=20)
    assert by_display.pk not in usernames
    assert usernames[:2] == [exact.pk, prefixed.pk]


def test_hashtags_by_prefix_most_used_first(search_backend: Backend, api_for: Any) -> None:
    author = api_for(UserFactory())
    for text in ("#python one", "#python two", "#pytest three", "#rust four"):
        author.tweet(text)
    gone = author.tweet("#pytest deleted")
    assert author.write.delete(f"/api/v1/tweets/{gone['id']}").status_code == 204
    search_backend.sync()
    assert search_backend.backend.hashtags(prefix="py", offset=0, limit=10) == [
        HashtagCount("python", 2),
        HashtagCount("pytest", 1),
    ]
    assert search_backend.backend.hashtags(prefix="py", offset=1, limit=10) == [HashtagCount("pytest", 1)]
