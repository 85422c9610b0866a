"""The OpenAPI schema of the Mastodon-compatible origin (drf-spectacular), served there at
`/api/schema`: every route of its write-API and read-API, its OAuth endpoints and pages,
and its streams, in Mastodon's JSON.

- Entities (`Status`, `Account`, ...) are components generated from Mastodon's documented
  entities as of the version the instance announces (`entities.json`, made by
  `python -m tests.mastodon.entities`; a test holds the two equal).
- A view states what it takes and returns with `@doc(...)`; every operation documents the
  errors this origin can give, in Mastodon's form (`{"error": "..."}`).
- Security is OAuth 2 with Mastodon's scopes: an operation lists the scope its view
  requires (`MastodonView.scopes`); an open one also takes no token.
- Routes that are not DRF views (OAuth's token, revocation and pages, the server metadata,
  the instance, the streams) are added by `add_routes`.
"""

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from apps.mastodon import scopes as scope_rules
from twitter.api.pagination import MAX_LIMIT
from twitter.api.schema import ID_SCHEMA, IdempotentWritesSchema

ENTITIES: dict[str, Any] = json.loads((Path(__file__).parent / "entities.json").read_text())
ID = dict(ID_SCHEMA)  # the native API's ids: strings of digits
FLAG = {"type": "boolean"}  # also "true"/"false"/"1"/"0" in a query or a form
TEXT = {"type": "string"}
EMPTY = {"type": "object", "maxProperties": 0}
NO_TOKEN: list[dict[str, list[str]]] = [{}]  # an operation open to anyone, token or not
BODY_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")

_ERRORS = {
    "400": "The request is malformed.",
    "401": "No valid access token (missing, invalid, expired or revoked).",
    "403": "The token's scopes do not cover this, or this account may not do it.",
    "404": "No such record (or not visible to this viewer).",
    "422": "Validation failed: the message names each field and what is wrong with it.",
    "429": "Rate limited: see `Retry-After` and the X-RateLimit-* headers.",
    "503": "A backing service is down: retry after `Retry-After` seconds.",
}
_BODY_ERRORS = {"413": "The request body is too large.", "415": "The body's content type is not accepted."}


def entity(name: str) -> dict[str, Any]:
    if name not in ENTITIES:
        raise KeyError(f"no entity {name} in entities.json")
    return {"$ref": f"#/components/schemas/{name}"}


def entity_list(name: str) -> dict[str, Any]:
    return {"type": "array", "items": entity(name)}


MARKERS = {"type": "object", "properties": {"home": entity("Marker"), "notifications": entity("Marker")}}


def error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": entity("Error")}}}


def query(name: str, schema: dict[str, Any], description: str = "", *, required: bool = False) -> OpenApiParameter:
    return OpenApiParameter(name, schema, OpenApiParameter.QUERY, required=required, description=description)


PAGE = [
    query("max_id", ID, "Older than this id."),
    query("since_id", ID, "Newer than this id (the newest page)."),
    query("min_id", ID, "Newer than this id (the page just after it)."),
    query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "How many (default 20)."),
]
LINK = OpenApiParameter(
    "Link", str, OpenApiParameter.HEADER, response=[200], description="The next and previous pages (rel next, prev)."
)


