"""The direct-message JSON of the API (DESIGN.md section 7), described for the schema."""

from rest_framework import serializers

from apps.users.serializers import UserCardOutputSerializer


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    conversation_id = serializers.CharField()
    sender = UserCardOutputSerializer(allow_null=True, help_text="Null when the account is gone.")
    text = serializers.CharField()
    media = serializers.ListField(child=serializers.JSONField())
    created_at = serializers.DateTimeField()


class ConversationOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    participants = UserCardOutputSerializer(many=True, help_text="Everyone in it, the viewer included.")
    last_message = MessageOutputSerializer(allow_null=True)
    unread_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
