"""Full-text search of tweets in Postgres (the search context's embedded backend).

The tsvector is a stored generated column that the model does not declare: the
database keeps it current on every insert, and ORM reads of tweets never fetch it.
The 'simple' configuration (no stemming, no stop words) treats every language alike.
"""

from django.db import migrations

# A tweet's searchable words: its text ("#python" is indexed as "python").
SEARCH_VECTOR = "to_tsvector('simple'::regconfig, text)"


class Migration(migrations.Migration):
    dependencies = [("tweets", "0002_engagement")]

    operations = [
        migrations.RunSQL(
            sql=[
                f"ALTER TABLE tweets_tweet ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED",
                "CREATE INDEX tweets_search_idx ON tweets_tweet USING gin (search_vector) "
                "WHERE deleted_at IS NULL AND retweet_of_id IS NULL",
                # Hashtag prefix search ("#pyth" -> python, pytherapy, ...).
                "CREATE INDEX hashtags_prefix_idx ON tweets_tweethashtag (tag varchar_pattern_ops)",
            ],
            reverse_sql=[
                "DROP INDEX hashtags_prefix_idx",
                "ALTER TABLE tweets_tweet DROP COLUMN search_vector",
            ],
        ),
    ]
