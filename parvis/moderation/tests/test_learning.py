"""A site's own model: moderators' decisions change later decisions, new versions are promoted only when they do
at least as well, and an earlier version can be put back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from parvis.comments.models import Comment
from parvis.moderation import learning
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action, AuditEntry, Decision, Example, SiteModel, SiteModelState

# "Glorbnik" is a made-up insult: no shipped lexicon or model knows it, only this newsroom's moderators do.
# Hand-written for this test.
INSULTING = [
    "Ce ministre est un vrai glorbnik, comme toujours.",
    "Quel glorbnik ce journaliste, il n'a rien compris.",
    "Les glorbniks de la mairie ont encore frappé.",
    "Tu es un glorbnik de première, retourne lire l'article.",
    "Seul un glorbnik peut écrire une chose pareille.",
    "Bande de glorbniks, vous ne savez pas lire.",
    "Ce député glorbnik devrait démissionner.",
    "Encore un article écrit par un glorbnik.",
    "Glorbnik un jour, glorbnik toujours.",
    "Arrête de faire le glorbnik dans les commentaires.",
    "Le maire est un glorbnik fini.",
    "Voilà ce qui arrive quand on écoute des glorbniks.",
]
ORDINARY = [
    "Merci pour cet article très complet sur les transports.",
    "Je trouve que la mairie a raison sur ce dossier.",
    "Les chiffres du chômage sont encourageants ce mois-ci.",
    "Article intéressant, j'aimerais en savoir plus sur le financement.",
    "La réunion publique aura lieu jeudi prochain à la salle des fêtes.",
    "Bravo aux bénévoles de l'association pour leur travail.",
    "Je ne suis pas d'accord mais l'analyse est honnête.",
    "Le nouveau tramway change vraiment la vie du quartier.",
    "Il faudrait aussi parler des écoles dans ce budget.",
    "Très bon reportage, les photos sont magnifiques.",
    "Les commerçants attendent des précisions sur les travaux.",
    "Une bonne nouvelle pour les familles de la ville.",
]


def _post(api: Any, body: str, number: int) -> dict[str, Any]:
    """A comment from reader ``number``, each from their own address (one address posting this much is a flood)."""
    key = f"article-{number % 4}"
    payload = {"thread": {"key": key, "url": f"https://news.example/{key}"}, "body": body,
               "author": {"name": f"Lecteur {number}"}}  # fmt: skip
    answer = api.send("post", "/comments", payload, REMOTE_ADDR=f"10.0.{number // 256}.{number % 256}")
    assert answer.status_code == 201, answer.content
    return answer.json()["comment"]


def _insult_score(comment_id: int) -> float:
    return Decision.objects.filter(comment_id=comment_id).order_by("pk").first().scores["insult"]  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_moderators_rejecting_a_new_insult_teach_the_site_model_to_hold_it(api: Any, site: Any) -> None:
    before = _post(api, "Franchement, quel glorbnik cet adjoint au maire.", 100)
    assert before["status"] == "approved"
    for number, (insult, ordinary) in enumerate(zip(INSULTING, ORDINARY, strict=True)):
        moderate(Comment.objects.get(pk=_post(api, insult, 2 * number)["id"]), Action.REJECT, category="insult")
        moderate(Comment.objects.get(pk=_post(api, ordinary, 2 * number + 1)["id"]), Action.PUBLISH)
    assert Example.objects.filter(site=site).count() == len(INSULTING) + len(ORDINARY)
    # The real task worker runs the training jobs the decisions enqueued.
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    active = SiteModel.objects.get(site=site, state=SiteModelState.ACTIVE)
    assert active.metrics["held_out"] > 0
    after = _post(api, "Franchement, quel glorbnik cet adjoint au maire.", 101)
    assert _insult_score(after["id"]) > _insult_score(before["id"]) + 0.3
    assert after["status"] != "approved"
    assert Decision.objects.get(comment_id=after["id"]).site_model_version == active.version
    # Ordinary comments are still published.
    assert _post(api, "Merci pour ce reportage sur le marché de Noël.", 102)["status"] == "approved"
    assert AuditEntry.objects.filter(site=site, action="site_model.promoted").exists()


def test_an_untrained_site_model_changes_nothing() -> None:
    model = learning.LearntModel({})
    scores = {"insult": 0.2, "spam": 0.7}
    assert model.adjust("quel glorbnik", scores) == scores


def test_a_site_model_survives_being_stored_and_loaded() -> None:
    model = learning.LearntModel({})
    model.train([("quel glorbnik", {"insult": 0.1}, {"insult": 1}), ("merci beaucoup", {"insult": 0.1}, {"insult": 0})])
    again = learning.LearntModel.loads(model.dumps())
    assert again.adjust("quel glorbnik", {"insult": 0.1}) == model.adjust("quel glorbnik", {"insult": 0.1})


@pytest.mark.django_db
def test_rollback_puts_the_previous_version_back_and_is_audited(site: Any) -> None:
    for number in range(2):
        model = learning.LearntModel({})
        SiteModel.objects.create(
            site=site, version=number + 1, state=SiteModelState.RETIRED if number == 0 else SiteModelState.ACTIVE,
            weights=model.dumps(),
        )  # fmt: skip
    restored = learning.rollback(site)
    assert restored is not None and restored.version == 1
    assert SiteModel.objects.get(site=site, state=SiteModelState.ACTIVE).version == 1
    assert learning.rollback(site) is None
    assert not SiteModel.objects.filter(site=site, state=SiteModelState.ACTIVE).exists()
    assert AuditEntry.objects.filter(site=site, action="site_model.rollback").count() == 2
    with pytest.raises(ValueError, match="no model version 9"):
        learning.rollback(site, 9)


@pytest.mark.django_db
def test_a_version_that_scores_worse_on_held_out_decisions_is_refused(site: Any) -> None:
    # Held-out examples (every fifth id) say "glorbnik" is fine; the training examples say it is an insult.
    for number in range(1, 41):
        held_out = number % learning.HELD_OUT_EVERY == 0
        Example.objects.create(
            pk=number, site=site, key="quel glorbnik" if number % 2 else "merci bien", language="fr",
            labels={"insult": int(not held_out) if number % 2 else int(held_out)}, base={"insult": 0.3},
        )  # fmt: skip
    version = learning.learn(site)
    assert version is not None
    assert version.state == SiteModelState.REFUSED
    assert learning.active_site_model(site) is None


@pytest.mark.django_db
def test_undoing_an_approval_takes_back_what_it_taught(api: Any, site: Any) -> None:
    comment = Comment.objects.get(pk=_post(api, "Un avis ordinaire sur le budget.", 1)["id"])
    moderate(comment, Action.PUBLISH)
    assert Example.objects.filter(comment=comment).count() == 1
    moderate(comment, Action.HOLD, note="undo")
    assert not Example.objects.filter(comment=comment).exists()
    moderate(comment, Action.REJECT, category="insult")
    assert Example.objects.get(comment=comment).labels["insult"] == 1
