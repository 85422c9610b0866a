"""The APIs through PgBouncer in transaction mode (DB_PGBOUNCER=true): every statement a
request runs, again and again (past the point where psycopg would prepare it on the
server), on whichever server connection PgBouncer hands over; the worker-id lease keeps a
session of its own (DATABASE_SESSION_URL)."""

from pathlib import Path

import pytest
import requests
from django.db import connections

from devstack import pgbouncer
from devstack.procs import Process
from tests.factories import UserFactory
from tests.integration.conftest import database_url, start_api
from tests.integration.test_engagement import auth

pytestmark = [pytest.mark.integration, pytest.mark.replica]


def test_the_apis_work_through_pgbouncer_in_transaction_mode(tmp_path: Path, transactional_db: None) -> None:
    primary = connections["default"].settings_dict
    bouncer = pgbouncer.PgBouncer(host=primary["HOST"], port=int(primary["PORT"]), pool_size=1)
    started: list[Process] = []
    try:
        through = f"postgres://{primary['USER']}@127.0.0.1:{bouncer.port}/{primary['NAME']}"
        env = {"DATABASE_URL": through, "DB_PGBOUNCER": "true", "DATABASE_SESSION_URL": database_url("default")}
        write, write_port = start_api("write-api", tmp_path, workers=1, **env)
        started.append(write)
        read, read_port = start_api("read-api", tmp_path, workers=1, **env)
        started.append(read)
        writes, reads = f"http://127.0.0.1:{write_port}", f"http://127.0.0.1:{read_port}"
        author, readers = UserFactory(), [UserFactory() for _ in range(3)]
        for reader in readers:
            followed = requests.post(f"{writes}/api/v1/users/{author.pk}/follow", headers=auth(reader), timeout=10)
            assert followed.status_code in (200, 201), followed.text
        posted = []
        for n in range(12):  # psycopg prepares a statement it has run 5 times, unless told not to
            response = requests.post(
                f"{writes}/api/v1/tweets", json={"text": f"through the bouncer {n}"}, headers=auth(author), timeout=10
            )
            assert response.status_code == 201, response.text
            posted.append(response.json()["id"])
            liked = requests.post(f"{writes}/api/v1/tweets/{posted[-1]}/like", headers=auth(readers[0]), timeout=10)
            assert liked.status_code in (200, 201), liked.text
        for tweet_id in posted:  # the author's own reads: from the primary, through PgBouncer
            shown = requests.get(f"{reads}/api/v1/tweets/{tweet_id}", headers=auth(author), timeout=10)
            assert shown.status_code == 200, shown.text
            assert shown.json()["like_count"] == 1
        mine = requests.get(f"{reads}/api/v1/users/{author.pk}/followers", headers=auth(author), timeout=10)
        assert mine.status_code == 200, mine.text
        assert {user["id"] for user in mine.json()} == {str(reader.pk) for reader in readers}
        assert "ERROR" not in (tmp_path / "write-api.log").read_text()
    finally:
        for process in reversed(started):
            process.stop()
        bouncer.stop()
