"""The stand-in's workspaces and OAuth: Slack's authorize page, `oauth.v2.access`, a bot
token per installed workspace, and revoked tokens.

`/oauth/v2/authorize` shows the page where a person allows (or cancels) the install; its
buttons lead to `/oauth/v2/authorize/decide`, which redirects back to the app's redirect
URL with a code (or `error=access_denied`), as Slack does. `oauth.v2.access` exchanges the
code once, checking the client's credentials and that the redirect URL matches the one the
authorize step used; it answers Slack's errors (invalid_code, bad_client_secret,
bad_redirect_uri, invalid_client_id).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sambot.localslack.ids import APP_ID

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "local-client-secret"
CODE_TTL_S = 600


class OAuthError(Exception):
    """Answered as Slack's `{"ok": false, "error": error}`."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


@dataclass
class Team:
    id: str
    name: str
    enterprise_id: str | None = None


@dataclass
class Grant:
    """What a code stands for, until it is exchanged."""

    team: Team | None  # None: an org-wide install
    enterprise_id: str | None
    enterprise_name: str | None
    scope: str
    redirect_uri: str | None
    user_id: str


@dataclass
class Installs:
    """The stand-in's workspaces and their bot tokens. Guarded by the stand-in's lock."""

    default_team: Team
    default_token: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    # The redirect URL configured on the app (used when the authorize URL names none).
    redirect_uri: str | None = None
    installer: str = "UINSTALLER"
    teams: dict[str, Team] = field(default_factory=dict)
    enterprises: dict[str, str] = field(default_factory=dict)  # id -> name
    # token -> (team id or None for an org-wide token, enterprise id)
    tokens: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    codes: dict[str, Grant] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.teams[self.default_team.id] = self.default_team
        self.tokens[self.default_token] = (self.default_team.id, None)

    def add_team(self, team_id: str, name: str = "", enterprise_id: str | None = None) -> str:
        """A workspace and a bot token for it (as if installed); returns the token."""
        self.teams[team_id] = Team(team_id, name or team_id, enterprise_id)
        token = f"xoxb-{team_id}-{secrets.token_hex(12)}"
        self.tokens[token] = (team_id, enterprise_id)
        return token

    def add_enterprise(self, enterprise_id: str, name: str = "") -> None:
        self.enterprises[enterprise_id] = name or enterprise_id

    def revoke(self, team_id: str | None = None, *, token: str | None = None) -> list[str]:
        """Revoke one token, or every token of a workspace (the app uninstalled there)."""
        chosen = (
            [token] if token else [t for t, (team, _) in self.tokens.items() if team == team_id]
        )
        for each in chosen:
            self.tokens.pop(each, None)
            self.revoked.add(each)
        return chosen

    def owner(self, token: str) -> tuple[str | None, str | None] | None:
        return self.tokens.get(token)

    # -- the authorize page --------------------------------------------------------------

    def authorize_page(self, query: str) -> tuple[int, str, dict[str, str]]:
        args = dict(parse_qsl(query))
        if args.get("client_id") != self.client_id:
            return 400, _page("Invalid client_id", "<p>This app is not known to Slack.</p>"), {}
        if not (args.get("redirect_uri") or self.redirect_uri):
            return 400, _page("Invalid redirect_uri", "<p>No redirect URL is set.</p>"), {}
        target = args.get("team") or self.default_team.id
        where = (
            self.enterprises.get(target, target)
            if target in self.enterprises
            else self.teams.get(target, Team(target, target)).name
        )
        scopes = "".join(f"<li>{escape(s)}</li>" for s in args.get("scope", "").split(",") if s)
        allow = "/oauth/v2/authorize/decide?" + urlencode({**args, "decision": "allow"})
        deny = "/oauth/v2/authorize/decide?" + urlencode({**args, "decision": "deny"})
        body = (
            f"<h1>sambot is requesting permission to access {escape(where)}, a Slack "
            f"workspace</h1><p>It will be able to:</p><ul>{scopes}</ul>"
            f'<p><a id="allow" href="{escape(allow)}">Allow</a> '
            f'<a id="cancel" href="{escape(deny)}">Cancel</a></p>'
        )
        return 200, _page("Slack: install sambot", body), {}

    def decide(self, query: str) -> tuple[int, str, dict[str, str]]:
        args = dict(parse_qsl(query))
        redirect_uri = args.get("redirect_uri") or self.redirect_uri or ""
        answer = {"state": args.get("state", "")}
        if args.get("decision") != "allow":
            answer = {"error": "access_denied", **answer}
        else:
            answer = {"code": self._grant(args), **answer}
        separator = "&" if "?" in redirect_uri else "?"
        return 302, "", {"Location": f"{redirect_uri}{separator}{urlencode(answer)}"}

    def _grant(self, args: dict[str, str]) -> str:
        target = args.get("team") or self.default_team.id
        if target in self.enterprises:  # an org-wide install
            grant = Grant(None, target, self.enterprises[target], "", None, self.installer)
        else:
            team = self.teams.setdefault(target, Team(target, target))
            enterprise = team.enterprise_id
            grant = Grant(team, enterprise, self.enterprises.get(enterprise or ""), "", None, "")
        grant.scope = args.get("scope", "")
        grant.redirect_uri = args.get("redirect_uri")
        grant.user_id = self.installer
        code = f"code-{secrets.token_hex(8)}"
        self.codes[code] = grant
        return code

    # -- oauth.v2.access -----------------------------------------------------------------

    def access(self, args: dict[str, Any], authorization: str | None) -> dict[str, Any]:
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            raise OAuthError("invalid_client_id")
        if client_secret != self.client_secret:
            raise OAuthError("bad_client_secret")
        grant = self.codes.get(args.get("code") or "")
        if grant is None:
            raise OAuthError("invalid_code")
        if (args.get("redirect_uri") or None) != grant.redirect_uri:
            raise OAuthError("bad_redirect_uri")
        del self.codes[args["code"]]  # a code is good once
        org_wide = grant.team is None
        token = (
            f"xoxb-{(grant.team.id if grant.team else grant.enterprise_id)}-{secrets.token_hex(12)}"
        )
        self.tokens[token] = (None if org_wide else grant.team.id, grant.enterprise_id)
        enterprise = (
            {"id": grant.enterprise_id, "name": grant.enterprise_name}
            if grant.enterprise_id
            else None
        )
        return {
            "access_token": token,
            "token_type": "bot",
            "scope": grant.scope,
            "bot_user_id": "UBOT",
            "app_id": APP_ID,
            "team": None if org_wide else {"id": grant.team.id, "name": grant.team.name},
            "enterprise": enterprise,
            "is_enterprise_install": org_wide,
            "authed_user": {"id": grant.user_id},
        }


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title></head><body>{body}</body></html>"
    )
