"""The decision on a posted comment, end to end through the public API: what the author is told, what is stored
for the moderators, and how the site's policy, the commenter's record and the thread's state change it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Status
from parvis.moderation import surge
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action, AuditEntry, Decision, Stage
from parvis.moderation.policy import save_policy
from parvis.threads.models import Thread

# Ordinary comments a news site receives all day, hand-written for these tests.
ORDINARY = [
    ("fr", "Merci pour cet article très clair sur le budget de la ville."),
    ("fr", "Je ne suis pas d'accord avec l'analyse, les chiffres de 2019 étaient différents."),
    ("en", "Thanks for the reporting, the section on housing costs was really useful."),
    ("en", "I disagree with the mayor's plan but the article explains it well."),
    ("he", "תודה על הכתבה, מעניין מאוד לקרוא על התקציב החדש."),
    ("ar", "شكرا على هذا المقال الواضح عن ميزانية المدينة."),
]


def _post(api: Any, body: str, **fields: Any) -> dict[str, Any]:
    answer = api.post_comment(body, **fields)
    assert answer.status_code == 201, answer.content
    return answer.json()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "body"), ORDINARY)
def test_an_ordinary_comment_is_published_with_its_decision_recorded(api: Any, language: str, body: str) -> None:
    posted = _post(api, body)
    assert posted["comment"]["status"] == "approved"
    assert posted["comment"]["moderation"] is None
    decision = Decision.objects.get(comment_id=posted["comment"]["id"])
    assert decision.action == Action.PUBLISH and decision.stage == Stage.SYNC
    assert decision.language == language


@pytest.mark.django_db
def test_a_phone_number_holds_the_comment_and_tells_the_author_why(api: Any) -> None:
    posted = _post(api, "Appelez-moi au 06 12 34 56 78 pour en parler.")
    comment = posted["comment"]
    assert comment["status"] == "pending"
    assert comment["moderation"]["action"] == "hold"
    assert [reason["code"] for reason in comment["moderation"]["reasons"]] == ["personal_data"]
    assert comment["moderation"]["appealable"] is True
    decision = Decision.objects.get(comment_id=comment["id"])
    phone = next(reason for reason in decision.reasons if reason["rule"] == "personal_data.phone")
    start, end = phone["spans"][0]
    assert "Appelez-moi au 06 12 34 56 78 pour en parler."[start:end] == "06 12 34 56 78"
    # Other readers do not see it; its author does, with the reason.
    assert api.thread().json()["comments"] == []
    own = api.get("/thread", {"key": "article-1"}, headers={"Parvis-Own-Tokens": posted["edit_token"]}).json()
    assert own["comments"][0]["moderation"]["reasons"][0]["code"] == "personal_data"


@pytest.mark.django_db
def test_a_filled_honeypot_is_rejected_as_spam_but_stored(api: Any) -> None:
    posted = _post(api, "Super article, merci beaucoup pour ces informations.", honeypot="http://cheap.example")
    assert posted["comment"]["moderation"]["action"] == "spam"
    stored = Comment.objects.get(pk=posted["comment"]["id"])
    assert stored.status == Status.SPAM
    assert stored.body_markdown.startswith("Super article")
    assert Thread.objects.get().comment_count == 0


@pytest.mark.django_db
def test_speed_alone_is_only_noted_but_tips_a_doubtful_comment_into_review(api: Any) -> None:
    # People paste and send quickly; a bot that also hides where its link leads is another matter.
    quick = _post(api, "Un avis réfléchi sur la question des transports en commun.", seconds_to_submit=0.3)
    assert quick["comment"]["status"] == "approved"
    decision = Decision.objects.get(comment_id=quick["comment"]["id"])
    assert any(reason["rule"] == "behaviour.too_fast" for reason in decision.reasons)
    both = _post(api, "Tout est expliqué ici : bit.ly/3xYz", seconds_to_submit=0.3, name="Bot")
    assert both["comment"]["status"] == "pending"
    assert [reason["code"] for reason in both["comment"]["moderation"]["reasons"]] == ["spam"]


@pytest.mark.django_db
def test_the_same_long_text_pasted_under_several_articles_becomes_spam(api: Any) -> None:
    text = "Découvrez la vérité que les médias vous cachent sur ce sujet, tout est expliqué sur mon blog personnel"
    actions = []
    for number in range(5):
        variant = text + ("" if number % 2 else " !")
        actions.append(_post(api, variant, key=f"article-{number}", name=f"N{number}")["comment"])
    assert actions[0]["status"] == "approved"
    last = Decision.objects.get(comment_id=actions[-1]["id"])
    assert any(reason["rule"] == "behaviour.copies" for reason in last.reasons)
    assert last.action in (Action.HOLD, Action.SPAM)


@pytest.mark.django_db
def test_pre_moderation_holds_everyone_but_trusted_commenters(api_for: Any, premod_site: Any) -> None:
    api = api_for(premod_site)
    first = _post(
        api, "Bonjour, voici mon premier avis sur le sujet.", author={"name": "Léa", "email": "lea@example.org"}
    )
    assert first["comment"]["moderation"]["reasons"][0]["code"] == "premoderation"
    commenter = Commenter.objects.get(email="lea@example.org")
    for comment in Comment.objects.filter(commenter=commenter):
        moderate(comment, Action.PUBLISH)
    for number in range(2):
        later = _post(
            api,
            f"Encore un avis, le numéro {number + 2}, sur ce sujet.",
            author={"name": "Léa", "email": "lea@example.org"},
        )
        moderate(Comment.objects.get(pk=later["comment"]["id"]), Action.PUBLISH)
    trusted = _post(
        api, "Et un quatrième avis, publié directement.", author={"name": "Léa", "email": "lea@example.org"}
    )
    assert trusted["comment"]["status"] == "approved"
    stranger = _post(
        api, "Un avis d'une autre personne sur ce sujet.", author={"name": "Max", "email": "max@example.org"}
    )
    assert stranger["comment"]["status"] == "pending"


@pytest.mark.django_db
def test_a_policy_holding_first_comments_holds_only_newcomers(api: Any, site: Any) -> None:
    save_policy(site, {"hold_first_time": True})
    first = _post(
        api, "Premier commentaire de ma part sur ce site.", author={"name": "Zoé", "email": "zoe@example.org"}
    )
    assert first["comment"]["moderation"]["reasons"][0]["code"] == "first_comment"
    moderate(Comment.objects.get(pk=first["comment"]["id"]), Action.PUBLISH)
    second = _post(
        api, "Deuxième commentaire, publié sans attendre.", author={"name": "Zoé", "email": "zoe@example.org"}
    )
    assert second["comment"]["status"] == "approved"


@pytest.mark.django_db
def test_a_custom_category_holds_comments_matching_its_phrases(api: Any, site: Any) -> None:
    save_policy(
        site,
        {"custom": [{"slug": "shabbat", "label": "Contre les valeurs du shabbat", "phrases": ["ouvrez le samedi"]}]},
    )
    posted = _post(api, "À mon avis les commerces devraient ouvrez le samedi, comme ailleurs.")
    moderation = posted["comment"]["moderation"]
    assert moderation["reasons"] == [{"code": "shabbat", "label": "Contre les valeurs du shabbat"}]


@pytest.mark.django_db
def test_editing_a_published_comment_into_personal_data_takes_it_down(api: Any) -> None:
    posted = _post(api, "Un avis tout à fait ordinaire sur la politique locale.")
    assert posted["comment"]["status"] == "approved"
    edited = api.send(
        "patch",
        f"/comments/{posted['comment']['id']}",
        {"body": "Écrivez-moi : jean.dupont@example.org"},
        headers={"Parvis-Edit-Token": posted["edit_token"]},
    )
    assert edited.status_code == 200
    assert edited.json()["status"] == "pending"
    assert edited.json()["moderation"]["reasons"][0]["code"] == "personal_data"
    assert Thread.objects.get().comment_count == 0
    assert Decision.objects.filter(comment_id=posted["comment"]["id"]).count() == 2


@pytest.mark.django_db
def test_an_author_can_appeal_once_and_the_appeal_needs_the_edit_token(api: Any) -> None:
    posted = _post(api, "Mon numéro : 06 12 34 56 78")
    path = f"/comments/{posted['comment']['id']}/appeal"
    wrong = api.send("post", path, {"message": "Pourquoi ?"}, headers={"Parvis-Edit-Token": "nope"})
    assert wrong.status_code == 403 and wrong.json()["code"] == "edit_token_invalid"
    first = api.send(
        "post", path, {"message": "C'est le numéro de la mairie."}, headers={"Parvis-Edit-Token": posted["edit_token"]}
    )
    assert first.status_code == 201
    own = api.get("/thread", {"key": "article-1"}, headers={"Parvis-Own-Tokens": posted["edit_token"]}).json()
    assert own["comments"][0]["moderation"]["appealed"] is True
    assert own["comments"][0]["moderation"]["appealable"] is False
    assert AuditEntry.objects.filter(action="comment.appealed").count() == 1


@pytest.mark.django_db
def test_a_published_comment_cannot_be_appealed(api: Any) -> None:
    posted = _post(api, "Un commentaire publié, rien à contester ici.")
    answer = api.send(
        "post", f"/comments/{posted['comment']['id']}/appeal", {}, headers={"Parvis-Edit-Token": posted["edit_token"]}
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "nothing_to_appeal"


@pytest.mark.django_db
def test_a_flooded_thread_switches_to_pre_moderation_and_back_when_calm(
    api: Any, site: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("desk", "desk@news.example", is_staff=True)
    save_policy(site, {"surge": {"comments": 4, "window_minutes": 10, "calm_minutes": 10}})
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(4):
            _post(api, f"Réaction numéro {number} à la nouvelle du jour.", name=f"R{number}")
    thread = Thread.objects.get()
    assert thread.surge_since is not None
    assert AuditEntry.objects.filter(action="surge.started", thread=thread).exists()
    assert [message.to for message in mailoutbox] == [["desk@news.example"]]
    held = _post(api, "Une réaction de plus pendant la vague.", name="R9")
    assert held["comment"]["moderation"]["reasons"][0]["code"] == "surge"
    # Still surging: the check looks again later.
    assert surge.calm(thread.pk) is False
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=45))
    assert surge.calm(thread.pk) is True
    assert Thread.objects.get().surge_since is None
    assert AuditEntry.objects.filter(action="surge.ended", thread=thread).exists()


# The real task worker commits and reconnects as it goes: these tests run outside a wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_an_unsure_first_stage_asks_the_worker_for_a_second_opinion(api: Any, site: Any) -> None:
    # Personal data scores 0.9: with these thresholds it falls in the review band.
    save_policy(site, {"categories": {"personal_data": {"threshold": 0.95, "review_at": 0.5, "action": "hold"}}})
    posted = _post(api, "Vous pouvez joindre l'association au 01 23 45 67 89.")
    assert posted["comment"]["status"] == "pending"
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    stages = list(
        Decision.objects.filter(comment_id=posted["comment"]["id"]).order_by("pk").values_list("stage", flat=True)
    )
    assert stages == [Stage.SYNC, Stage.ASYNC]
    # Still unsure with both stages: it waits for a person.
    assert Comment.objects.get(pk=posted["comment"]["id"]).status == Status.PENDING
