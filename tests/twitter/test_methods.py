"""A route's methods are those of both APIs: the gateway sends GET/HEAD to the read-API and
the rest to the write-API, and each answers as the one API would (a 405 naming every
method the route takes, on either origin), not as half of it (a 404)."""

from typing import Any

import pytest

from tests.factories import UserFactory
from tests.mastodon.conftest import MastodonRead, MastodonWrite

pytestmark = [pytest.mark.django_db, pytest.mark.single_redis]


def test_a_method_the_other_api_serves_is_a_405_naming_every_method(write_api: Any, read_api: Any) -> None:
    refused = read_api.get("/api/v1/auth/logout")  # a write route: the gateway sends GET to the read-API
    assert refused.status_code == 405
    assert refused["Allow"] == "OPTIONS, POST"
    assert refused.json()["error"]["code"] == "method_not_allowed"
    refused = write_api.post("/api/v1/timelines/home")  # a read route: POST goes to the write-API
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD, OPTIONS"


def test_allow_names_both_halves_of_a_route(write_api: Any, read_api: Any) -> None:
    both = "DELETE, GET, HEAD, OPTIONS"  # a tweet: read on the read-API, deleted on the write-API
    write_api.force_authenticate(UserFactory())
    refused = write_api.put("/api/v1/tweets/123")
    assert refused.status_code == 405
    assert refused["Allow"] == both
    assert write_api.options("/api/v1/tweets/123")["Allow"] == both
    assert read_api.options("/api/v1/tweets/123")["Allow"] == both


def test_a_missing_resource_or_route_is_still_a_404(read_api: Any, write_api: Any) -> None:
    user = UserFactory()
    read_api.force_authenticate(user)
    assert read_api.get("/api/v1/tweets/123").status_code == 404  # the route takes GET: no such tweet
    assert read_api.get("/api/v1/no/such/route").status_code == 404
    assert write_api.post("/api/v1/no/such/route").status_code == 404


def test_the_mastodon_origin_answers_the_same_in_its_form() -> None:
    refused = MastodonWrite().post("/api/v1/instance")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"
    assert refused.json() == {"error": "This method is not allowed here."}
    refused = MastodonRead().get("/api/v1/statuses")  # posting a status is the write-API's
    assert refused.status_code == 405
    assert refused["Allow"] == "OPTIONS, POST"


def test_a_method_no_route_takes_is_refused_before_any_other_check(write_api: Any) -> None:
    refused = MastodonWrite().generic("QUERY", "/oauth/authorize")  # not a CSRF failure first
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD, OPTIONS, POST"
    refused = MastodonWrite().put("/oauth/authorize")  # a form view takes PUT as POST unless told not to
    assert refused.status_code == 405
    refused = write_api.generic("BREW", "/api/v1/tweets")
    assert refused.status_code == 405
    assert refused["Allow"] == "OPTIONS, POST"
    assert write_api.generic("BREW", "/api/v1/no/such/route").status_code == 404
