"""Bad input gets a precise problem+json 4xx with a stable code, and stores nothing."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from parvis.comments.models import Comment, Status
from parvis.threads.models import Thread

pytestmark = pytest.mark.django_db


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"].endswith(f"#{code}")
    assert body["title"] and body["detail"]
    return body


def valid(**changes) -> dict:
    payload = {"thread": {"key": "article-1"}, "body": "Un avis.", "author": {"name": "Alice"}}
    payload.update(changes)
    return payload


def test_malformed_json_is_refused(api):
    problem(api.send("post", "/comments", b'{"body": '), 400, "malformed_json")
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]
)
def test_a_body_that_is_not_declared_json_is_refused(api, content_type):
    response = api.send("post", "/comments", json.dumps(valid()), content_type=content_type)
    problem(response, 415, "unsupported_media_type")
    assert not Comment.objects.exists()


def test_json_in_another_charset_is_refused(api):
    response = api.send("post", "/comments", valid(), content_type="application/json; charset=latin-1")
    problem(response, 415, "unsupported_media_type")


def test_missing_fields_are_named(api):
    body = problem(api.send("post", "/comments", {"thread": {"key": "a"}}), 422, "validation_failed")
    assert [error["field"] for error in body["errors"]] == ["body"]


def test_a_body_over_the_site_limit_is_refused(api, site):
    body = problem(api.send("post", "/comments", valid(body="x" * (site.max_comment_length + 1))), 422, "body_too_long")
    assert body["errors"][0]["field"] == "body"


def test_an_empty_body_is_refused(api):
    problem(api.send("post", "/comments", valid(body="  \n \u200b ")), 422, "body_empty")


def test_a_name_over_64_characters_is_refused(api):
    body = problem(api.send("post", "/comments", valid(author={"name": "n" * 65})), 422, "validation_failed")
    assert body["errors"][0]["field"] == "author.name"


def test_a_missing_name_is_refused_when_the_site_requires_one(api):
    problem(api.send("post", "/comments", valid(author={"name": "  "})), 422, "name_required")


def test_an_invalid_email_is_refused(api):
    problem(api.send("post", "/comments", valid(author={"name": "A", "email": "not@an@email"})), 422, "invalid_email")


def test_a_required_email_must_be_given(api, site):
    site.guest_email = "required"
    site.save()
    problem(api.send("post", "/comments", valid()), 422, "email_required")


def test_a_website_must_be_http(api):
    body = valid(author={"name": "A", "website": "javascript:alert(1)"})
    problem(api.send("post", "/comments", body), 422, "invalid_url")


def test_an_unknown_site_is_404(client):
    response = client.get("/api/v1/sites/nope/thread", {"key": "a"})
    problem(response, 404, "site_not_found")


def test_an_unknown_parent_is_refused(api):
    problem(api.send("post", "/comments", valid(parent=123456)), 422, "parent_not_found")
    assert not Comment.objects.exists()


def test_a_parent_in_another_thread_is_refused(api):
    other = api.post_comment("Ailleurs", key="article-2").json()["comment"]["id"]
    problem(api.send("post", "/comments", valid(parent=other)), 422, "parent_in_other_thread")


@pytest.mark.parametrize("status", [Status.DELETED, Status.REJECTED, Status.SPAM, Status.PENDING])
def test_a_reply_to_an_unpublished_comment_is_refused(api, status):
    parent = api.post_comment("Parent").json()["comment"]["id"]
    Comment.objects.filter(pk=parent).update(status=status)
    problem(api.send("post", "/comments", valid(parent=parent, body="Réponse")), 409, "parent_unavailable")
    assert Comment.objects.count() == 1


def test_a_closed_thread_refuses_comments(api):
    api.post_comment("Avant la fermeture")
    Thread.objects.update(is_closed=True)
    problem(api.send("post", "/comments", valid(body="Après")), 409, "thread_closed")
    assert Comment.objects.count() == 1


def test_a_page_url_outside_the_site_is_refused(api):
    body = valid(thread={"url": "https://evil.example/page"})
    problem(api.send("post", "/comments", body), 422, "url_not_allowed")
    assert not Thread.objects.exists()


def test_a_duplicate_vote_is_refused(api, client, site):
    comment = api.post_comment("x").json()["comment"]["id"]
    api.send("post", f"/comments/{comment}/votes", {"value": 1}, REMOTE_ADDR="10.9.9.9")
    problem(api.send("post", f"/comments/{comment}/votes", {"value": 1}, REMOTE_ADDR="10.9.9.9"), 409, "duplicate_vote")


@pytest.mark.parametrize(
    ("text", "character"),
    [("nul\x00byte", "U+0000"), ("bell\x07", "U+0007"), ("escape\x1b[31m", "U+001B"), ("c1\x85", "U+0085")],
)
def test_control_characters_are_refused(api, text, character):
    body = problem(api.send("post", "/comments", valid(body=text)), 422, "invalid_characters")
    assert character in body["detail"]
    assert not Comment.objects.exists()


def test_a_lone_surrogate_is_refused(api):
    raw = b'{"thread": {"key": "a"}, "body": "x\\ud800y", "author": {"name": "A"}}'
    problem(api.send("post", "/comments", raw), 422, "invalid_characters")


def test_a_nul_in_a_name_or_key_is_refused_too(api):
    problem(api.send("post", "/comments", valid(author={"name": "A\x00"})), 422, "invalid_characters")
    problem(api.send("post", "/comments", valid(thread={"key": "a\x00b"})), 422, "invalid_characters")
    problem(api.get("/thread", {"key": "a\x00b"}), 422, "invalid_characters")


def test_invalid_utf8_is_refused(api):
    raw = b'{"thread": {"key": "a"}, "body": "caf\xe9", "author": {"name": "A"}}'
    problem(api.send("post", "/comments", raw), 400, "malformed_json")


def test_a_ten_megabyte_body_is_refused_before_parsing(api):
    problem(api.send("post", "/comments", b"{" + b" " * (10 * 1024 * 1024) + b"}"), 413, "payload_too_large")


def test_deeply_nested_json_is_refused(api):
    problem(api.send("post", "/comments", b"[" * 100_000), 413, "payload_too_large")
    problem(api.send("post", "/comments", b"[" * 20_000 + b"]" * 20_000), 400, "malformed_json")
    problem(api.send("post", "/comments", b'{"a":' * 100 + b"1" + b"}" * 100), 400, "malformed_json")


def test_nan_is_not_a_number(api):
    problem(api.send("post", "/comments/1/votes", b'{"value": NaN}'), 400, "malformed_json")


@pytest.mark.parametrize("number", [2**63, 2**64, -(2**63) - 1, 10**30])
def test_ids_past_64_bits_are_refused(api, number):
    problem(api.send("post", "/comments", valid(parent=number)), 422, "validation_failed")
    problem(api.send("post", f"/comments/{number}/votes", {"value": 1}), 422, "validation_failed")


def test_a_vote_on_an_unknown_comment_is_404(api):
    problem(api.send("post", "/comments/99999/votes", {"value": 1}), 404, "comment_not_found")


def test_an_invalid_vote_value_is_refused(api):
    problem(api.send("post", "/comments/1/votes", {"value": 5}), 422, "validation_failed")


def test_an_invalid_cursor_is_refused(api):
    api.post_comment("x")
    problem(api.thread(cursor="!!!not-a-cursor"), 422, "invalid_cursor")


def test_an_unknown_origin_cannot_write(client, site):
    response = client.post(
        f"/api/v1/sites/{site.slug}/comments",
        data=json.dumps(valid()),
        content_type="application/json",
        HTTP_ORIGIN="https://attacker.example",
    )
    problem(response, 403, "origin_not_allowed")
    assert not Comment.objects.exists()


def test_a_forged_host_header_is_refused(client, site):
    response = client.get(f"/api/v1/sites/{site.slug}", HTTP_HOST="evil.example")
    problem(response, 400, "bad_host")
    assert b"evil.example" not in response.content


def test_an_unknown_path_under_the_api_is_a_problem(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@override_settings(PARVIS_RATELIMIT_COMMENT_IP="2/60")
def test_too_many_comments_from_one_address_get_429_with_retry_after(api):
    assert api.post_comment("Un").status_code == 201
    assert api.post_comment("Deux").status_code == 201
    response = api.post_comment("Trois")
    problem(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Comment.objects.count() == 2


@override_settings(PARVIS_RATELIMIT_COMMENT_IP="1/60")
def test_a_forged_x_forwarded_for_does_not_escape_the_rate_limit(api):
    assert api.post_comment("Un", headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 201
    problem(api.post_comment("Deux", headers={"X-Forwarded-For": "2.2.2.2"}), 429, "rate_limited")


@override_settings(PARVIS_RATELIMIT_COMMENT_THREAD="2/60")
def test_a_thread_under_a_flood_is_rate_limited_for_everyone(api):
    for n in range(2):
        assert api.send("post", "/comments", valid(body=f"c{n}"), REMOTE_ADDR=f"10.3.0.{n}").status_code == 201
    problem(api.send("post", "/comments", valid(body="c3"), REMOTE_ADDR="10.3.0.9"), 429, "rate_limited")


def test_every_error_code_is_published(client):
    codes = {item["code"] for item in client.get("/api/v1/errors").json()}
    assert {"malformed_json", "rate_limited", "thread_closed", "duplicate_vote"} <= codes


@pytest.mark.parametrize("method", ["put", "trace"])
def test_a_method_an_endpoint_does_not_take_is_a_problem_too(api, method):
    response = getattr(api.client, method)(api.url("/comments"), data="{}", content_type="application/json")
    problem(response, 405, "method_not_allowed")
