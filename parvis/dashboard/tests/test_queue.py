"""The queue lists what needs a person: riskiest first, by tab, filtered by site, language, category and text, with
everything needed to decide on the same page (reasons marked in the text, reports, appeal, history)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.comments.models import Flag, FlagReason, Status
from parvis.dashboard.models import QueueIndex
from parvis.dashboard.tests.conftest import held, signed_in
from parvis.moderation.models import Appeal


def listed(page: Any) -> list[int]:
    """The comment ids of the items on a queue page, in order."""
    return [int(found) for found in re.findall(r'<article id="item-(\d+)"', page.content.decode())]


@pytest.mark.django_db
def test_the_riskiest_comment_comes_first_and_newest_is_the_alternative(moderator: Any, site: Any) -> None:
    now = timezone.now()
    low = held(site, "Peu risqué.", scores={"insult": 0.2}, created_at=now)
    high = held(site, "Très risqué.", scores={"insult": 0.3, "threat": 0.95}, created_at=now - timedelta(hours=2))
    mid = held(site, "Moyen.", scores={"toxic": 0.6}, created_at=now - timedelta(hours=1))
    client = signed_in(moderator)
    assert listed(client.get("/moderate/")) == [high.pk, mid.pk, low.pk]
    assert listed(client.get("/moderate/", {"sort": "newest"})) == [low.pk, mid.pk, high.pk]
    # A moderator's decision keeps the automatic risk: it does not make a comment look harmless.
    assert QueueIndex.objects.get(comment=high).risk == pytest.approx(0.95)


@pytest.mark.django_db
def test_tabs_list_pending_reported_spam_and_all(moderator: Any, site: Any) -> None:
    pending = held(site, "En attente.")
    reported = held(site, "Signalé.", status=Status.APPROVED)
    quiet = held(site, "Publié sans signalement.", status=Status.APPROVED)
    spam = held(site, "Achetez.", status=Status.SPAM)
    Flag.objects.create(comment=reported, reporter_key="r1", reason=FlagReason.ABUSE)
    Flag.objects.create(comment=reported, reporter_key="r2", reason=FlagReason.ABUSE)
    Flag.objects.create(comment=reported, reporter_key="r3", reason=FlagReason.OFF_TOPIC)
    client = signed_in(moderator)
    assert listed(client.get("/moderate/")) == [pending.pk]
    page = client.get("/moderate/", {"tab": "reported"})
    assert listed(page) == [reported.pk]
    assert "3 reader reports:" in page.content.decode() and "(2)" in page.content.decode()
    assert listed(client.get("/moderate/", {"tab": "spam"})) == [spam.pk]
    assert set(listed(client.get("/moderate/", {"tab": "all"}))) == {pending.pk, reported.pk, quiet.pk, spam.pk}
    # Nonsense in the query string falls back to the defaults.
    assert listed(client.get("/moderate/", {"tab": "nope", "sort": "nope", "page": "x"})) == [pending.pk]


@pytest.mark.django_db
def test_filters_by_site_language_category_and_text(moderator: Any, site: Any, other_site: Any) -> None:
    from parvis.dashboard.models import Membership, Role

    Membership.objects.create(user=moderator, site=other_site, role=Role.MODERATOR)
    french = held(site, "Un texte en français sur le budget.", categories=["insult"])
    english = held(site, "An English text about the BUDGET.", language="en", categories=["threat", "toxic"])
    elsewhere = held(other_site, "Ailleurs.", categories=["insult"])
    client = signed_in(moderator)
    assert set(listed(client.get("/moderate/"))) == {french.pk, english.pk, elsewhere.pk}
    assert set(listed(client.get("/moderate/", {"site": "other"}))) == {elsewhere.pk}
    assert listed(client.get("/moderate/", {"language": "en"})) == [english.pk]
    assert set(listed(client.get("/moderate/", {"category": "insult"}))) == {french.pk, elsewhere.pk}
    assert listed(client.get("/moderate/", {"category": "toxic"})) == [english.pk]
    assert listed(client.get("/moderate/", {"category": "ins"})) == []  # whole categories only
    assert set(listed(client.get("/moderate/", {"q": "budget"}))) == {french.pk, english.pk}
    assert listed(client.get("/moderate/", {"q": "budget", "language": "fr"})) == [french.pk]


@pytest.mark.django_db
def test_an_item_shows_the_reasons_in_the_text_the_article_the_parent_the_appeal_and_the_history(
    moderator: Any, site: Any
) -> None:
    author = Commenter.objects.create(site=site, name="Bob")
    for status in (Status.APPROVED, Status.APPROVED, Status.REJECTED):
        held(site, f"Ancien {status}.", status=status, commenter=author)
    parent = held(site, "Le commentaire d'origine.", status=Status.APPROVED)
    text = "Appelez-moi au 06 12 34 56 78 <b>ce soir</b>"
    reasons = [
        {
            "rule": "personal_data.phone",
            "category": "personal_data",
            "score": 0.9,
            "reason": "The comment contains a phone number.",
            "spans": [[15, 29]],
        }
    ]
    comment = held(site, text, reasons=reasons, scores={"personal_data": 0.9}, parent=parent, commenter=author)
    Appeal.objects.create(comment=comment, message="Ce n'est pas mon numéro.")
    page = signed_in(moderator).get("/moderate/").content.decode()
    assert '<mark title="personal_data.phone: The comment contains a phone number.">06 12 34 56 78</mark>' in page
    assert "&lt;b&gt;ce soir&lt;/b&gt;" in page and "<b>ce soir</b>" not in page
    assert 'href="https://news.example/article-1"' in page and "Title of article-1" in page
    assert "Le commentaire d&#x27;origine." in page
    assert "Ce n&#x27;est pas mon numéro." in page
    assert "History: 4 comments, 50% approved, 1 rejected." in page
    # The reject menu lists the site's enabled categories with their digits; spam has its own key.
    assert 'name="category" value="insult"' in page and 'name="category" value="spam"' not in page
    assert 'data-digit="1"' in page


@pytest.mark.django_db
def test_a_page_of_fifty_costs_a_fixed_number_of_queries_not_one_per_comment(
    moderator: Any, site: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(60):
        held(site, f"Commentaire {number}.", key=f"article-{number % 7}")
    client = signed_in(moderator)
    client.get("/moderate/")  # warm the session
    # session, user, sites, the second-factor rule, count, page, decisions, reports, histories, per site its policy
    # and the user's role,
    # and the newest decision id (what a bulk action checks staleness against).
    with django_assert_max_num_queries(14):
        page = client.get("/moderate/")
    assert len(listed(page)) == 50
    assert "Page 1 of 2" in page.content.decode()
    assert len(listed(client.get("/moderate/", {"page": "2"}))) == 10


@pytest.mark.django_db
def test_the_queue_page_loads_only_static_scripts_and_the_csrf_token(moderator: Any, site: Any) -> None:
    held(site, "Un commentaire.")
    page = signed_in(moderator).get("/moderate/")
    html = page.content.decode()
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    # No inline script: the one script element without a src holds the status line's words as JSON, which
    # browsers never run.
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == ['<script id="dash-texts" type="application/json">']
    assert " style=" not in html and "<style" not in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "/static/dashboard/vendor/htmx.min.js" in html and "/static/dashboard/queue.js" in html


@pytest.mark.django_db
def test_the_reject_menu_offers_the_sites_own_categories_with_their_labels(moderator: Any, site: Any) -> None:
    from parvis.moderation.policy import save_policy

    save_policy(
        site,
        {
            "categories": {"threat": {"enabled": False}},
            "custom": [{"slug": "valeurs", "label": "Contraire à nos valeurs", "phrases": ["une phrase"]}],
        },
    )
    held(site, "Un commentaire.")
    page = signed_in(moderator).get("/moderate/").content.decode()
    assert 'name="category" value="valeurs"' in page and "Contraire à nos valeurs" in page
    assert 'name="category" value="threat"' not in page


@pytest.mark.django_db
def test_keeping_a_reported_comment_takes_it_off_the_reported_tab_until_someone_reports_it_again(
    moderator: Any, site: Any
) -> None:
    from parvis.moderation.actions import moderate
    from parvis.moderation.models import Action

    comment = held(site, "Signalé à tort.", status=Status.APPROVED)
    Flag.objects.create(comment=comment, reporter_key="r1", reason=FlagReason.ABUSE)
    client = signed_in(moderator)
    assert listed(client.get("/moderate/", {"tab": "reported"})) == [comment.pk]
    moderate(comment, Action.PUBLISH, actor=moderator)
    assert listed(client.get("/moderate/", {"tab": "reported"})) == []
    Flag.objects.create(comment=comment, reporter_key="r2", reason=FlagReason.OFF_TOPIC)
    assert listed(client.get("/moderate/", {"tab": "reported"})) == [comment.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "lang", "direction", "empty"),
    [
        ("fr-FR,fr;q=0.9", "fr", "ltr", "Rien à modérer ici."),
        ("he", "he", "rtl", "אין כאן תגובות לניהול."),
        ("ar-EG,ar;q=0.8,en;q=0.5", "ar", "rtl", "لا شيء للإشراف عليه هنا."),
        ("de-DE,de", "en", "ltr", "Nothing to moderate here."),
    ],
)
def test_the_dashboard_speaks_the_moderators_browser_language(
    moderator: Any, asked: str, lang: str, direction: str, empty: str
) -> None:
    page = signed_in(moderator).get("/moderate/", headers={"Accept-Language": asked})
    html = page.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert empty in html
    assert page["Content-Language"] == lang and "Accept-Language" in page["Vary"]


@pytest.mark.django_db
def test_the_sign_in_page_follows_the_browser_language_and_the_api_does_not(client: Any) -> None:
    answer = client.get("/moderate/login/", headers={"Accept-Language": "he"})
    assert 'dir="rtl"' in answer.content.decode()
    api = client.get("/api/v1/sites/nowhere/thread", {"key": "x"}, headers={"Accept-Language": "he"})
    assert "Content-Language" not in api
