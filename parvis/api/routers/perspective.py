"""The Perspective-compatible endpoint: `POST /v1alpha1/comments:analyze?key=...`, for tools that call Google's
Perspective API (which shuts down on 31 December 2026) and switch to Parvis by changing their base URL.

Callers are the publisher's own tools, identified by a per-site API key (`parvis moderation apikey create`), sent
as Perspective clients send theirs: the `key` query parameter, or the `X-Goog-Api-Key` header. The request and
response follow Perspective's documented AnalyzeComment shapes; the scores are Parvis's engine, mapped onto
Perspective's attributes as `parvis.moderation.attributes` documents. Errors are problem+json with a stable code,
with the status Perspective gives (400 for an unknown attribute, an unsupported language or an empty text).

Parvis never stores the analyzed text, whatever `doNotStore` says: it is scored and forgotten.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import APIKeyHeader, APIKeyQuery
from pydantic import ConfigDict, Field

from parvis import conf
from parvis.api.schemas import Problem
from parvis.core import language as detection
from parvis.core import ratelimit
from parvis.core.exceptions import Code, ProblemError
from parvis.moderation import apikeys
from parvis.moderation.attributes import ATTRIBUTES, analyze
from parvis.moderation.models import ApiKey

router = Router(tags=["perspective"])

# Perspective's documented limit on the text of one request.
MAX_TEXT_BYTES = 20 * 1024
PROBABILITY = "PROBABILITY"
RATE_SETTING = "PARVIS_RATELIMIT_ANALYZE_KEY"
ERRORS: dict[int, Any] = {code: Problem for code in (400, 403, 413, 415, 422, 429)}


class QueryKey(APIKeyQuery):
    """`?key=...`, as Perspective clients send their Google API key."""

    param_name = "key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return apikeys.verify(key) if key else None


class HeaderKey(APIKeyHeader):
    """`X-Goog-Api-Key: ...`, the header form Google's client libraries may use instead."""

    param_name = "X-Goog-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return apikeys.verify(key) if key else None


class Strict(Schema):
    # A misspelt field would otherwise be ignored in silence and the caller would get defaults it did not ask for.
    model_config = ConfigDict(extra="forbid")


class TextEntry(Strict):
    text: str = Field(..., description="The comment, as plain UTF-8 text (at most 20 KB).")
    type: Literal["PLAIN_TEXT"] = Field("PLAIN_TEXT", description="Only PLAIN_TEXT, as in Perspective.")


class Context(Strict):
    entries: list[TextEntry] = Field(default_factory=list, max_length=10, description="Accepted, not used.")


class AttributeParameters(Strict):
    scoreType: str = Field("", max_length=20, description="PROBABILITY (the default) is the only score type.")
    scoreThreshold: float | None = Field(
        None, ge=0, le=1, description="Leave the attribute out of the answer when it scores below this."
    )


class AnalyzeCommentRequest(Strict):
    comment: TextEntry
    context: Context | None = None
    requestedAttributes: dict[str, AttributeParameters] = Field(
        ..., max_length=len(ATTRIBUTES) * 2, description=f"Any of {', '.join(ATTRIBUTES)}, each with {{}} or options."
    )
    languages: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="ISO 639-1 codes of the text's language; detected when left out.",
    )
    doNotStore: bool = Field(False, description="Accepted; Parvis never stores analyzed text anyway.")
    clientToken: str | None = Field(None, max_length=256, description="Echoed back unchanged.")
    sessionId: str | None = Field(None, max_length=256, description="Accepted, not used.")
    communityId: str | None = Field(None, max_length=256, description="Accepted, not used.")
    spanAnnotations: bool = Field(False, description="Also score each sentence (spanScores).")


class Score(Schema):
    value: float
    type: str = PROBABILITY


class SpanScore(Schema):
    begin: int = Field(..., description="Offset of the span's first character (Unicode code points).")
    end: int = Field(..., description="Offset just past the span's last character.")
    score: Score


class AttributeScores(Schema):
    summaryScore: Score
    spanScores: list[SpanScore] | None = None


class AnalyzeCommentResponse(Schema):
    attributeScores: dict[str, AttributeScores]
    languages: list[str]
    detectedLanguages: list[str]
    clientToken: str | None = None


def _language_code(value: str) -> str:
    """The primary subtag of a BCP 47 tag ("en-US" → "en"), as the engine knows languages."""
    return value.replace("_", "-").split("-", 1)[0].strip().lower()


