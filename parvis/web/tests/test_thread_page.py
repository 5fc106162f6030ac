"""The server-rendered thread works without JavaScript: read, post, reply, errors, protections."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import ORIGIN
from parvis.comments.models import Comment

pytestmark = pytest.mark.django_db


def page_url(site, **params):
    query = "&".join(f"{name}={value}" for name, value in {"key": "article-1", **params}.items())
    return f"/t/{site.slug}/?{query}"


def form(**fields):
    return {
        "key": "article-1",
        "url": f"{ORIGIN}/article-1",
        "title": "Titre",
        "body": "Bonjour",
        "name": "Léa",
        **fields,
    }


def test_readers_without_javascript_see_the_comments(api, client, site):
    api.post_comment("Premier **avis**", name="Zoé")
    response = client.get(page_url(site))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p dir="auto">Premier <strong>avis</strong></p>' in html
    assert "<bdi>Zoé</bdi>" in html
    assert "1 commentaire" in html  # the site's language (French) is used


def test_posting_the_form_stores_the_comment_and_redirects_to_it(client, site):
    response = client.post(f"/t/{site.slug}/", form())
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert "posted=published" in response["Location"]
    assert comment.author_name == "Léa"


def test_replying_through_the_form_nests_the_reply(api, client, site):
    parent = api.post_comment("Question").json()["comment"]["id"]
    reply_page = client.get(page_url(site, reply=parent)).content.decode()
    assert f'id="reply-{parent}"' in reply_page
    client.post(f"/t/{site.slug}/", form(parent=str(parent), body="Réponse"))
    assert Comment.objects.get(body_markdown="Réponse").parent_id == parent


def test_a_refused_form_shows_why_and_keeps_what_was_typed(client, site):
    response = client.post(f"/t/{site.slug}/", form(body="Texte gardé", name=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-code="name_required"' in html
    assert "Texte gardé" in html
    assert not Comment.objects.exists()


def test_markup_typed_by_a_reader_is_shown_as_text(client, site):
    client.post(
        f"/t/{site.slug}/",
        form(body="<script>alert(1)</script> [x](javascript:alert(1))", name="<img src=x onerror=alert(1)>"),
    )
    html = client.get(page_url(site)).content.decode()
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_form_requires_a_csrf_token(site):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/t/{site.slug}/", form())
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_bots_filling_the_hidden_field_store_nothing(client, site):
    response = client.post(f"/t/{site.slug}/", form(homepage="http://spam.example"))
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_the_page_may_be_framed_only_by_the_sites_origins(client, site):
    policy = client.get(page_url(site))["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {ORIGIN}" in policy
    assert "unsafe-inline" not in policy


def test_other_pages_cannot_be_framed(client, site):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_an_unknown_site_page_is_404(client, db):
    assert client.get("/t/unknown/?key=a").status_code == 404


def test_the_demo_article_shows_its_seeded_multilingual_thread(client, db):
    from parvis.web import demo

    site, created = demo.seed()
    assert created >= 30
    html = client.get("/").content.decode()
    assert html.count('class="parvis-comment ') == created
    for language in ("fr", "en", "he", "ar"):
        assert f'lang="{language}"' in html
    assert demo.seed() == (site, 0)  # seeding again changes nothing


def test_a_subscribers_only_thread_says_so_instead_of_offering_a_form(api, client, site):
    from parvis.threads.models import Thread

    api.post_comment("Avant la fermeture aux invités.")
    Thread.objects.filter(key="article-1").update(who_may_comment="subscribers")
    html = client.get(page_url(site)).content.decode()
    assert "Avant la fermeture aux invités." in html
    assert 'class="parvis-form"' not in html and 'class="parvis-reply"' not in html
    assert 'class="parvis-notice"' in html
    refused = client.post(f"/t/{site.slug}/", form(body="Je tente quand même."))
    assert refused.status_code == 403
    assert not Comment.objects.filter(body_markdown="Je tente quand même.").exists()
