"""Elasticsearch documents: mappings and analyzers of the tweet and user indexes.

The documents are django-elasticsearch-dsl `Document`s but are deliberately not put in
its model registry: that registry indexes on model save (a dead cluster would then fail
or slow writes) and would tie this context to other contexts' models. Documents are
built from the small records the tweets and users contexts hand out, and written by
the worker from outbox events (see `indexes.py`).
"""

from typing import Any

from django.conf import settings
from django_elasticsearch_dsl import Document, fields
from elasticsearch.dsl import analyzer, normalizer, token_filter

from apps.tweets.search import TweetRecord
from apps.users.search import UserRecord

# Words of any script: Unicode word boundaries, lower case, accents folded.
tweet_text = analyzer("tweet_text", tokenizer="standard", filter=["lowercase", "asciifolding"])
# Names are found by any prefix of any of their words: "ali" finds "Alice Smith".
name_prefixes = analyzer(
    "name_prefixes",
    tokenizer="standard",
    filter=[
        "lowercase",
        "asciifolding",
        token_filter("name_edge_ngrams", type="edge_ngram", min_gram=1, max_gram=20),
    ],
)
name_words = analyzer("name_words", tokenizer="standard", filter=["lowercase", "asciifolding"])
lowercase = normalizer("lowercase", filter=["lowercase"])

INDEX_SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "number_of_replicas": settings.SEARCH_INDEX_REPLICAS,
    "refresh_interval": "1s",
}


def alias(kind: str) -> str:
    """The name searches use; it points at one concrete index at a time."""
    return f"{settings.SEARCH_INDEX_PREFIX}-{kind}"


class TweetDocument(Document):
    id = fields.LongField()
    author_id = fields.LongField()
    text = fields.TextField(analyzer=tweet_text)
    hashtags = fields.KeywordField()
    mention_ids = fields.LongField()
    created_at = fields.DateField()
    like_count = fields.IntegerField()
    retweet_count = fields.IntegerField()
    # False while the author is suspended; searches filter on it.
    author_visible = fields.BooleanField()

    class Index:
        name = alias("tweets")
        settings = INDEX_SETTINGS

    @classmethod
    def from_record(cls, record: TweetRecord) -> "TweetDocument":
        return cls(
            meta={"id": record.id},
            id=record.id,
            author_id=record.author_id,
            text=record.text,
            hashtags=record.hashtags,
            mention_ids=record.mention_ids,
            created_at=record.created_at,
            like_count=record.like_count,
            retweet_count=record.retweet_count,
            author_visible=record.author_visible,
        )


class UserDocument(Document):
    id = fields.LongField()
    username = fields.TextField(
        analyzer=name_prefixes,
        search_analyzer=name_words,
        fields={"exact": fields.KeywordField(normalizer=lowercase)},
    )
    display_name = fields.TextField(analyzer=name_prefixes, search_analyzer=name_words)
    followers_count = fields.IntegerField()
    searchable = fields.BooleanField()

    class Index:
        name = alias("users")
        settings = INDEX_SETTINGS

    @classmethod
    def from_record(cls, record: UserRecord) -> "UserDocument":
        return cls(
            meta={"id": record.id},
            id=record.id,
            username=record.username,
            display_name=record.display_name,
            followers_count=record.followers_count,
            searchable=record.searchable,
        )


DOCUMENTS: dict[str, type[Document]] = {"tweets": TweetDocument, "users": UserDocument}