def _attributes(requested: dict[str, AttributeParameters]) -> list[str]:
    if not requested:
        raise ProblemError(Code.ATTRIBUTE_NOT_SUPPORTED, "Missing requestedAttributes.", field="requestedAttributes")
    for name, parameters in requested.items():
        if name not in ATTRIBUTES:
            raise ProblemError(
                Code.ATTRIBUTE_NOT_SUPPORTED,
                f"Unknown requested attribute: {name[:50]}. Supported: {', '.join(ATTRIBUTES)}.",
                field=f"requestedAttributes.{name[:50]}",
            )
        if parameters.scoreType not in ("", PROBABILITY):
            raise ProblemError(
                Code.SCORE_TYPE_NOT_SUPPORTED,
                f"Requested score type {parameters.scoreType} is not supported by attribute {name}.",
                field=f"requestedAttributes.{name}.scoreType",
            )
    return list(requested)


def _languages(requested: list[str], attributes: list[str]) -> list[str]:
    supported = set(conf.languages())
    codes = [_language_code(value) for value in requested]
    refused = [value[:35] for value, code in zip(requested, codes, strict=True) if code not in supported]
    if refused:
        raise ProblemError(
            Code.LANGUAGE_NOT_SUPPORTED,
            f"Attribute {attributes[0]} does not support request languages: {', '.join(refused)}. "
            f"Supported: {', '.join(sorted(supported))}.",
            field="languages",
        )
    return list(dict.fromkeys(codes))


def _text(entry: TextEntry) -> str:
    text = entry.text
    if not text.strip():
        raise ProblemError(Code.TEXT_EMPTY, "Comment must be non-empty.", field="comment.text")
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise ProblemError(
            Code.TEXT_TOO_LONG,
            f"Comment text too long: {size} bytes; the limit is {MAX_TEXT_BYTES}.",
            field="comment.text",
        )
    return text


@router.post(
    "/comments:analyze",
    auth=[QueryKey(), HeaderKey()],
    response={200: AnalyzeCommentResponse, **ERRORS},
    exclude_none=True,
    summary="Analyze a comment (Perspective AnalyzeComment)",
    operation_id="comments_analyze",
)
def analyze_comment(request: HttpRequest, payload: AnalyzeCommentRequest) -> dict[str, Any]:
    """Scores for the requested attributes (TOXICITY, SEVERE_TOXICITY, IDENTITY_ATTACK, INSULT, PROFANITY,
    THREAT), per sentence too with `spanAnnotations`. Answers like Perspective's AnalyzeComment; the text is
    never stored."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    ratelimit.enforce(RATE_SETTING, f"apikey{key.pk}")
    attributes = _attributes(payload.requestedAttributes)
    text = _text(payload.comment)
    languages = _languages(payload.languages, attributes)
    found = detection.detect(text)
    if languages:
        language = languages[0]
    else:
        # Perspective refuses text whose language it cannot tell; Parvis reads it as the site's language instead,
        # since the rules and models work across languages and a short "ok" deserves a score, not an error.
        language = found or key.site.default_language
        languages = [language]
    result = analyze(text, attributes, language=language, spans=payload.spanAnnotations)
    scores: dict[str, Any] = {}
    for name in attributes:
        threshold = payload.requestedAttributes[name].scoreThreshold
        value = result.scores[name]
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, Any] = {"summaryScore": {"value": value, "type": PROBABILITY}}
        if payload.spanAnnotations:
            entry["spanScores"] = [
                {"begin": span.begin, "end": span.end, "score": {"value": span.scores[name], "type": PROBABILITY}}
                for span in result.spans
            ]
        scores[name] = entry
    return {
        "attributeScores": scores,
        "languages": languages,
        "detectedLanguages": [found] if found else [],
        "clientToken": payload.clientToken,
    }


@router.api_operation(
    ["GET", "PUT", "PATCH", "DELETE"], "/comments:analyze", include_in_schema=False, operation_id="comments_analyze_405"
)
def analyze_other_methods(request: HttpRequest) -> None:
    """Only POST is served; answered as problem+json like every other refusal (ninja's own 405 is plain text)."""
    raise ProblemError(Code.METHOD_NOT_ALLOWED, "Use POST.", headers={"Allow": "POST"})
