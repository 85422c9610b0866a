"""The Elasticsearch indexes' write side: documents in and out, and zero-downtime
rebuilds.

Each kind (tweets, users) has two aliases. Searches read `<prefix>-<kind>`, which points
at one concrete index. Live changes go to every index behind `<prefix>-<kind>-writes`:
normally the same one, and during a rebuild the new index as well, so nothing that
happens while it fills is missing when the read alias swaps to it in one atomic call.
"""

import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from elasticsearch import NotFoundError
from elasticsearch.dsl import Document
from elasticsearch.helpers import bulk

from apps.search.backends.elastic.client import client
from apps.search.backends.elastic.documents import DOCUMENTS, alias

logger = logging.getLogger(__name__)

KINDS = tuple(DOCUMENTS)


class IndexingRefusedError(Exception):
    """The cluster answered but did not apply some operations of a bulk request."""


def write_alias(kind: str) -> str:
    return f"{alias(kind)}-writes"


def _indexes_behind(name: str) -> list[str]:
    try:
        return sorted(client().indices.get_alias(name=name).body)
    except NotFoundError:
        return []


def ensure(kind: str) -> None:
    """Create the first index of `kind` and both aliases, unless they exist. Safe to race:
    the first index has a fixed name, so two workers create and alias the same one."""
    if _indexes_behind(alias(kind)):
        return
    first = f"{alias(kind)}-initial"
    if not client().indices.exists(index=first):
        try:
            DOCUMENTS[kind].init(index=first, using=client())
        except Exception:
            if not client().indices.exists(index=first):
                raise  # not a lost race: a real failure
    client().indices.update_aliases(
        actions=[{"add": {"index": first, "alias": alias(kind)}}, {"add": {"index": first, "alias": write_alias(kind)}}]
    )


def _write_targets(kind: str) -> list[str]:
    """The indexes live changes of `kind` go to: one lookup of the write alias, which
    `ensure` creates (with the first index) when it is missing."""
    targets = _indexes_behind(write_alias(kind))
    if not targets:
        ensure(kind)
        targets = _indexes_behind(write_alias(kind))
    return targets


def _refresh() -> bool | str:
    return "wait_for" if settings.SEARCH_REFRESH_ON_WRITE else False


def put(kind: str, documents: Sequence[Document]) -> None:
    """Index (or replace) `documents` in every index that takes live changes."""
    if not documents:
        return
    targets = _write_targets(kind)
    actions = [{**doc.to_dict(include_meta=True), "_index": target} for target in targets for doc in documents]
    bulk(client(), actions, refresh=_refresh())


def remove(kind: str, ids: Collection[int]) -> None:
    """Delete documents; one that is not there is already gone."""
    actions = [
        {"_op_type": "delete", "_index": target, "_id": doc_id} for target in _write_targets(kind) for doc_id in ids
    ]
    _, errors = bulk(client(), actions, refresh=_refresh(), raise_on_error=False)
    _raise_unless(errors, expected_status=404)


def _raise_unless(errors: Any, *, expected_status: int) -> None:
    """Raise on bulk item errors other than the expected one (404 for a delete of what
    is gone, 409 for a create of what is there)."""
    failed = [item for item in errors for result in item.values() if result.get("status") != expected_status]
    if failed:
        raise IndexingRefusedError(f"elasticsearch refused {len(failed)} operations, e.g. {failed[:3]}")


def set_author_visible(*, author_id: int, visible: bool) -> None:
    """Show or hide every tweet of an author (suspension)."""
    for target in _write_targets("tweets"):
        client().update_by_query(
            index=target,
            query={"term": {"author_id": author_id}},
            script={"source": "ctx._source.author_visible = params.visible", "params": {"visible": visible}},
            conflicts="proceed",
            refresh=True,
        )


Progress = Callable[[int], None]


def rebuild(kind: str, batches: Iterable[Sequence[Document]], progress: Progress) -> str:
    """Fill a new index from `batches`, then make it the one searches read, in one atomic
    alias update; the old indexes are deleted. Returns the new index's name."""
    ensure(kind)
    es = client()
    new = f"{alias(kind)}-{datetime.now(tz=UTC):%Y%m%d%H%M%S%f}"
    DOCUMENTS[kind].init(index=new, using=es)
    es.indices.update_aliases(actions=[{"add": {"index": new, "alias": write_alias(kind)}}])
    done = 0
    for documents in batches:
        actions: list[dict[str, Any]] = [
            # `create`: a live change already written to the new index wins over the copy.
            {**doc.to_dict(include_meta=True), "_index": new, "_op_type": "create"}
            for doc in documents
        ]
        _, errors = bulk(es, actions, raise_on_error=False)
        _raise_unless(errors, expected_status=409)
        done += len(actions)
        progress(done)
    es.indices.refresh(index=new)
    old = sorted((set(_indexes_behind(alias(kind))) | set(_indexes_behind(write_alias(kind)))) - {new})
    es.indices.update_aliases(
        actions=[
            *(
                {"remove": {"index": index, "alias": name, "must_exist": False}}
                for index in old
                for name in (alias(kind), write_alias(kind))
            ),
            {"add": {"index": new, "alias": alias(kind)}},
        ]
    )
    for index in old:
        es.indices.delete(index=index, ignore_unavailable=True)
    logger.info("search index %s now serves %s (replaced %s)", new, alias(kind), old or "nothing")
    return new