def fields(properties: dict[str, Any], *, required: Iterable[str] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def body(
    properties: dict[str, Any], *, required: Iterable[str] = (), media: Iterable[str] = BODY_TYPES
) -> dict[str, Any]:
    """A request body as Mastodon clients send it: JSON, a form or multipart (`media`)."""
    schema = fields(properties, required=required)
    return dict.fromkeys(media, schema)


View = TypeVar("View", bound=Callable[..., Any])


def doc(
    returns: dict[str, Any] | None,
    *,
    params: Iterable[OpenApiParameter] = (),
    request: dict[str, Any] | None = None,
    status: int = 200,
    also: dict[int, str] | None = None,
    paged: bool = False,
    description: str = "",
    auth: list[dict[str, list[str]]] | None = None,
) -> Callable[[View], View]:
    """What an operation takes (query `params`, a `request` body: its JSON form, which a form
    or multipart body may carry as well) and returns (`returns` with `status`, or with a
    code in `also`; a Link header when `paged`); `auth` for a view that checks its token
    itself."""
    responses = {status: OpenApiResponse(response=returns, description="OK")}
    for code, meaning in (also or {}).items():
        responses[code] = OpenApiResponse(response=returns, description=meaning)
    decorator: Callable[[View], View] = extend_schema(
        description=description or None,
        parameters=[*params, *([LINK] if paged else [])],
        request=request,
        responses=responses,
        auth=auth,  # type: ignore[arg-type]  # drf-spectacular takes security requirement objects
    )
    return decorator


class MastodonAutoSchema(IdempotentWritesSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors = {**_ERRORS, **(_BODY_ERRORS if self.method in ("POST", "PUT", "PATCH") else {})}
        for code, description in errors.items():
            responses.setdefault(code, error_response(description))
        return responses

    def get_operation_id(self) -> str:
        """Path and method (`v1_statuses_tweet_id_favourite_post`): unique, as v1 and v2 share names."""
        words = re.findall(r"[a-z0-9_]+", self.path.removeprefix("/api/"))
        return "_".join([*words, self.method.lower()])

    def get_auth(self) -> list[dict[str, list[str]]]:
        scope = getattr(self.view, "scopes", {}).get(self.method)
        return [{"oauth2": [scope]}] if scope else [{"oauth2": []}, {}]


# --- Routes that are not DRF views ------------------------------------------------------

_HTML = {"text/html": {"schema": {"type": "string"}}}
_FORM = "application/x-www-form-urlencoded"
_OAUTH_ERRORS = {
    "400": error_response("The request is malformed or a grant is invalid (OAuth's `error`)."),
    "401": error_response("The client's credentials are wrong (`invalid_client`)."),
    "429": error_response(_ERRORS["429"]),
    "503": error_response(_ERRORS["503"]),
}
_PAGE_ERRORS = {
    "400": {
        "description": "The request is malformed: a page that says why (or an error, when no page was reached).",
        "content": {**_HTML, "application/json": {"schema": entity("Error")}},
    },
    "403": error_response("The form's CSRF token is missing or wrong."),
    "429": error_response("Too many attempts: see `Retry-After`."),
}
_AUTHORIZE_QUERY = {
    "response_type": {"type": "string", "enum": ["code"]},
    "client_id": TEXT,
    "redirect_uri": TEXT,
    "scope": TEXT,
    "state": TEXT,
    "code_challenge": TEXT,
    "code_challenge_method": {"type": "string", "enum": ["S256"]},
    "force_login": FLAG,
    "lang": TEXT,
}
_SERVER_METADATA = {
    "type": "object",
    "required": ["issuer", "authorization_endpoint", "token_endpoint", "scopes_supported"],
    "properties": {
        "issuer": TEXT,
        "service_documentation": TEXT,
        "authorization_endpoint": TEXT,
        "token_endpoint": TEXT,
        "revocation_endpoint": TEXT,
        "app_registration_endpoint": TEXT,
        "scopes_supported": {"type": "array", "items": TEXT},
        "response_types_supported": {"type": "array", "items": TEXT},
        "response_modes_supported": {"type": "array", "items": TEXT},
        "code_challenge_methods_supported": {"type": "array", "items": TEXT},
        "grant_types_supported": {"type": "array", "items": TEXT},
        "token_endpoint_auth_methods_supported": {"type": "array", "items": TEXT},
    },
}


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(operation_id: str, summary: str, responses: dict[str, Any], *, tag: str, **more: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "summary": summary, "tags": [tag], "responses": responses, **more}


def _form(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {_FORM: {"schema": fields(properties, required=required)}}}


def _query(properties: dict[str, Any], required: Iterable[str] = ()) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "query", "required": name in required, "schema": schema}
        for name, schema in properties.items()
    ]


def _oauth_paths() -> dict[str, Any]:
    token = _form(
        {
            "grant_type": {"type": "string", "enum": ["authorization_code", "client_credentials", "refresh_token"]},
            "client_id": TEXT,
            "client_secret": TEXT,
            "code": TEXT,
            "redirect_uri": TEXT,
            "code_verifier": TEXT,
            "refresh_token": TEXT,
            "scope": TEXT,
        },
        ["grant_type"],
    )
    revoke = _form({"token": TEXT, "client_id": TEXT, "client_secret": TEXT}, ["token"])
    page = {"200": {"description": "The page.", "content": _HTML}, "302": {"description": "Elsewhere."}}
    return {
        "/oauth/token": {
            "post": _operation(
                "oauth_token", "Get a token", {"200": _ok(entity("Token")), **_OAUTH_ERRORS},
                tag="oauth", requestBody=token, security=NO_TOKEN,
            )
        },
        "/oauth/revoke": {
            "post": _operation(
                "oauth_revoke", "Revoke a token", {"200": _ok({"type": "object"}), **_OAUTH_ERRORS},
                tag="oauth", requestBody=revoke, security=NO_TOKEN,
            )
        },
        "/oauth/authorize": {
            "get": _operation(
                "oauth_authorize_page", "The consent page (after signing in)", {**page, **_PAGE_ERRORS},
                tag="oauth", parameters=_query(_AUTHORIZE_QUERY), security=NO_TOKEN,
            ),
            "post": _operation(
                "oauth_authorize", "Consent (the page's form)", {**page, **_PAGE_ERRORS}, tag="oauth",
                requestBody=_form({**_AUTHORIZE_QUERY, "allow": TEXT, "csrfmiddlewaretoken": TEXT}, []),
                security=NO_TOKEN,
            ),
        },
        "/auth/sign_in": {
            "get": _operation("sign_in_page", "The sign-in page", {**page, **_PAGE_ERRORS}, tag="oauth",
                              parameters=_query({"next": TEXT}), security=NO_TOKEN),
            "post": _operation(
                "sign_in", "Sign in (the page's form)", {**page, **_PAGE_ERRORS}, tag="oauth",
                requestBody=_form({"username": TEXT, "password": TEXT, "next": TEXT, "csrfmiddlewaretoken": TEXT}, []),
                security=NO_TOKEN,
            ),
        },
        "/.well-known/oauth-authorization-server": {
            "get": _operation(
                "oauth_server_metadata", "The OAuth server's metadata (RFC 8414)",
                {"200": _ok(_SERVER_METADATA), "429": _OAUTH_ERRORS["429"]}, tag="oauth", security=NO_TOKEN,
            )
        },
    }  # fmt: skip


