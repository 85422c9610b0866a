"""The tweet JSON of the API (DESIGN.md section 7), described for the schema.

Responses are assembled from pre-serialized parts (apps.tweets.rendering); this
serializer documents that shape, and tests hold the two to the same fields.
"""

from rest_framework import serializers


class AuthorOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.CharField()


class TweetOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    author = AuthorOutputSerializer()
    created_at = serializers.DateTimeField()
    reply_to_id = serializers.CharField(allow_null=True)
    reply_to_user_id = serializers.CharField(allow_null=True)
    retweet_of = serializers.JSONField(allow_null=True)
    like_count = serializers.IntegerField()
    retweet_count = serializers.IntegerField()
    reply_count = serializers.IntegerField()
    media = serializers.ListField(child=serializers.JSONField())
    hashtags = serializers.ListField(child=serializers.JSONField())
    mentions = serializers.ListField(child=serializers.JSONField())
    liked = serializers.BooleanField(required=False, help_text="Only for a signed-in viewer.")
    retweeted = serializers.BooleanField(required=False, help_text="Only for a signed-in viewer.")
