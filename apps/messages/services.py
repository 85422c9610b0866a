"""Writes of direct messages: starting, writing in, reading, leaving conversations;
deleting and reporting messages. Everything but a participant's own actions is a 404:
nobody learns from an answer whether a conversation they are not in exists."""

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.follows import selectors as follow_selectors
from apps.media import services as media_services
from apps.messages import selectors
from apps.messages.models import TEXT_MAX_LENGTH, Conversation, Message, Participant, Report
from apps.users import selectors as user_selectors
from twitter import events
from twitter.db.routing import PRIMARY
from twitter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from twitter.event_types import MessageCreated, MessageDeleted
from twitter.text import normalize_text, required_text


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    created: bool


def _others(user_id: int, participant_ids: list[int]) -> list[int]:
    others = sorted(set(participant_ids) - {user_id})
    cap = int(settings.DM_GROUP_MAX_PARTICIPANTS)
    if not others:
        raise ApplicationError("Invalid input.", fields={"participant_ids": ["Name at least one other user."]})
    if len(others) + 1 > cap:
        raise ApplicationError(
            "Invalid input.", fields={"participant_ids": [f"A conversation has at most {cap} participants."]}
        )
    return others


def _refused(refused: list[int]) -> PermissionDeniedError:
    # The same answer for a dm_policy and a block: nobody learns that they were blocked.
    return PermissionDeniedError(
        "These users do not accept your messages.",
        code="dm_not_allowed",
        fields={"participant_ids": [f"{user}: does not accept your messages." for user in refused]},
    )


def _check_may_message(sender_id: int, others: list[int]) -> None:
    """Every other user exists, neither blocked the other, and they let the sender write
    to them (`dm_policy`)."""
    policies = user_selectors.user_dm_policies(user_ids=others)
    missing = [other for other in others if other not in policies]
    if missing:
        raise NotFoundError(
            "User not found.",
            code="user_not_found",
            fields={"participant_ids": [f"{m}: no such user." for m in missing]},
        )
    blocked = follow_selectors.blocked_among(user_id=sender_id, others=others)
    if blocked:
        raise _refused(blocked)
    restricted = [other for other, policy in policies.items() if policy != "everyone"]
    allowing = set(follow_selectors.followers_among(user_id=sender_id, candidates=restricted, using=PRIMARY))
    refused = sorted(set(restricted) - allowing)
    if refused:
        raise _refused(refused)


def conversation_start(*, user_id: int, participant_ids: list[int]) -> Started:
    """A conversation of `user_id` and the others named. With one other user, the
    conversation the two already have, if any (shown again to `user_id` if they left it)."""
    others = _others(user_id, participant_ids)
    pair_key = f"{min(user_id, others[0])}:{max(user_id, others[0])}" if len(others) == 1 else None
    if pair_key is not None:
        existing = Conversation.objects.using(PRIMARY).filter(pair_key=pair_key).first()
        if existing is not None:
            if follow_selectors.blocked_between(user_id=user_id, other_id=others[0]):
                raise _refused(others)
            Participant.objects.filter(conversation=existing, user_id=user_id).update(hidden=False)
            return Started(existing, created=False)
    _check_may_message(user_id, others)
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(pair_key=pair_key, created_by_id=user_id)
            Participant.objects.bulk_create(
                Participant(conversation=conversation, user_id=member, activity_id=conversation.id)
                for member in [user_id, *others]
            )
    except IntegrityError:  # the other one started it at the same moment
        existing = Conversation.objects.using(PRIMARY).filter(pair_key=pair_key).first()
        if existing is None:
            raise
        return Started(existing, created=False)
    return Started(conversation, created=True)


def _participating(conversation_id: int, user_id: int, *, lock: bool = False) -> Conversation:
    """The conversation, if `user_id` is in it (locked for the transaction with `lock`)."""
    rows = Conversation.objects.filter(pk=conversation_id, participants__user_id=user_id)
    conversation = (rows.select_for_update(of=("self",)) if lock else rows).first()
    if conversation is None:
        raise selectors.not_found()
    return conversation


def _other_of_two(conversation: Conversation, user_id: int) -> int | None:
    """The other person of a conversation of two (None for a group)."""
    if conversation.pair_key is None:
        return None
    first, second = (int(part) for part in conversation.pair_key.split(":"))
    return second if first == user_id else first


def media_path(conversation_id: int, message_id: int, media_id: int) -> str:
    """Where a participant fetches a message's media (the read-API checks who asks)."""
    return f"/api/v1/conversations/{conversation_id}/messages/{message_id}/media/{media_id}"