def _instance_paths() -> dict[str, Any]:
    errors = {code: error_response(_ERRORS[code]) for code in ("429", "503")}
    return {
        f"/api/{version}/instance": {
            "get": _operation(
                f"instance_{version}",
                f"The instance ({version})",
                {"200": _ok(entity(name)), **errors},
                tag="instance",
                security=NO_TOKEN,
            )
        }
        for version, name in (("v1", "Instance"), ("v2", "InstanceV2"))
    }


_STREAMS = {
    "user": ("The viewer's home and notifications", "read:statuses", {}),
    "user/notification": ("The viewer's notifications", "read:notifications", {}),
    "direct": ("The viewer's direct messages", "read:statuses", {}),
    "public": ("Every public status", "read:statuses", {"only_media": FLAG}),
    "public/local": ("Every public status (all are local)", "read:statuses", {"only_media": FLAG}),
    "hashtag": ("Public statuses with a hashtag", "read:statuses", {"tag": TEXT}),
    "hashtag/local": ("Public statuses with a hashtag (all are local)", "read:statuses", {"tag": TEXT}),
}


def _streaming_paths() -> dict[str, Any]:
    stream = {"description": "Server-Sent Events.", "content": {"text/event-stream": {"schema": TEXT}}}
    errors = {code: error_response(_ERRORS[code]) for code in ("400", "401", "403", "429", "503")}
    paths = {
        f"/api/v1/streaming/{name}": {
            "get": _operation(
                "streaming_" + name.replace("/", "_"), summary, {"200": stream, **errors}, tag="streaming",
                parameters=_query({**extra, "access_token": TEXT}, required=["tag"] if "tag" in extra else []),
                security=[{"oauth2": [scope]}],
                description="Events `update`, `delete`, `notification`, `conversation`; the payload is JSON in a "
                "string. A token may come as `access_token` in the query (EventSource cannot send headers).",
            )
        }
        for name, (summary, scope, extra) in _STREAMS.items()
    }  # fmt: skip
    paths["/api/v1/streaming"] = {
        "get": _operation(
            "streaming_websocket",
            "The WebSocket: one connection, many streams",
            {
                "101": {"description": "Switching to the WebSocket protocol."},
                "426": error_response("Not a WebSocket handshake (no `Upgrade: websocket`)."),
                **errors,
            },
            tag="streaming",
            parameters=_query({"access_token": TEXT, "stream": TEXT, "tag": TEXT}),
            security=[{"oauth2": ["read:statuses"]}],
            description='Messages `{"type": "subscribe" | "unsubscribe", "stream": ..., "tag": ...}`; events '
            'arrive as `{"stream": [...], "event": ..., "payload": "<JSON>"}`.',
        )
    }
    paths["/api/v1/streaming/health"] = {
        "get": _operation(
            "streaming_health", "Whether the streaming process answers",
            {"200": {"description": "OK", "content": {"text/plain": {"schema": TEXT}}},
             "429": error_response(_ERRORS["429"])}, tag="streaming",
            security=NO_TOKEN,
        )
    }  # fmt: skip
    return paths


def add_routes(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the entities, and the routes that are not DRF views."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ENTITIES)
    result.setdefault("paths", {}).update({**_oauth_paths(), **_instance_paths(), **_streaming_paths()})
    result["paths"] = dict(sorted(result["paths"].items()))
    return result


SETTINGS = {
    "TITLE": "twitter, Mastodon-compatible API",
    "DESCRIPTION": (
        "The Mastodon client API, on an origin of its own: Mastodon apps and libraries work with it. "
        "Entities as Mastodon 4.3 documents them (https://docs.joinmastodon.org/), ids as strings. "
        'Errors: {"error": "..."}. Register an app (POST /api/v1/apps), get a token at /oauth/token.'
    ),
    "VERSION": "4.3.0",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "apps.mastodon.api.schema.add_routes"],
    "PATH_CONVERTER_OVERRIDES": {"id": dict(ID_SCHEMA)},
    "SECURITY": [],
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "oauth2": {
                "type": "oauth2",
                "description": "Mastodon's scopes: read, write, follow, push and their granular forms.",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "/oauth/authorize",
                        "tokenUrl": "/oauth/token",
                        "refreshUrl": "/oauth/token",
                        "scopes": scope_rules.ALL,
                    },
                    "clientCredentials": {"tokenUrl": "/oauth/token", "scopes": scope_rules.ALL},
                },
            }
        }
    },
}
