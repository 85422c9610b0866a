"""Profile JSON shared by the read-API and the write-API."""

from rest_framework import serializers

from twitter.api.fields import IdField


class UserOutputSerializer(serializers.Serializer):
    id = IdField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    bio = serializers.CharField()
    location = serializers.CharField()
    website = serializers.CharField()
    avatar_url = serializers.CharField()
    created_at = serializers.DateTimeField(source="date_joined")
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    tweets_count = serializers.IntegerField()
    likes_count = serializers.IntegerField()


class UserProfileOutputSerializer(UserOutputSerializer):
    following = serializers.BooleanField(required=False, help_text="Only for a signed-in viewer.")


class UserMeOutputSerializer(UserOutputSerializer):
    email = serializers.EmailField()
    is_staff = serializers.BooleanField()


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
