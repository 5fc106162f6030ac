"""What publishers' pages load: stable scripts with validators, and a frame only their origins may embed."""

from __future__ import annotations

import json
import re
from urllib.parse import quote_plus

import pytest

from conftest import ORIGIN
from parvis.embed import assets

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/embed.js", "/count.js"])
def test_stable_scripts_are_cached_briefly_and_revalidated_with_an_etag(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def frame(client, site, **params):
    headers = {name: params.pop(name) for name in list(params) if name.startswith("HTTP_")}
    query = {"key": "article-1", "url": f"{ORIGIN}/article-1", "title": "Titre", "origin": ORIGIN, **params}
    return client.get(f"/embed/{site.slug}/frame", query, **headers)


def config_of(response) -> dict:
    match = re.search(r'<script id="parvis-config" type="application/json">(.*?)</script>', response.content.decode())
    assert match, "no configuration in the frame page"
    return json.loads(match.group(1))


def test_a_revalidated_frame_keeps_the_policy_that_lets_the_publisher_embed_it(client, site):
    # The browser merges a 304's headers into the page it stored: a policy on the 304 would replace
    # frame-ancestors and the comments would vanish on the reader's next reload.
    first = frame(client, site)
    again = frame(client, site, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "Content-Security-Policy" not in again
    assert "X-Frame-Options" not in again


def test_the_frame_runs_the_hashed_app_under_a_strict_policy(client, site):
    response = frame(client, site)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert f"frame-ancestors 'self' {ORIGIN}" in policy
    bundle = assets.bundle()
    html = response.content.decode()
    assert f'/static/{bundle.app_js}"' in html and f'/static/{bundle.app_css}"' in html
    assert re.search(r"app-[0-9a-f]{12}\.js", bundle.app_js)


def test_the_frame_carries_the_sites_rules_and_the_readers_language(client, site):
    config = config_of(frame(client, site, lang="ar"))
    assert config["hostOrigin"] == ORIGIN
    assert (config["lang"], config["dir"]) == ("ar", "rtl")
    assert config["site"]["slug"] == site.slug and config["api"] == f"/api/v1/sites/{site.slug}"
    assert config["messages"] == assets.messages("ar")
    assert config_of(frame(client, site, lang="xx"))["lang"] == "fr"  # the site's language


def test_the_frame_names_the_chunks_loaded_on_first_use_and_the_discussion_s_feed(client, site):
    config = config_of(frame(client, site))
    bundle = assets.bundle()
    for chunk, name in (("subscribe", bundle.subscribe), ("tools", bundle.tools)):
        assert config[chunk] == f"/static/{name}"
        assert re.search(rf"{chunk}-[0-9a-f]{{12}}\.js$", name)
        assert (assets.BUILD_DIR / name.removeprefix(assets.STATIC_PREFIX)).is_file()
    assert config["feed"] == f"/notifications/feeds/{site.slug}/thread.atom?key=article-1"
    by_url = config_of(frame(client, site, key=""))["feed"]
    assert by_url == f"/notifications/feeds/{site.slug}/thread.atom?url=" + quote_plus(f"{ORIGIN}/article-1")


def test_a_frame_for_an_origin_the_site_does_not_allow_is_refused(client, site):
    response = frame(client, site, origin="https://attacker.example")
    assert response.status_code == 403
    assert "parvis-config" not in response.content.decode()


def test_hostile_thread_titles_cannot_break_out_of_the_configuration(client, site):
    response = frame(client, site, title="</script><script>alert(1)</script>")
    assert "<script>alert(1)" not in response.content.decode()
    assert config_of(response)["thread"]["title"] == "</script><script>alert(1)</script>"


def test_every_language_has_the_same_strings(db):
    bundle = assets.bundle()
    assert {"fr", "en", "he", "ar"} <= set(bundle.languages)
    reference = set(assets.messages("en"))
    for language in bundle.languages:
        assert set(assets.messages(language)) == reference, language
