"""Domain errors with stable codes.

Every refusal Parvis gives a client is one of these codes. The API turns them into RFC 9457
problem+json (parvis.api.errors), the server-rendered pages into a translated message, and the widget
translates the code itself. Codes never change meaning once published; add new ones instead.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class Code(StrEnum):
    MALFORMED_JSON = "malformed_json"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    VALIDATION_FAILED = "validation_failed"
    INVALID_CHARACTERS = "invalid_characters"
    BAD_HOST = "bad_host"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    SITE_NOT_FOUND = "site_not_found"
    THREAD_NOT_FOUND = "thread_not_found"
    COMMENT_NOT_FOUND = "comment_not_found"
    PARENT_NOT_FOUND = "parent_not_found"
    PARENT_IN_OTHER_THREAD = "parent_in_other_thread"
    PARENT_UNAVAILABLE = "parent_unavailable"
    THREAD_CLOSED = "thread_closed"
    URL_NOT_ALLOWED = "url_not_allowed"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    GUESTS_NOT_ALLOWED = "guests_not_allowed"
    NAME_REQUIRED = "name_required"
    EMAIL_REQUIRED = "email_required"
    INVALID_EMAIL = "invalid_email"
    INVALID_URL = "invalid_url"
    BODY_EMPTY = "body_empty"
    BODY_TOO_LONG = "body_too_long"
    DUPLICATE_COMMENT = "duplicate_comment"
    EDIT_TOKEN_INVALID = "edit_token_invalid"  # noqa: S105 (an error code, not a secret)
    EDIT_WINDOW_CLOSED = "edit_window_closed"
    COMMENT_UNAVAILABLE = "comment_unavailable"
    DUPLICATE_VOTE = "duplicate_vote"
    OWN_COMMENT_VOTE = "own_comment_vote"
    DUPLICATE_FLAG = "duplicate_flag"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    INVALID_CURSOR = "invalid_cursor"
    TOO_MANY_KEYS = "too_many_keys"
    RATE_LIMITED = "rate_limited"
    CSRF_FAILED = "csrf_failed"
    NOTHING_TO_APPEAL = "nothing_to_appeal"
    BANNED = "banned"
    API_KEY_INVALID = "api_key_invalid"
    SERVER_ERROR = "server_error"
    ATTRIBUTE_NOT_SUPPORTED = "attribute_not_supported"
    SCORE_TYPE_NOT_SUPPORTED = "score_type_not_supported"
    LANGUAGE_NOT_SUPPORTED = "language_not_supported"
    TEXT_EMPTY = "text_empty"
    TEXT_TOO_LONG = "text_too_long"
    LINK_INVALID = "link_invalid"
    LINK_EXPIRED = "link_expired"
    LINK_OTHER_SITE = "link_other_site"
    LINK_USED = "link_used"
    SIGN_IN_REQUIRED = "sign_in_required"
    SUBSCRIBERS_ONLY = "subscribers_only"
    STAFF_ONLY = "staff_only"
    SESSION_INVALID = "session_invalid"
    SIGN_IN_UNAVAILABLE = "sign_in_unavailable"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (an error code, not a secret)
    TOKEN_EXPIRED = "token_expired"  # noqa: S105
    TOKEN_REPLAYED = "token_replayed"  # noqa: S105
    TOKEN_WRONG_AUDIENCE = "token_wrong_audience"  # noqa: S105
    SIGN_IN_FAILED = "sign_in_failed"
    NAME_IMPERSONATES = "name_impersonates"
    NAME_CHANGE_TOO_SOON = "name_change_too_soon"
    COMMENTER_NOT_FOUND = "commenter_not_found"
    # oidc
    SIGN_IN_ATTEMPT_INVALID = "sign_in_attempt_invalid"


# code -> (HTTP status, short title shown to people). The title is the same for every occurrence;
# the detail of a particular occurrence goes in ProblemError.detail.
CATALOG: dict[Code, tuple[int, Any]] = {
    Code.MALFORMED_JSON: (400, _("The request body is not valid JSON.")),
    Code.UNSUPPORTED_MEDIA_TYPE: (415, _("Send the request body as application/json.")),
    Code.PAYLOAD_TOO_LARGE: (413, _("The request body is too large.")),
    Code.VALIDATION_FAILED: (422, _("Some fields are missing or invalid.")),
    Code.INVALID_CHARACTERS: (422, _("The text contains characters that are not allowed.")),
    Code.BAD_HOST: (400, _("This server does not answer to that host name.")),
    Code.NOT_FOUND: (404, _("There is nothing at this address.")),
    Code.METHOD_NOT_ALLOWED: (405, _("This address does not accept that method.")),
    Code.SITE_NOT_FOUND: (404, _("This site is not known to Parvis.")),
    Code.THREAD_NOT_FOUND: (404, _("This discussion does not exist.")),
    Code.COMMENT_NOT_FOUND: (404, _("This comment does not exist.")),
    Code.PARENT_NOT_FOUND: (422, _("The comment you reply to does not exist.")),
    Code.PARENT_IN_OTHER_THREAD: (422, _("The comment you reply to belongs to another discussion.")),
    Code.PARENT_UNAVAILABLE: (409, _("The comment you reply to was removed or is not published.")),
    Code.THREAD_CLOSED: (409, _("Comments are closed on this article.")),
    Code.URL_NOT_ALLOWED: (422, _("This page address does not belong to the site.")),
    Code.ORIGIN_NOT_ALLOWED: (403, _("This page is not allowed to use this site's comments.")),
    Code.GUESTS_NOT_ALLOWED: (403, _("This site does not accept comments from guests.")),
    Code.NAME_REQUIRED: (422, _("Please give a name.")),
    Code.EMAIL_REQUIRED: (422, _("Please give an email address.")),
    Code.INVALID_EMAIL: (422, _("This email address is not valid.")),
    Code.INVALID_URL: (422, _("The website address is not valid (use http:// or https://).")),
    Code.BODY_EMPTY: (422, _("The comment is empty.")),
    Code.BODY_TOO_LONG: (422, _("The comment is too long.")),
    Code.DUPLICATE_COMMENT: (409, _("You already posted this comment.")),
    Code.EDIT_TOKEN_INVALID: (403, _("You cannot change this comment.")),
    Code.EDIT_WINDOW_CLOSED: (403, _("The time to change this comment has passed.")),
    Code.COMMENT_UNAVAILABLE: (409, _("This comment was removed or is not published.")),
    Code.DUPLICATE_VOTE: (409, _("You already voted this way on this comment.")),
    Code.OWN_COMMENT_VOTE: (409, _("You cannot vote on your own comment.")),
    Code.DUPLICATE_FLAG: (409, _("You already reported this comment.")),
    Code.IDEMPOTENCY_KEY_REUSED: (422, _("This Idempotency-Key was already used for a different request.")),
    Code.INVALID_CURSOR: (422, _("The page cursor is not valid.")),
    Code.TOO_MANY_KEYS: (422, _("Too many discussions asked at once.")),
    Code.RATE_LIMITED: (429, _("Too many requests. Please wait a moment and try again.")),
    Code.CSRF_FAILED: (403, _("The form expired. Please reload the page and try again.")),
    Code.BANNED: (403, _("You can no longer comment on this site.")),
    Code.NOTHING_TO_APPEAL: (409, _("This comment is published: there is nothing to appeal.")),
    Code.API_KEY_INVALID: (403, _("The API key is missing, unknown or revoked.")),
    Code.SERVER_ERROR: (500, _("Something went wrong on our side.")),
    # The Perspective-compatible endpoint answers 400 where Perspective does, so its clients see the same statuses.
    Code.ATTRIBUTE_NOT_SUPPORTED: (400, _("A requested attribute is not supported.")),
    Code.SCORE_TYPE_NOT_SUPPORTED: (400, _("A requested score type is not supported.")),
    Code.LANGUAGE_NOT_SUPPORTED: (400, _("The requested language is not supported.")),
    Code.TEXT_EMPTY: (400, _("The text to analyze is empty.")),
    Code.TEXT_TOO_LONG: (400, _("The text to analyze is too long.")),
    # Readers' data links (parvis.privacy): 403 for a link that proves nothing, 410 for one that did but no longer does.
    Code.LINK_INVALID: (403, _("This link is incomplete or was altered.")),
    Code.LINK_EXPIRED: (410, _("This link has expired. Ask for a new one.")),
    Code.LINK_OTHER_SITE: (403, _("This link was made for another site.")),
    Code.LINK_USED: (410, _("This link was already used to erase the data. Nothing is left to show.")),
    # Who may comment (parvis.identity.rules) and signing in (parvis.identity).
    Code.SIGN_IN_REQUIRED: (403, _("Sign in to comment here.")),
    Code.SUBSCRIBERS_ONLY: (403, _("Comments here are open to subscribers.")),
    Code.STAFF_ONLY: (403, _("Only the newsroom can comment here.")),
    Code.SESSION_INVALID: (401, _("You were signed out. Please sign in again.")),
    Code.SIGN_IN_UNAVAILABLE: (409, _("This way of signing in is not offered on this site.")),
    Code.TOKEN_INVALID: (401, _("The sign-in token is not valid.")),
    Code.TOKEN_EXPIRED: (401, _("The sign-in token has expired.")),
    Code.TOKEN_REPLAYED: (401, _("The sign-in token was already used.")),
    Code.TOKEN_WRONG_AUDIENCE: (401, _("The sign-in token was made for another site.")),
    Code.SIGN_IN_FAILED: (502, _("Signing in with the identity provider failed.")),
    Code.NAME_IMPERSONATES: (422, _("This name is too close to the name of a member of the newsroom.")),
    Code.NAME_CHANGE_TOO_SOON: (409, _("You changed your name recently. Please wait before changing it again.")),
    Code.COMMENTER_NOT_FOUND: (404, _("This person is not known here.")),
    # oidc: the popup came back without the attempt it started (expired, another window, or forged).
    Code.SIGN_IN_ATTEMPT_INVALID: (400, _("This sign-in has expired or was not started in this window.")),
}


class ProblemError(Exception):
    """A refusal with a stable code; raise it from actions, never an HTTP response."""

    def __init__(
        self,
        code: Code,
        detail: str | None = None,
        *,
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.code = code
        self.status, title = CATALOG[code]
        self.title = str(title)
        self.detail = detail or self.title
        self.field = field
        self.errors = errors or ([{"field": field, "code": code.value, "message": self.detail}] if field else [])
        self.headers = headers or {}
        super().__init__(f"{code}: {self.detail}")
