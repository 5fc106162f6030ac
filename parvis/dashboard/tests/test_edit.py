"""A moderator edits or redacts a comment's text (`e`): readers get the new text with a visible "edited by the
moderation" mark, the audit log keeps the text before and after, and an edit made from a stale view is refused."""

from __future__ import annotations

from typing import Any

import pytest

from parvis.comments.actions.moderator_edit import REDACTION_MARK, text_version
from parvis.comments.models import Status
from parvis.dashboard.tests.conftest import held, signed_in
from parvis.moderation.models import AuditEntry

HX = {"HX-Request": "true"}


def save(client: Any, comment: Any, body: str, seen: str | None = None) -> Any:
    data = {"body": body, "seen": seen if seen is not None else text_version(comment.body_markdown)}
    return client.post(f"/moderate/comments/{comment.pk}/edit", data, headers=HX)


@pytest.mark.django_db
def test_the_editor_holds_the_comments_markdown_and_its_version(moderator: Any, site: Any) -> None:
    comment = held(site, "Appelez le **06 12 34 56 78** <ce soir>.")
    form = signed_in(moderator).get(f"/moderate/comments/{comment.pk}/edit", headers=HX).content.decode()
    assert "Appelez le **06 12 34 56 78** &lt;ce soir&gt;.</textarea>" in form
    assert f'name="seen" value="{text_version(comment.body_markdown)}"' in form
    assert f'data-mark="{REDACTION_MARK}"' in form and "Redact the selection" in form


@pytest.mark.django_db
def test_a_redaction_changes_what_readers_get_and_shows_the_mark(
    moderator: Any, site: Any, api: Any, client: Any
) -> None:
    comment = held(site, "Appelez Marc au 06 12 34 56 78, il sait tout.", status=Status.APPROVED)
    untouched = held(site, "Un autre avis.", status=Status.APPROVED)
    answer = save(signed_in(moderator), comment, f"Appelez Marc au {REDACTION_MARK}, il sait tout.")
    assert answer.status_code == 200
    assert "edited by the moderation" in answer.content.decode()
    published = {c["id"]: c for c in api.thread().json()["comments"]}
    assert published[comment.pk]["html"] == '<p dir="auto">Appelez Marc au […], il sait tout.</p>'
    assert published[comment.pk]["moderator_edited"] is True
    assert published[untouched.pk]["moderator_edited"] is False
    page = client.get("/t/news/", {"key": "article-1"}).content.decode()
    assert "06 12 34 56 78" not in page and "Appelez Marc au […]" in page
    assert page.count("(modifié par la modération)") == 1  # the thread page, in the site's French
    comment.refresh_from_db()
    assert comment.moderator_edited_by == moderator and comment.moderator_edited_at is not None


@pytest.mark.django_db
def test_the_audit_entry_holds_the_text_before_and_after(moderator: Any, site: Any) -> None:
    comment = held(site, "Il habite 3 rue des Lilas.")
    save(signed_in(moderator), comment, "Il habite […].")
    entry = AuditEntry.objects.get(comment=comment, action="comment.moderator_edit")
    assert entry.actor == moderator and entry.actor_label == "mona"
    assert entry.details == {"before": "Il habite 3 rue des Lilas.", "after": "Il habite […].", "redacted": True}


@pytest.mark.django_db
def test_the_new_text_is_rendered_and_sanitised_like_any_comment(moderator: Any, site: Any) -> None:
    comment = held(site, "Avant.")
    save(signed_in(moderator), comment, "**Gras** <script>alert(1)</script> [lien](javascript:alert(1))")
    comment.refresh_from_db()
    assert "<script" not in comment.body_html and "href" not in comment.body_html  # the link stays text
    assert comment.body_html.startswith('<p dir="auto"><strong>Gras</strong> &lt;script&gt;')


@pytest.mark.django_db
def test_an_edit_from_a_stale_editor_is_refused_with_409_and_writes_nothing(moderator: Any, site: Any) -> None:
    comment = held(site, "Version lue par la modératrice.")
    seen = text_version(comment.body_markdown)
    # The author edits meanwhile.
    comment.body_markdown = "Version corrigée par l'auteur."
    comment.save(update_fields=["body_markdown"])
    answer = save(signed_in(moderator), comment, "Version de la modératrice.", seen=seen)
    assert answer.status_code == 409
    html = answer.content.decode()
    assert "the text changed since you opened the editor" in html and "Version corrigée par l&#x27;auteur." in html
    comment.refresh_from_db()
    assert comment.body_markdown == "Version corrigée par l'auteur." and comment.moderator_edited_at is None
    assert not AuditEntry.objects.filter(action="comment.moderator_edit").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status"),
    [({"body": "   ", "seen": "x"}, 422), ({"seen": "x"}, 400), ({"body": "Texte"}, 400)],
)
def test_an_empty_or_incomplete_edit_gets_a_clear_4xx(moderator: Any, site: Any, data: Any, status: int) -> None:
    comment = held(site, "Texte.")
    if data.get("seen") == "x":
        data = {**data, "seen": text_version(comment.body_markdown)}
    answer = signed_in(moderator).post(f"/moderate/comments/{comment.pk}/edit", data, headers=HX)
    assert answer.status_code == status and answer.content
    comment.refresh_from_db()
    assert comment.body_markdown == "Texte."


@pytest.mark.django_db
def test_an_unchanged_text_is_not_an_edit(moderator: Any, site: Any, api: Any) -> None:
    comment = held(site, "Rien à redire.", status=Status.APPROVED)
    assert save(signed_in(moderator), comment, "Rien à redire.").status_code == 200
    comment.refresh_from_db()
    assert comment.moderator_edited_at is None
    assert api.thread().json()["comments"][0]["moderator_edited"] is False
    assert not AuditEntry.objects.filter(action="comment.moderator_edit").exists()


@pytest.mark.django_db
def test_without_javascript_saving_goes_back_to_the_queue(moderator: Any, site: Any) -> None:
    comment = held(site, "Texte.")
    data = {"body": "Texte revu.", "seen": text_version(comment.body_markdown)}
    answer = signed_in(moderator).post(f"/moderate/comments/{comment.pk}/edit", data)
    assert answer.status_code == 303 and answer["Location"] == "/moderate/"
    comment.refresh_from_db()
    assert comment.body_markdown == "Texte revu."
