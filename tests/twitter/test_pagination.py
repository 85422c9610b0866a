from urllib.parse import parse_qs, urlparse

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.users.models import User
from tests.factories import UserFactory
from twitter.api.pagination import MAX_LIMIT, link_header, page_params, paginate_queryset
from twitter.errors import ApplicationError

factory = APIRequestFactory()


def _request(query: str) -> Request:
    return Request(factory.get(f"/api/v1/things?{query}"))


@pytest.fixture
def user_ids(db: None) -> list[int]:
    """Seven users; ids newest first."""
    UserFactory.create_batch(7)
    return list(User.objects.order_by("-id").values_list("id", flat=True))


def _page(query: str) -> list[int]:
    params = page_params(_request(query))
    return [user.id for user in paginate_queryset(User.objects.all(), params)]


def test_default_page_is_newest_first(user_ids: list[int]) -> None:
    assert _page("") == user_ids


def test_limit_and_max_id_walk_backwards_without_gaps(user_ids: list[int]) -> None:
    first = _page("limit=3")
    second = _page(f"limit=3&max_id={first[-1]}")
    third = _page(f"limit=3&max_id={second[-1]}")
    assert first + second + third == user_ids


def test_since_id_gives_the_newest_page_above_it(user_ids: list[int]) -> None:
    assert _page(f"limit=2&since_id={user_ids[-1]}") == user_ids[:2]


def test_min_id_gives_the_page_immediately_above_it(user_ids: list[int]) -> None:
    assert _page(f"limit=2&min_id={user_ids[-1]}") == user_ids[-3:-1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        (f"limit={MAX_LIMIT + 1}", "limit"),
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("max_id=12x", "max_id"),
        ("since_id=99999999999999999999", "since_id"),
        ("min_id=", "min_id"),
        ("since_id=5&min_id=6", "min_id"),
    ],
)
def test_bad_parameters_are_rejected_with_the_field_named(query: str, field: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        page_params(_request(query))
    assert field in caught.value.fields


def test_link_header_points_older_and_newer_and_keeps_other_parameters() -> None:
    request = _request("type=like&limit=2&max_id=100")
    header = link_header(request, [90, 80], page_params(request))
    assert header is not None
    links = {part.split("; ")[1]: part.split("; ")[0].strip("<>") for part in header.split(", ")}
    older = parse_qs(urlparse(links['rel="next"']).query)
    newer = parse_qs(urlparse(links['rel="prev"']).query)
    assert older == {"type": ["like"], "limit": ["2"], "max_id": ["80"]}
    assert newer == {"type": ["like"], "limit": ["2"], "min_id": ["90"]}


def test_short_page_has_no_next_link_and_empty_page_no_links() -> None:
    request = _request("limit=5")
    short = link_header(request, [90, 80], page_params(request))
    assert short is not None
    assert 'rel="next"' not in short
    assert 'rel="prev"' in short
    assert link_header(request, [], page_params(request)) is None
