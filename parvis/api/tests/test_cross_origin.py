"""The API is readable and writable from the site's own pages, and from nowhere else."""

from __future__ import annotations

import json

import pytest

from conftest import ORIGIN

pytestmark = pytest.mark.django_db


def test_the_sites_origin_may_read_and_gets_its_origin_back(client, site):
    response = client.get(f"/api/v1/sites/{site.slug}/thread", {"key": "a"}, HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response["Vary"]


def test_another_origin_is_never_reflected(client, site):
    response = client.get(f"/api/v1/sites/{site.slug}/thread", {"key": "a"}, HTTP_ORIGIN="https://news.example.evil")
    assert "Access-Control-Allow-Origin" not in response


def test_an_origin_allowed_for_one_site_is_not_allowed_for_another(client, site):
    from parvis.core.models import Site

    other = Site.objects.create(slug="other", name="Other", allowed_origins=["https://other.example"])
    response = client.post(
        f"/api/v1/sites/{other.slug}/comments",
        data=json.dumps({}),
        content_type="application/json",
        HTTP_ORIGIN=ORIGIN,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"


def test_preflight_from_the_sites_origin_allows_the_api_headers(client, site):
    response = client.options(
        f"/api/v1/sites/{site.slug}/comments",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,idempotency-key",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Idempotency-Key" in response["Access-Control-Allow-Headers"]
    assert "PATCH" in response["Access-Control-Allow-Methods"]


def test_preflight_from_an_unknown_origin_is_refused(client, site):
    response = client.options(
        f"/api/v1/sites/{site.slug}/comments",
        HTTP_ORIGIN="https://attacker.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response


def test_origin_null_cannot_write(client, site):
    response = client.post(
        f"/api/v1/sites/{site.slug}/comments", data="{}", content_type="application/json", HTTP_ORIGIN="null"
    )
    assert response.status_code == 403


def test_api_answers_carry_a_csp_that_allows_nothing(client, site):
    response = client.get(f"/api/v1/sites/{site.slug}")
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Content-Type-Options"] == "nosniff"
