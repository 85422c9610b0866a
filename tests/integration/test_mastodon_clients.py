"""Real Mastodon clients against the live stack, through the gateway's Mastodon origin:
Mastodon.py (a library) and toot (a command-line client), and the authorization code
flow with PKCE through the real sign-in and consent pages."""

import base64
import hashlib
import html
import io
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import websocket
from mastodon import Mastodon, StreamListener
from PIL import Image

from devstack.procs import Process
from tests.factories import PASSWORD, UserFactory
from tests.integration.conftest import eventually, start_worker
from twitter import keys
from twitter.redis import get_redis

pytestmark = [pytest.mark.integration]

OOB = "urn:ietf:wg:oauth:2.0:oob"


@pytest.fixture
def worker(stack: dict[str, Any]) -> Iterator[Process]:
    process = start_worker(stack["log_dir"])
    try:
        yield process
    finally:
        process.stop()


class Listener(StreamListener):
    """Collects what a stream delivers (Mastodon.py calls it from its own thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.connected = False
        self.updates: list[Any] = []
        self.notifications: list[Any] = []
        self.deleted: list[Any] = []
        self.others: list[tuple[str, Any]] = []  # anything else it was sent, for a failure's message

    def on_delete(self, status_id: Any) -> None:
        self.deleted.append(str(status_id))

    def on_unknown_event(self, name: str, unknown_event: Any = None) -> None:
        self.others.append((name, unknown_event))

    def on_abort(self, err: Exception) -> None:
        self.others.append(("abort", repr(err)))

    def on_update(self, status: Any) -> None:
        self.updates.append(status)

    def on_notification(self, notification: Any) -> None:
        self.notifications.append(notification)

    def handle_heartbeat(self) -> None:
        self.connected = True  # the server's first comment line says the stream is open


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _form(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}


def consent_code(base: str, username: str, query: dict[str, str]) -> str:
    """A person signs in and approves the app in a browser (a requests session keeps the
    cookies): the out-of-band page shows the code."""
    browser = requests.Session()
    page = browser.get(f"{base}/oauth/authorize", params=query, timeout=10)
    assert page.url.startswith(f"{base}/auth/sign_in"), page.url
    consent = browser.post(
        f"{base}/auth/sign_in",
        data={**_form(page.text), "username": username, "password": PASSWORD},
        headers={"Referer": page.url},
        timeout=10,
    )
    assert consent.status_code == 200, consent.text[:500]
    assert "Authorize" in consent.text, consent.text[:500]
    shown = browser.post(consent.url, data=_form(consent.text), headers={"Referer": consent.url}, timeout=10)
    found = re.search(r'id="authorization-code">([^<]+)<', shown.text)
    assert found is not None, shown.text[:500]
    return found.group(1)


def test_mastodon_py_session(stack: dict[str, Any], worker: Process) -> None:
    base = stack["mastodon"]
    client_id, client_secret = Mastodon.create_app(
        "itest", api_base_url=base, scopes=["read", "write", "follow", "push"], redirect_uris=OOB, request_timeout=30
    )

    def account(name: str) -> Mastodon:
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base, request_timeout=30)
        api.create_account(name, PASSWORD, f"{name}@example.com", agreement=True)
        return api

    alice, bob = account("alice"), account("bob")
    me = alice.account_verify_credentials()
    assert me.username == "alice"
    assert me.acct == "alice"
    assert alice.instance().configuration.statuses.max_characters == 280
    bob_account = bob.account_verify_credentials()

    relationship = bob.account_follow(me.id)
    assert relationship.following is True
    assert alice.account_follow(bob_account.id).following is True

    bob_events, alice_events = Listener(), Listener()
    streams = [bob.stream_user(bob_events, run_async=True), alice.stream_user(alice_events, run_async=True)]
    try:
        _session(alice, bob, me, bob_events, alice_events)
    finally:
        for stream in streams:
            stream.close()


def _session(alice: Mastodon, bob: Mastodon, me: Any, bob_events: "Listener", alice_events: "Listener") -> None:
    eventually(lambda: bob_events.connected and alice_events.connected, what="both streams open")
    picture = alice.media_post(_png(), mime_type="image/png")
    posted = alice.status_post("Hello @bob, look #mastodon", media_ids=[picture])
    assert posted.media_attachments[0].type == "image"
    assert posted.mentions[0].username == "bob"
    assert posted.tags[0].name == "mastodon"
    assert 'class="u-url mention"' in posted.content

    home = eventually(lambda: [s for s in bob.timeline_home() if s.id == posted.id], what="the status in bob's home")
    live = eventually(
        lambda: [s for s in bob_events.updates if s.id == posted.id],
        what=f"the status on bob's stream (it had {bob_events.updates}, {bob_events.others})",
    )
    assert live[0].account.username == "alice"
    assert live[0].tags[0].name == "mastodon"
    assert home[0].account.username == "alice"
    assert home[0].media_attachments[0].url

    reply = bob.status_post("nice!", in_reply_to_id=posted.id)
    assert reply.in_reply_to_id == posted.id
    assert bob.status_favourite(posted.id).favourited is True
    boost = bob.status_reblog(posted.id)
    assert boost.reblog.id == posted.id

    def notified() -> set[str]:
        return {n.type for n in alice.notifications()}

    eventually(lambda: {"follow", "favourite", "reblog", "mention"} <= notified(), what="alice's notifications")
    eventually(
        lambda: {"favourite", "reblog", "mention"} <= {n.type for n in alice_events.notifications},
        what="alice's notifications on her stream",
    )
    # bob's reply reaches the replica alice reads a moment after he wrote it.
    descendants = eventually(lambda: alice.status_context(posted.id).descendants, what="the reply in the context")
    assert [s.id for s in descendants] == [reply.id]
    assert [s.id for s in alice.timeline_hashtag("mastodon")] == [posted.id]

    found = eventually(lambda: bob.search("alice", result_type="accounts").accounts, what="search finds alice")
    assert found[0].username == "alice"

    secret_picture = alice.media_post(_png(), mime_type="image/png")
    direct = alice.status_post("@bob a secret", visibility="direct", media_ids=[secret_picture])
    assert direct.visibility == "direct"
    # bob reads a replica: what alice just wrote reaches it a moment later.
    conversations = eventually(
        lambda: [c for c in bob.conversations() if c.last_status is not None and c.last_status.id == direct.id],
        what="the message in bob's conversations",
    )
    assert conversations[0].accounts[0].username == "alice"
    # An app fetches media with no token: the private image's link is its permission.
    image = requests.get(conversations[0].last_status.media_attachments[0].url, timeout=20)
    assert image.status_code == 200, image.text
    assert image.headers["Cache-Control"] == "private, no-store"
    Image.open(io.BytesIO(image.content)).verify()
    assert not [s for s in bob.timeline_home() if s.id == direct.id]  # a direct message is not a status

    with pytest.raises(Exception, match="422"):
        alice.status_post("followers only", visibility="private")


def test_the_websocket_and_the_public_streams_to_mastodon_py(stack: dict[str, Any], worker: Process) -> None:
    """Mastodon.py over one WebSocket: a subscription to `user` gets the statuses of the
    accounts followed and the notifications; a bad token never gets a socket. Then the
    public and hashtag streams (Server-Sent Events): new statuses and their deletion."""
    base = stack["mastodon"]
    client_id, client_secret = Mastodon.create_app("ws", api_base_url=base, redirect_uris=OOB, request_timeout=30)

    def account(name: str) -> Mastodon:
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base, request_timeout=30)
        api.create_account(name, PASSWORD, f"{name}@example.com", agreement=True)
        return api

    alice, bob = account("wsalice"), account("wsbob")
    bob.account_follow(alice.account_verify_credentials().id)
    events = Listener()
    handle = bob.stream_open_websocket(events)
    try:
        bob.stream_user(events, websocket_handle=handle)
        assert bob.stream_healthy()
        bob_id = int(bob.account_verify_credentials().id)
        # The subscription listens once the streaming process counts bob among the
        # listeners (workers publish only to them).
        eventually(
            lambda: get_redis().zscore(keys.stream_listeners(), str(bob_id)) is not None,
            what="bob's subscription listening",
        )
        posted = alice.status_post("over the socket")
        eventually(lambda: [s for s in events.updates if s.id == posted.id], what="the status on bob's socket")
        alice.status_favourite(bob.status_post("favourite me").id)
        eventually(lambda: [n for n in events.notifications if n.type == "favourite"], what="a notification")
    finally:
        handle.close()

    socket_url = base.replace("http://", "ws://") + "/api/v1/streaming"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(socket_url + "?access_token=not-a-token&stream=user", timeout=10)
    public, tagged = Listener(), Listener()
    streams = [
        bob.stream_public(public, run_async=True, local=True),
        bob.stream_hashtag("Sockets", tagged, run_async=True),
    ]
    try:
        eventually(lambda: public.connected and tagged.connected, what="the public and hashtag streams open")
        plain, with_tag = alice.status_post("in public"), alice.status_post("about #sockets")
        eventually(lambda: {plain.id, with_tag.id} <= {s.id for s in public.updates}, what="both on the public stream")
        eventually(lambda: [s.id for s in tagged.updates] == [with_tag.id], what="one on the hashtag stream")
        alice.status_delete(with_tag.id)
        eventually(lambda: str(with_tag.id) in public.deleted and str(with_tag.id) in tagged.deleted, what="deletes")
    finally:
        for stream in streams:
            stream.close()

    raw = websocket.create_connection(f"{socket_url}?access_token={bob.access_token}", timeout=10)
    try:
        raw.send('{"type": "subscribe", "stream": "public:remote"}')
        assert json.loads(raw.recv()) == {"error": "Unknown stream type: public:remote"}
        raw.send("not json")
        assert json.loads(raw.recv()) == {"error": "Could not parse the message as JSON"}
        raw.send('{"type": "subscribe", "stream": "hashtag", "tag": "not a tag"}')
        assert json.loads(raw.recv())["error"] == "A valid tag is required"
    finally:
        raw.close()


def test_the_authorization_code_with_pkce_through_the_consent_page(stack: dict[str, Any]) -> None:
    base = stack["mastodon"]
    user = UserFactory()
    app = requests.post(
        f"{base}/api/v1/apps",
        json={"client_name": "pkce", "redirect_uris": OOB, "scopes": "read write"},
        timeout=10,
    ).json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": OOB, "scope": "read",
        "code_challenge": challenge, "code_challenge_method": "S256",
    }  # fmt: skip
    code = consent_code(base, user.username, query)
    token = requests.post(
        f"{base}/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
              "client_secret": app["client_secret"], "redirect_uri": OOB, "code_verifier": verifier},
        timeout=10,
    )  # fmt: skip
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = requests.get(f"{base}/api/v1/accounts/verify_credentials", headers=headers, timeout=10)
    assert me.json()["username"] == user.username
    refused = requests.post(f"{base}/api/v1/statuses", json={"status": "x"}, headers=headers, timeout=10)
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}
    native = requests.get(f"{stack['gateway']}/api/v1/timelines/home", headers=headers, timeout=10)
    assert native.status_code == 401  # an OAuth token is for the Mastodon origin only
    assert requests.get(f"{base}/api/v1/nowhere", timeout=10).json() == {"error": "Record not found"}


def test_toot_session(stack: dict[str, Any], worker: Process, tmp_path: Path) -> None:
    """toot, the command-line client: its app, a sign-in in the browser, then commands."""
    base = stack["mastodon"]
    user = UserFactory(username="tooter")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    code = subprocess.run(
        [sys.executable, "-c", _TOOT_LOGIN, base], env=env, capture_output=True, text=True, timeout=60
    )
    assert code.returncode == 0, code.stderr
    query = dict(parse_qsl(urlsplit(code.stdout.strip()).query))
    login = subprocess.run(
        [sys.executable, "-c", _TOOT_CODE, base, consent_code(base, user.username, query)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert login.returncode == 0, login.stderr

    def toot(*args: str) -> str:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "toot"), *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    assert "tooter" in toot("whoami")
    assert "Toot posted" in toot("post", "hello from toot #cli")
    eventually(lambda: "hello from toot" in toot("timeline", "--once"), what="the toot in the home timeline")
    assert "hello from toot" in toot("timeline", "--tag", "cli", "--once")


# The app registration and the browser URL, as `toot login` makes them (its prompt for the
# code is the only part a test cannot type into).
_TOOT_LOGIN = """
import sys
from toot import api, auth
app = auth.get_or_create_app(sys.argv[1])
print(api.get_browser_login_url(app))
"""
_TOOT_CODE = """
import sys
from toot import auth, config
app = auth.get_or_create_app(sys.argv[1])
auth.login_auth_code(app, sys.argv[2])
"""
