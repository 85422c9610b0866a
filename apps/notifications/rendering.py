"""The JSON of a notification group: who did what, to which tweet, and whether it is read."""

import orjson

from apps.notifications.selectors import Group
from apps.tweets import presentation
from apps.tweets import rendering as tweet_rendering
from apps.users import selectors as user_selectors
from twitter.ids import id_datetime


def render_groups(groups: list[Group], *, viewer_id: int, last_read_id: int) -> tuple[list[int], bytes]:
    """(the cursor ids of the groups shown, the JSON array). A group whose tweet is gone
    or whose actors are all suspended is left out."""
    tweet_ids = sorted({group.tweet_id for group in groups if group.tweet_id is not None})
    page = presentation.tweets_by_id(tweet_ids=tweet_ids, viewer_id=viewer_id)
    tweets = dict(zip(page.ids, page.items, strict=True))
    summaries = user_selectors.user_summaries(user_ids={actor for group in groups for actor in group.actor_ids})
    shown: list[int] = []
    items: list[orjson.Fragment] = []
    for group in groups:
        actors = [summaries[a] for a in group.actor_ids if a in summaries and not summaries[a].is_suspended]
        tweet = tweets.get(group.tweet_id) if group.tweet_id is not None else None
        if not actors or (group.tweet_id is not None and tweet is None):
            continue
        shown.append(group.latest_id)
        item = {
            "id": str(group.latest_id),
            "type": group.kind,
            "created_at": id_datetime(group.latest_id),
            "actors": [
                orjson.Fragment(
                    tweet_rendering.author_card(
                        user_id=a.id, username=a.username, display_name=a.display_name, avatar_url=a.avatar_url
                    )
                )
                for a in actors
            ],
            "actors_count": group.count,
            "tweet": orjson.Fragment(tweet) if tweet is not None else None,
            "read": group.latest_id <= last_read_id,
        }
        items.append(orjson.Fragment(orjson.dumps(item, option=orjson.OPT_UTC_Z)))
    return shown, orjson.dumps(items)
