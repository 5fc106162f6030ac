"""A site's block and allow lists change what the pipeline decides: a blocked word holds or rejects with a reason
naming the entry, an allowed domain's links and an allowed word no longer count, a pattern that would backtrack is
refused on save and can never stall a post."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.moderation import lists
from parvis.moderation.models import AuditEntry, Decision, ListEntry
from parvis.moderation.normalise import normalise
from parvis.moderation.pipeline import Sending, assess_text, decide
from parvis.moderation.rules import lists as rule


def verdict(site: Site, text: str) -> Any:
    return decide(site, assess_text(site, text, language="fr"), Sending(), thread=None, commenter_id=None)


def add(site: Site, superuser: Any, **fields: str) -> ListEntry:
    return lists.add_entry(superuser, site, lists.clean(site, fields))


@pytest.fixture
def boss(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(username="boss", password="a long enough password")


@pytest.mark.django_db
def test_a_blocked_word_holds_the_comment_with_a_reason_naming_the_entry_and_its_place(site: Site, boss: Any) -> None:
    text = "Le maire est un vrai GROS NUUUL, franchement."
    assert verdict(site, text).action == "publish"
    entry = add(site, boss, kind="block", match="word", value="gros nul", action="hold")
    held = verdict(site, text)
    assert held.action == "hold" and held.categories == ("site_list",)
    [reason] = [r for r in held.reasons if r["rule"].startswith("lists.")]
    assert f"entry #{entry.pk}" in reason["reason"] and "gros nul" in reason["reason"]
    [(start, end)] = reason["spans"]
    assert text[start:end] == "GROS NUUUL"


@pytest.mark.django_db
def test_a_blocked_word_is_found_however_it_is_disguised(site: Site, boss: Any) -> None:
    add(site, boss, kind="block", match="word", value="baltringue", action="reject", category="insult")
    rejected = verdict(site, "Quel b4ltr1ngue ce ministre.")
    assert rejected.action == "reject" and rejected.categories == ("insult",)


@pytest.mark.django_db
def test_a_reject_entry_rejects_even_a_trusted_comment_and_the_api_tells_the_author_the_category(
    site: Site, boss: Any, api: Any
) -> None:
    add(site, boss, kind="block", match="link", value="https://www.casino-gagnant.example/", action="reject",
        category="spam")  # fmt: skip
    answer = api.post_comment("Gagnez gros sur http://promo.casino-gagnant.example/bonus maintenant")
    assert answer.status_code == 201
    comment = answer.json()["comment"]
    assert comment["status"] == "removed"
    assert [r["code"] for r in comment["moderation"]["reasons"]] == ["spam"]
    decision = Decision.objects.get(comment_id=comment["id"])
    assert any("casino-gagnant.example" in r["reason"] for r in decision.reasons)


@pytest.mark.django_db
def test_an_allowed_domain_is_no_longer_counted_as_links(site: Site, boss: Any) -> None:
    text = "Sources: https://news.example/a https://www.news.example/b https://archives.news.example/c"
    before = verdict(site, text)
    assert any(r["rule"] == "links.many" for r in before.reasons)
    add(site, boss, kind="allow", match="link", value="news.example")
    after = verdict(site, text)
    assert not any(r["rule"].startswith("links.") for r in after.reasons)
    assert after.scores.get("spam", 0) < before.scores["spam"]


@pytest.mark.django_db
def test_an_allowed_word_is_exempt_from_the_lexicon_but_the_same_insult_elsewhere_still_counts(
    site: Site, boss: Any
) -> None:
    insult = [r for r in verdict(site, "Espèce de connard.").reasons if r["rule"].startswith("lexicon.")]
    assert insult
    add(site, boss, kind="allow", match="word", value="Connard-sur-Mer")  # a (made-up) place name
    place = verdict(site, "Le marché de Connard-sur-Mer rouvre samedi.")
    assert not [r for r in place.reasons if r["rule"].startswith("lexicon.")]
    still = verdict(site, "Espèce de connard.")
    assert [r for r in still.reasons if r["rule"].startswith("lexicon.")]


@pytest.mark.django_db
def test_a_blocked_pattern_matches_the_text_as_written(site: Site, boss: Any) -> None:
    add(site, boss, kind="block", match="regex", value=r"\bcode\s+promo\s+[A-Z0-9]{4,}\b", action="hold")
    text = "Utilisez le code promo XK2026 !"
    held = verdict(site, text)
    assert held.action == "hold"
    [reason] = [r for r in held.reasons if r["rule"].startswith("lists.")]
    [(start, end)] = reason["spans"]
    assert text[start:end] == "code promo XK2026"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "pattern, message",
    [
        (r"(a+)+$", "repetition inside a repetition"),
        (r"(\w+\s?)*$", "repetition inside a repetition"),
        (r"(x+x+)+y", "repetition inside a repetition"),
        (r"(a|aa)+$", "takes too long"),
        (r"(a|a)+$", "takes too long"),
        ("a" * 201, "at most 200"),
        (r"(unclosed", "not a valid regular expression"),
        (r"x*", "empty text"),
    ],
)
def test_a_pattern_that_could_stall_posting_is_refused_on_save(site: Site, pattern: str, message: str) -> None:
    with pytest.raises(lists.ListError) as refused:
        lists.clean(site, {"kind": "block", "match": "regex", "value": pattern, "action": "hold"})
    assert message in refused.value.message
    assert not ListEntry.objects.exists()


@pytest.mark.django_db
def test_a_slow_pattern_already_stored_is_cut_short_and_logged_never_stalling_a_post(
    site: Site, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Stored without the checks of `clean` (as an older version or a database edit could have).
    slow = ListEntry.objects.create(site=site, kind="block", match="regex", value=r"(a|aa)+$", action="reject")
    with caplog.at_level(logging.WARNING, logger="parvis.moderation.rules.lists"):
        answer = api.post_comment("a" * 3000 + "!")
    assert answer.status_code == 201
    assert answer.json()["comment"]["status"] != "rejected"
    assert f"list entry #{slow.pk} took too long" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": "block", "match": "word", "value": "idiot", "action": "publish"}, "action"),
        ({"kind": "block", "match": "word", "value": "idiot", "action": "hold", "category": "nonsense"}, "category"),
        ({"kind": "block", "match": "word", "value": "!!! ???", "action": "hold"}, "value"),
        ({"kind": "block", "match": "link", "value": "not a domain", "action": "hold"}, "value"),
        ({"kind": "allow", "match": "regex", "value": "abc"}, "match"),
        ({"kind": "maybe", "match": "word", "value": "abc"}, "kind"),
        ({"kind": "block", "match": "word", "value": "", "action": "hold"}, "value"),
        ({"kind": "block", "match": "word", "value": "a\x00b", "action": "hold"}, "value"),
    ],
)
def test_an_entry_that_cannot_work_is_refused_naming_its_field(site: Site, fields: dict[str, str], field: str) -> None:
    with pytest.raises(lists.ListError) as refused:
        lists.clean(site, fields)
    assert refused.value.field == field


@pytest.mark.django_db
def test_adding_and_removing_entries_is_audited_and_takes_effect_for_the_next_comment(site: Site, boss: Any) -> None:
    entry = add(site, boss, kind="block", match="word", value="bouffon", action="hold", note="campagne du 3 mai")
    assert verdict(site, "Quel bouffon.").action == "hold"
    added = AuditEntry.objects.get(action="list.add")
    assert added.actor == boss and added.details["before"] is None and added.details["after"]["value"] == "bouffon"
    lists.remove_entry(boss, entry)
    assert verdict(site, "Quel bouffon.").action == "publish"
    removed = AuditEntry.objects.get(action="list.remove")
    assert removed.details["before"]["note"] == "campagne du 3 mai" and removed.details["after"] is None
    add(site, boss, kind="block", match="word", value="bouffon", action="hold")
    with pytest.raises(lists.ListError) as twice:
        add(site, boss, kind="block", match="word", value="bouffon", action="hold")
    assert "already on the list" in twice.value.message


@pytest.mark.django_db
def test_the_compiled_lists_are_kept_until_the_sites_entries_change(site: Site, boss: Any) -> None:
    add(site, boss, kind="block", match="word", value="bouffon", action="hold")
    first = lists.for_site(site)
    assert lists.for_site(site) is first
    # An entry written by another process (no `forget` here) is seen all the same.
    ListEntry.objects.create(site=site, kind="block", match="word", value="guignol", action="hold")
    second = lists.for_site(site)
    assert second is not first and second is not None
    assert rule.check("Un guignol.", normalise("Un guignol."), second)


@pytest.mark.django_db
def test_the_preview_counts_what_the_draft_would_match_and_saves_nothing(site: Site, boss: Any) -> None:
    from parvis.dashboard.tests.conftest import held

    for number in range(12):
        held(site, f"Commentaire {number} sur le tramway." if number % 3 else f"Commentaire {number}, rien.")
    draft = lists.clean(site, {"kind": "block", "match": "word", "value": "tramway", "action": "hold"})
    found = lists.preview(site, draft)
    assert found.scanned == 12
    assert found.caught == Comment.objects.filter(body_markdown__contains="tramway").count() == 8
    assert len(found.samples) == 8 and all("<mark" in sample.text for sample in found.samples)
    assert not ListEntry.objects.exists()


@pytest.mark.django_db
def test_the_admin_lists_a_sites_entries_and_removing_one_there_is_audited_and_lifts_it(
    site: Site, boss: Any, client: Any
) -> None:
    entry = add(site, boss, kind="block", match="word", value="bouffon", action="hold")
    admin = client
    admin.force_login(boss)
    listing = admin.get("/admin/moderation/listentry/").content.decode()
    assert "bouffon" in listing
    # Entries are added where the test box is; the admin offers no add form.
    assert admin.get("/admin/moderation/listentry/add/").status_code == 403
    answer = admin.post(
        "/admin/moderation/listentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
        follow=True,
    )
    assert answer.status_code == 200 and not ListEntry.objects.filter(pk=entry.pk).exists()
    assert AuditEntry.objects.get(action="list.remove").details["before"]["value"] == "bouffon"
    assert verdict(site, "Quel bouffon.").action == "publish"