def message_send(*, user_id: int, conversation_id: int, text: Any, media_ids: list[int] | None = None) -> Message:
    """Write in a conversation: every participant sees it, and it is unread for the others."""
    clean = required_text(text, max_length=TEXT_MAX_LENGTH, empty="A message needs some text.")
    with transaction.atomic():
        conversation = _participating(conversation_id, user_id, lock=True)
        other = _other_of_two(conversation, user_id)
        if other is not None and follow_selectors.blocked_between(user_id=user_id, other_id=other):
            raise _refused([other])  # one of the two blocked the other since
        message = Message(conversation_id=conversation.id, sender_id=user_id, text=clean)
        if media_ids:
            message.media = media_services.media_attach_to_message(
                owner_id=user_id,
                media_ids=media_ids,
                message_id=message.id,
                url_of=functools.partial(media_path, conversation.id, message.id),
            )
        message.save(force_insert=True)
        Conversation.objects.filter(pk=conversation.id).update(
            last_message_id=message.id, updated_at=message.created_at, messages_count=F("messages_count") + 1
        )
        members = Participant.objects.filter(conversation_id=conversation.id)
        members.exclude(user_id=user_id).update(
            activity_id=message.id, hidden=False, unread_count=F("unread_count") + 1
        )
        members.filter(user_id=user_id).update(  # writing is having read it all
            activity_id=message.id, hidden=False, last_read_id=message.id, unread_count=0
        )
        participant_ids = list(members.values_list("user_id", flat=True))
        events.publish(
            MessageCreated(
                message_id=message.id,
                conversation_id=conversation.id,
                sender_id=user_id,
                participant_ids=participant_ids,
            ),
            writer_id=user_id,
        )
    return message


def message_delete(*, user_id: int, conversation_id: int, message_id: int) -> None:
    """Delete one's own message for everyone in the conversation."""
    with transaction.atomic():
        conversation = _participating(conversation_id, user_id, lock=True)
        message = Message.objects.filter(pk=message_id, conversation_id=conversation.id).first()
        if message is None:
            raise NotFoundError("Message not found.", code="message_not_found")
        if message.sender_id != user_id:
            raise PermissionDeniedError("Only its sender can delete a message.", code="not_your_message")
        message.delete()
        media_services.media_discard_of_message(message_id=message_id)
        members = Participant.objects.filter(conversation_id=conversation.id)
        members.exclude(user_id=user_id).filter(last_read_id__lt=message_id).update(
            unread_count=Greatest(F("unread_count") - 1, 0)
        )
        changes: dict[str, Any] = {"messages_count": Greatest(F("messages_count") - 1, 0)}
        if conversation.last_message_id == message_id:
            latest = Message.objects.filter(conversation_id=conversation.id).aggregate(latest=Max("id"))["latest"]
            changes["last_message_id"] = latest
        Conversation.objects.filter(pk=conversation.id).update(**changes)
        participant_ids = list(members.values_list("user_id", flat=True))
        events.publish(
            MessageDeleted(
                message_id=message_id,
                conversation_id=conversation.id,
                sender_id=user_id,
                participant_ids=participant_ids,
            ),
            writer_id=user_id,
        )


def conversation_mark_read(*, user_id: int, conversation_id: int, last_read_id: int) -> Participant:
    """Everything up to `last_read_id` is read by `user_id` (a marker never moves back)."""
    with transaction.atomic():
        conversation = _participating(conversation_id, user_id, lock=True)
        member = Participant.objects.select_for_update().get(conversation_id=conversation.id, user_id=user_id)
        marker = max(member.last_read_id, min(last_read_id, conversation.last_message_id or 0))
        if marker != member.last_read_id:
            unread = (
                Message.objects.filter(conversation_id=conversation.id, id__gt=marker)
                .exclude(sender_id=user_id)
                .count()
            )
            member.last_read_id, member.unread_count = marker, unread
            member.save(update_fields=["last_read_id", "unread_count"])
    return member


def conversation_leave(*, user_id: int, conversation_id: int) -> None:
    """Leave a group (its messages are no longer yours to see), or hide a conversation of
    two until a new message arrives."""
    with transaction.atomic():
        conversation = _participating(conversation_id, user_id, lock=True)
        members = Participant.objects.filter(conversation_id=conversation.id, user_id=user_id)
        if conversation.is_group:
            members.delete()
        else:
            members.update(hidden=True, unread_count=0, last_read_id=conversation.last_message_id or 0)


def message_report(*, user_id: int, conversation_id: int, message_id: int, reason: str, comment: str = "") -> Report:
    """Report someone else's message to the moderators (once per message and reporter)."""
    conversation = _participating(conversation_id, user_id)
    message = Message.objects.using(PRIMARY).filter(pk=message_id, conversation_id=conversation.id).first()
    if message is None:
        raise NotFoundError("Message not found.", code="message_not_found")
    if message.sender_id == user_id:
        raise ApplicationError("You cannot report your own message.", code="own_message")
    if reason not in Report.Reason.values:
        raise ApplicationError("Invalid input.", fields={"reason": [f"One of: {', '.join(Report.Reason.values)}."]})
    try:
        comment = normalize_text(comment, allow_newlines=True)
    except ValueError as exc:
        raise ApplicationError("Invalid input.", fields={"comment": [str(exc)]}) from exc
    report, _ = Report.objects.get_or_create(
        message_id=message.id,
        reporter_id=user_id,
        defaults={
            "conversation_id": conversation.id,
            "sender_id": message.sender_id,
            "reason": reason,
            "comment": comment,
            "text": message.text,
        },
    )
    return report


def reports_resolve(*, report_ids: list[int], moderator_id: int) -> int:
    """Mark reports handled; returns how many were open."""
    return Report.objects.filter(pk__in=report_ids, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by_id=moderator_id
    )
