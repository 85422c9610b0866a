"""Profile JSON shared by the read-API and the write-API."""

from rest_framework import serializers

from apps.users.models import DmPolicy
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
    blocking = serializers.BooleanField(required=False, help_text="Only for a signed-in viewer: you blocked them.")
    muting = serializers.BooleanField(required=False, help_text="Only for a signed-in viewer: you muted them.")


class UserMeOutputSerializer(UserOutputSerializer):
    email = serializers.EmailField()
    is_staff = serializers.BooleanField()
    dm_policy = serializers.ChoiceField(
        choices=DmPolicy.choices, help_text="Who may start a direct conversation with you."
    )


class UserCardOutputSerializer(serializers.Serializer):
    """A user as other objects show them (a message's sender, a conversation's participants)."""

    id = serializers.CharField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.CharField()


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
