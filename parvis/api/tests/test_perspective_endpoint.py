"""The Perspective-compatible endpoint, POST /v1alpha1/comments:analyze?key=..., with requests and answers shaped
as Perspective's public documentation shows them. Scores come from the engine, whose models may still change:
the tests assert how texts rank against each other, never exact values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.moderation import apikeys
from parvis.moderation.models import ApiKey, Decision

URL = "/v1alpha1/comments:analyze"
ALL = ["TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT"]
INSULTING = "You are a stupid idiot and a pathetic moron."
FRIENDLY = "Thank you for this lovely, well researched article."


@pytest.fixture
def key(site: Site) -> str:
    return apikeys.create(site, "Coral Talk").secret


def analyze(client: Client, key: str | None, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    url = f"{URL}?key={key}" if key is not None else URL
    return client.post(url, data=data, content_type=extra.pop("content_type", "application/json"), **extra)


def request(text: str, *attributes: str, **fields: Any) -> dict[str, Any]:
    return {"comment": {"text": text}, "requestedAttributes": {name: {} for name in attributes or ALL}, **fields}


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"].endswith("#" + code)
    return body


def summary(response: Any, attribute: str) -> float:
    assert response.status_code == 200, response.content
    return float(response.json()["attributeScores"][attribute]["summaryScore"]["value"])


def test_the_documented_example_request_gets_the_documented_answer_shape(client: Client, key: str) -> None:
    # Perspective's quick-start request: a comment, its language and one attribute with default options.
    response = analyze(
        client,
        key,
        {
            "comment": {"text": "What kind of idiot name is foo?"},
            "languages": ["en"],
            "requestedAttributes": {"TOXICITY": {}},
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"attributeScores", "languages", "detectedLanguages"}
    assert set(body["attributeScores"]) == {"TOXICITY"}
    score = body["attributeScores"]["TOXICITY"]["summaryScore"]
    assert score["type"] == "PROBABILITY"
    assert 0.0 <= score["value"] <= 1.0
    assert "spanScores" not in body["attributeScores"]["TOXICITY"]
    assert body["languages"] == ["en"]
    assert isinstance(body["detectedLanguages"], list)


def test_every_supported_attribute_is_answered_in_zero_to_one(client: Client, key: str) -> None:
    body = analyze(client, key, request(INSULTING)).json()
    assert set(body["attributeScores"]) == set(ALL)
    for attribute in ALL:
        assert 0.0 <= body["attributeScores"][attribute]["summaryScore"]["value"] <= 1.0


def test_an_insulting_comment_scores_higher_than_a_friendly_one(client: Client, key: str) -> None:
    rude = analyze(client, key, request(INSULTING, languages=["en"]))
    kind = analyze(client, key, request(FRIENDLY, languages=["en"]))
    assert summary(rude, "INSULT") > summary(kind, "INSULT")
    assert summary(rude, "TOXICITY") > summary(kind, "TOXICITY")


def test_span_annotations_score_each_sentence_with_offsets_into_the_text(client: Client, key: str) -> None:
    text = f"{FRIENDLY} {INSULTING}"
    body = analyze(client, key, request(text, "INSULT", "TOXICITY", spanAnnotations=True)).json()
    spans = body["attributeScores"]["INSULT"]["spanScores"]
    assert [text[span["begin"] : span["end"]] for span in spans] == [FRIENDLY, INSULTING]
    assert all(span["score"]["type"] == "PROBABILITY" for span in spans)
    assert spans[1]["score"]["value"] > spans[0]["score"]["value"]
    assert len(body["attributeScores"]["TOXICITY"]["spanScores"]) == 2


def test_the_client_token_is_echoed(client: Client, key: str) -> None:
    body = analyze(client, key, request(FRIENDLY, "TOXICITY", clientToken="req-42/α")).json()
    assert body["clientToken"] == "req-42/α"


def test_an_attribute_under_its_score_threshold_is_left_out(client: Client, key: str) -> None:
    body = analyze(
        client,
        key,
        {
            "comment": {"text": FRIENDLY},
            "requestedAttributes": {"TOXICITY": {"scoreThreshold": 1.0}, "INSULT": {"scoreType": "PROBABILITY"}},
        },
    ).json()
    assert set(body["attributeScores"]) == {"INSULT"}


def test_requested_languages_are_honoured_and_region_subtags_dropped(client: Client, key: str) -> None:
    assert analyze(client, key, request(FRIENDLY, languages=["fr"])).json()["languages"] == ["fr"]
    assert analyze(client, key, request(FRIENDLY, languages=["en-US"])).json()["languages"] == ["en"]


def test_the_language_is_detected_when_not_given(client: Client, key: str) -> None:
    body = analyze(client, key, request("Merci beaucoup pour cet article passionnant et très bien écrit.")).json()
    assert body["detectedLanguages"] == ["fr"]
    assert body["languages"] == ["fr"]


def test_an_unsupported_language_is_refused_as_perspective_does(client: Client, key: str) -> None:
    body = problem(analyze(client, key, request(FRIENDLY, "TOXICITY", languages=["xx"])), 400, "language_not_supported")
    assert "TOXICITY does not support request languages: xx" in body["detail"]


def test_do_not_store_is_accepted_and_nothing_is_stored_anyway(client: Client, key: str) -> None:
    for flag in (True, False):
        assert analyze(client, key, request(INSULTING, doNotStore=flag)).status_code == 200
    assert not Comment.objects.exists()
    assert not Decision.objects.exists()


def test_context_session_and_community_are_accepted(client: Client, key: str) -> None:
    body = request(
        FRIENDLY,
        "TOXICITY",
        context={"entries": [{"text": "The article's headline", "type": "PLAIN_TEXT"}]},
        sessionId="s-1",
        communityId="news",
    )
    assert analyze(client, key, body).status_code == 200


def test_the_key_can_come_in_the_google_api_key_header(client: Client, key: str) -> None:
    response = analyze(client, None, request(FRIENDLY, "TOXICITY"), HTTP_X_GOOG_API_KEY=key)
    assert response.status_code == 200


def test_using_a_key_marks_it_used(client: Client, key: str) -> None:
    analyze(client, key, request(FRIENDLY, "TOXICITY"))
    assert ApiKey.objects.get().last_used_at is not None


@pytest.mark.parametrize("sent", [None, "", "pvk_not-a-key", "AIzaSyA-google-style-key"])
def test_a_missing_or_unknown_key_is_refused(client: Client, site: Site, sent: str | None) -> None:
    body = problem(analyze(client, sent, request(FRIENDLY, "TOXICITY")), 403, "api_key_invalid")
    assert "key" in body["detail"]


def test_a_revoked_key_is_refused(client: Client, key: str) -> None:
    apikeys.revoke(ApiKey.objects.get().prefix)
    problem(analyze(client, key, request(FRIENDLY, "TOXICITY")), 403, "api_key_invalid")


def test_malformed_json_is_refused(client: Client, key: str) -> None:
    problem(analyze(client, key, b'{"comment": {"text": "hi"'), 400, "malformed_json")


def test_an_unknown_attribute_is_refused_as_perspective_does(client: Client, key: str) -> None:
    body = problem(analyze(client, key, request(FRIENDLY, "TOXICITY", "FLIRTATION")), 400, "attribute_not_supported")
    assert "FLIRTATION" in body["detail"]
    assert body["errors"][0]["field"] == "requestedAttributes.FLIRTATION"


def test_no_requested_attribute_is_refused(client: Client, key: str) -> None:
    problem(
        analyze(client, key, {"comment": {"text": FRIENDLY}, "requestedAttributes": {}}), 400, "attribute_not_supported"
    )


def test_an_unsupported_score_type_is_refused(client: Client, key: str) -> None:
    body = {"comment": {"text": FRIENDLY}, "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}}
    problem(analyze(client, key, body), 400, "score_type_not_supported")


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_text_is_refused(client: Client, key: str, text: str) -> None:
    problem(analyze(client, key, request(text, "TOXICITY")), 400, "text_empty")


def test_a_text_over_20_kb_is_refused(client: Client, key: str) -> None:
    body = problem(analyze(client, key, request("é" * 10_500, "TOXICITY")), 400, "text_too_long")
    assert "21000 bytes" in body["detail"]


def test_a_body_over_the_request_limit_is_refused(client: Client, key: str) -> None:
    problem(analyze(client, key, request("a" * 70_000, "TOXICITY")), 413, "payload_too_large")


@pytest.mark.parametrize(
    "body",
    [
        {"comment": {"text": FRIENDLY}},
        {"requestedAttributes": {"TOXICITY": {}}},
        {"comment": {"text": FRIENDLY, "type": "HTML"}, "requestedAttributes": {"TOXICITY": {}}},
        {"comment": {"text": FRIENDLY}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}}},
        {"comment": {"text": FRIENDLY}, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotation": True},
        {"comment": {"text": 42}, "requestedAttributes": {"TOXICITY": {}}},
    ],
)
def test_other_invalid_requests_are_refused_with_the_field_at_fault(client: Client, key: str, body: Any) -> None:
    refused = problem(analyze(client, key, body), 422, "validation_failed")
    assert refused["errors"]


def test_a_non_json_content_type_is_refused(client: Client, key: str) -> None:
    response = analyze(client, key, json.dumps(request(FRIENDLY)), content_type="text/plain")
    problem(response, 415, "unsupported_media_type")


def test_other_methods_are_refused_with_allow(client: Client, key: str) -> None:
    response = client.get(f"{URL}?key={key}")
    problem(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"


def test_each_key_is_rate_limited(client: Client, key: str, settings: Any) -> None:
    settings.PARVIS_RATELIMIT_ANALYZE_KEY = "2/3600"
    for _ in range(2):
        assert analyze(client, key, request(FRIENDLY, "TOXICITY")).status_code == 200
    response = analyze(client, key, request(FRIENDLY, "TOXICITY"))
    problem(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1


def test_the_endpoint_is_documented_in_its_own_openapi_schema(client: Client) -> None:
    schema = client.get("/v1alpha1/openapi.json").json()
    operation = schema["paths"]["/v1alpha1/comments:analyze"]["post"]
    assert set(schema["paths"]["/v1alpha1/comments:analyze"]) == {"post"}
    assert {"200", "400", "403", "429"} <= set(operation["responses"])
    schemes = schema["components"]["securitySchemes"]
    assert {(scheme["in"], scheme["name"]) for scheme in schemes.values()} == {
        ("query", "key"),
        ("header", "X-Goog-Api-Key"),
    }
