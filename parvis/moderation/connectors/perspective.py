"""A Perspective-compatible second opinion: AnalyzeComment on Google's Perspective API or any service speaking
its protocol (another Parvis included).

Request: POST <url>/v1alpha1/comments:analyze?key=KEY with {"comment": {"text"}, "requestedAttributes": {...},
"languages", "doNotStore": true}. Answer: attributeScores.<ATTRIBUTE>.summaryScore.value in 0..1.

Only the comment's text (and its language when known) is sent, always with doNotStore. An attribute scoring under
EVIDENCE_FLOOR is not evidence of anything and gives no finding; of the attributes that map to the same Parvis
category only the strongest is kept, because the engine combines findings as independent evidence (noisy-or)
and TOXICITY, SEVERE_TOXICITY and PROFANITY are three views of one judgement.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from parvis import conf
from parvis.moderation.categories import Category
from parvis.moderation.connectors.transport import ConnectorError, post
from parvis.moderation.findings import Finding

ATTRIBUTE_CATEGORIES = {
    "TOXICITY": Category.TOXIC,
    "SEVERE_TOXICITY": Category.TOXIC,
    "PROFANITY": Category.TOXIC,
    "IDENTITY_ATTACK": Category.HATE,
    "INSULT": Category.INSULT,
    "THREAT": Category.THREAT,
}
EVIDENCE_FLOOR = 0.5


def enabled() -> bool:
    return bool(conf.perspective_key())


def request_body(text: str, language: str = "") -> dict[str, object]:
    body: dict[str, object] = {
        "comment": {"text": text, "type": "PLAIN_TEXT"},
        "requestedAttributes": {name: {} for name in ATTRIBUTE_CATEGORIES},
        "doNotStore": True,
    }
    if language:
        body["languages"] = [language]
    return body


def _score(data: object, attribute: str) -> float | None:
    try:
        value = data["attributeScores"][attribute]["summaryScore"]["value"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ConnectorError(f"{attribute} score is not a probability: {value!r}")
    return float(value)


def check(text: str, language: str = "") -> list[Finding]:
    """Ask AnalyzeComment; strong attributes become Findings. Raises ConnectorError when there is no answer."""
    url = f"{conf.perspective_url()}/v1alpha1/comments:analyze?key={quote(conf.perspective_key(), safe='')}"
    body = json.dumps(request_body(text, language), ensure_ascii=False).encode("utf-8")
    data = post(url, body, "application/json", conf.connector_timeout()).json()
    if not isinstance(data, dict) or not isinstance(data.get("attributeScores"), dict):
        raise ConnectorError("answer has no attributeScores")
    strongest: dict[str, tuple[float, str]] = {}
    for attribute, category in ATTRIBUTE_CATEGORIES.items():
        value = _score(data, attribute)
        if value is None or value < EVIDENCE_FLOOR:
            continue
        if value > strongest.get(category, (0.0, ""))[0]:
            strongest[category] = (value, attribute)
    return [
        Finding(
            f"perspective.{attribute}",
            category,
            round(value, 4),
            f"Perspective-compatible service: {attribute} {value:.2f}.",
        )
        for category, (value, attribute) in strongest.items()
    ]
