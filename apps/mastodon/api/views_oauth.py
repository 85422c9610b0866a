"""OAuth 2 for Mastodon clients: app registration, the sign-in and consent pages, the token
and revocation endpoints (django-oauth-toolkit's), and the server's metadata."""

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from django.contrib.auth.views import LoginView
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import Application
from oauth2_provider.views import AuthorizationView as ToolkitAuthorizationView
from oauth2_provider.views import RevokeTokenView as ToolkitRevokeTokenView
from oauth2_provider.views import TokenView as ToolkitTokenView
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from apps.mastodon import oauth
from apps.mastodon import scopes as scope_rules
from apps.mastodon.api.base import MastodonView, list_param, origin, param, text_param
from apps.mastodon.api.schema import NO_TOKEN, TEXT, body, doc, entity
from apps.mastodon.errors import error
from twitter.api.auth import bearer_token
from twitter.errors import ApplicationError

_UNSAFE_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "about", "blob"})
NAME_MAX_LENGTH = 60


def _redirect_uris(request: Request) -> list[str]:
    raw = list_param(request, "redirect_uris")
    uris = [line.strip() for value in raw if isinstance(value, str) for line in value.splitlines() if line.strip()]
    if not uris or len(uris) > 10:
        raise ApplicationError("Invalid value.", fields={"redirect_uris": ["Give 1 to 10 redirect URIs."]})
    for uri in uris:
        parts = urlsplit(uri)
        if uri != oauth.OOB and (not parts.scheme or parts.scheme.lower() in _UNSAFE_SCHEMES or len(uri) > 500):
            raise ApplicationError("Invalid value.", fields={"redirect_uris": [f"Not a usable redirect URI: {uri}"]})
    return uris


def app_entity(application: Application, scopes: list[str], website: str) -> dict[str, Any]:
    uris = application.redirect_uris.split()
    return {
        "id": str(application.pk),
        "name": application.name,
        "website": website or None,
        "scopes": scopes,
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }


class AppCreateApi(MastodonView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @doc(
        entity("CredentialApplication"),
        request=body(
            {
                "client_name": TEXT,
                "redirect_uris": {"anyOf": [TEXT, {"type": "array", "items": TEXT, "maxItems": 10}]},
                "scopes": {"type": "string", "description": "Space-separated; `read` when none."},
                "website": TEXT,
            },
            required=("client_name", "redirect_uris"),
        ),
        auth=NO_TOKEN,
    )
    def post(self, request: Request) -> Response:
        name = text_param(request, "client_name").strip()
        if not name or len(name) > NAME_MAX_LENGTH:
            raise ApplicationError("Invalid value.", fields={"client_name": [f"1 to {NAME_MAX_LENGTH} characters."]})
        uris = _redirect_uris(request)
        raw_scopes = param(request, "scopes")
        scopes = scope_rules.parse(raw_scopes if isinstance(raw_scopes, str) else None)
        if scopes is None:
            raise ApplicationError("Invalid value.", fields={"scopes": ["Unknown scope."]})
        website = text_param(request, "website").strip()
        if website and (len(website) > 500 or urlsplit(website).scheme not in ("http", "https")):
            raise ApplicationError("Invalid value.", fields={"website": ["An http(s) URL."]})
        application, secret = oauth.app_register(name=name, redirect_uris=uris, scopes=scopes, website=website)
        body = {
            **app_entity(application, scopes, website),
            "client_id": application.client_id,
            "client_secret": secret,
            "client_secret_expires_at": 0,  # never, as on Mastodon
        }
        return Response(body, status=status.HTTP_200_OK)


class _ParsedByOAuthlib:
    """oauthlib raises ValueError on a query or body it cannot decode (a stray `%`, say),
    and a NUL byte in a value reaches Postgres, which refuses it: the client's mistakes,
    answered as OAuth's invalid_request."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            return response
        except (ValueError, DataError) as exc:
            return self.invalid_request(request, str(exc) if isinstance(exc, ValueError) else "A value is malformed.")

    def invalid_request(self, request: HttpRequest, description: str) -> HttpResponse:
        return JsonResponse({"error": "invalid_request", "error_description": description}, status=400)


# The toolkit exempts its token and revocation endpoints from CSRF (clients, not
# browsers, call them) on its own `dispatch`; this one overrides it, so it says so again.
@method_decorator(csrf_exempt, name="dispatch")
class TokenView(_ParsedByOAuthlib, ToolkitTokenView):
    """`/oauth/token`: the toolkit's answer, with the `created_at` Mastodon's Token has."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            body = orjson.loads(response.content)
            if isinstance(body, dict):
                body.setdefault("created_at", int(time.time()))
                response.content = orjson.dumps(body)
        return response


@method_decorator(csrf_exempt, name="dispatch")
class RevokeTokenView(_ParsedByOAuthlib, ToolkitRevokeTokenView):
    pass


class AppVerifyApi(MastodonView):
    """An app's own token (or a user's token for it) shows the app."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @doc(entity("Application"), auth=[{"oauth2": []}])
    def get(self, request: Request) -> HttpResponse:
        raw = bearer_token(request)
        token = oauth.app_token(raw) if raw else None
        if token is None or token.application is None:
            return error(401, "The access token is invalid")
        application = token.application
        scopes = oauth.registered(application)
        website = application.mastodon.website if hasattr(application, "mastodon") else ""
        return JsonResponse(app_entity(application, scopes, website))


class SignInView(LoginView):
    template_name = "mastodon/sign_in.html"
    http_method_names = ["get", "post", "head", "options"]  # a form view takes PUT as POST otherwise


class AuthorizeView(_ParsedByOAuthlib, ToolkitAuthorizationView):
    """The consent page; the out-of-band redirect shows the code on a page instead."""

    template_name = "mastodon/authorize.html"
    http_method_names = ["get", "post", "head", "options"]

    def invalid_request(self, request: HttpRequest, description: str) -> HttpResponse:
        reason = {"error": "invalid_request", "description": description}
        return render(request, self.template_name, {"error": reason}, status=400)

    def redirect(self, redirect_to: str, application: Application | None) -> HttpResponse:
        if redirect_to.startswith(oauth.OOB):
            found = parse_qs(urlsplit(redirect_to).query)
            code = found.get("code", [None])[0]
            if code is None:
                reason = {"error": found.get("error", ["access_denied"])[0], "description": "Not authorized."}
                return render(self.request, self.template_name, {"error": reason}, status=400)
            return render(self.request, "mastodon/code.html", {"code": code, "application": application})
        scheme = urlsplit(redirect_to).scheme.lower()
        redirect: HttpResponse = OAuth2ResponseRedirect(redirect_to, [scheme] if scheme not in _UNSAFE_SCHEMES else [])
        return redirect

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().render_to_response(context, **kwargs)
        target = urlsplit(str(context.get("redirect_uri") or ""))
        if target.scheme and target.netloc:  # the consent form's answer redirects there
            response["Content-Security-Policy"] = (
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
                f"base-uri 'self'; object-src 'none'; form-action 'self' {target.scheme}://{target.netloc}"
            )
        return response


def authorization_server(request: HttpRequest) -> JsonResponse:
    """RFC 8414 metadata, as Mastodon publishes it."""
    base = origin(request)
    return JsonResponse(
        {
            "issuer": base + "/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": list(scope_rules.ALL),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )
