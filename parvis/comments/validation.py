"""Checks on what a guest types, shared by the API and the server-rendered form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import EmailRule, Site
from parvis.core.text import clean_body, clean_line, refuse_forbidden
from parvis.identity.names import refuse_impersonation

NAME_MAX = 64
EMAIL_MAX = 254
WEBSITE_MAX = 512
_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])


def guest_name(site: Site, value: str | None) -> str:
    name = clean_line(value or "", "author.name")
    if len(name) > NAME_MAX:
        raise ProblemError(
            Code.VALIDATION_FAILED, f"The name is longer than {NAME_MAX} characters.", field="author.name"
        )
    if not name and site.guest_name_required:
        raise ProblemError(Code.NAME_REQUIRED, field="author.name")
    refuse_impersonation(site, name)
    return name


def guest_email(site: Site, value: str | None) -> str:
    email = (value or "").strip()
    refuse_forbidden(email, "author.email")
    if not email:
        if site.guest_email == EmailRule.REQUIRED:
            raise ProblemError(Code.EMAIL_REQUIRED, field="author.email")
        return ""
    if len(email) > EMAIL_MAX:
        raise ProblemError(
            Code.INVALID_EMAIL, f"The email is longer than {EMAIL_MAX} characters.", field="author.email"
        )
    try:
        _email_validator(email)
    except ValidationError as error:
        raise ProblemError(Code.INVALID_EMAIL, field="author.email") from error
    local, _, domain = email.rpartition("@")
    # Domains are case-insensitive; local parts are not, by the standard, so they are kept as typed.
    return f"{local}@{domain.lower()}"


def guest_website(value: str | None) -> str:
    website = (value or "").strip()
    refuse_forbidden(website, "author.website")
    if not website:
        return ""
    if len(website) > WEBSITE_MAX:
        raise ProblemError(
            Code.INVALID_URL, f"The website is longer than {WEBSITE_MAX} characters.", field="author.website"
        )
    try:
        _url_validator(website)
    except ValidationError as error:
        raise ProblemError(Code.INVALID_URL, field="author.website") from error
    return website


def comment_body(site: Site, value: str) -> str:
    body = clean_body(value)
    if not body:
        raise ProblemError(Code.BODY_EMPTY, field="body")
    if len(body) > site.max_comment_length:
        raise ProblemError(
            Code.BODY_TOO_LONG,
            f"The comment has {len(body)} characters; this site accepts at most {site.max_comment_length}.",
            field="body",
        )
    return body
