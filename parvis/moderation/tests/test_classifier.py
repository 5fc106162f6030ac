"""The shipped models: they rank abuse above ordinary comments in every language, explain themselves, survive
hostile input, and a damaged weights file is reported by `parvis check` while the engine falls back to rules."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from parvis.moderation import checks, engine
from parvis.moderation.classifier import dataset, stage1, stage2, store
from parvis.moderation.normalise import normalise

# (abusive, ordinary) pairs, written for these tests.
PAIRS = {
    "en": ("You are a stupid idiot, shut up", "Thank you for this clear and useful article"),
    "fr": ("Espèce de connard, tu es vraiment débile", "Merci pour cet article clair et utile"),
    "he": ("אתה אידיוט מטומטם, סתום את הפה", "תודה על הכתבה הברורה והמועילה"),
    "ar": ("انت غبي وحمار، اسكت", "شكرا على هذا المقال الواضح والمفيد"),
}


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Forget loaded weights before and after, so a test that breaks them leaves no trace for the next one."""

    def clear() -> None:
        stage1.reset()
        stage2.heads.cache_clear()
        stage2._stacking.cache_clear()

    clear()
    yield
    clear()


@pytest.fixture
def broken_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None) -> Path:
    """A copy of the shipped weights the test may damage, in place of the real ones."""
    copy = tmp_path / "weights"
    shutil.copytree(store.DIRECTORY, copy)
    monkeypatch.setattr(store, "DIRECTORY", copy)
    return copy


def test_shipped_weights_pass_their_checksums() -> None:
    assert store.problems() == []
    assert checks.check_model_files() == []


@pytest.mark.parametrize("language", sorted(PAIRS))
def test_an_insult_scores_above_an_ordinary_comment_in_each_language(language: str) -> None:
    model = stage1.load()
    assert model is not None
    abusive, ordinary = PAIRS[language]
    bad, good = model.scores([normalise(abusive).text, normalise(ordinary).text])
    assert bad["toxic"] > good["toxic"] + 0.3
    assert bad["insult"] > good["insult"]


def test_spam_scores_high_and_a_comment_low() -> None:
    model = stage1.load()
    assert model is not None
    spam, comment = model.scores(
        [normalise("WIN a FREE iPhone now!!! Text WIN to 80082, click http://bit.ly/prize").text,
         normalise("I disagree with the mayor, the budget figures look wrong to me.").text]
    )  # fmt: skip
    assert spam["spam"] > 0.9 > 0.1 > comment["spam"]


@pytest.mark.parametrize("language", sorted(PAIRS))
def test_the_full_pipeline_ranks_insults_above_ordinary_comments(language: str) -> None:
    abusive, ordinary = PAIRS[language]
    bad = engine.assess(abusive, language=language, full=True)
    good = engine.assess(ordinary, language=language, full=True)
    assert bad.scores["toxic"] >= 0.5 > good.scores["toxic"]
    assert not bad.degraded
    if stage2.available():
        assert "stage2" in bad.stages


def test_explain_points_at_the_insulting_word() -> None:
    model = stage1.load()
    assert model is not None
    key = normalise("Thank you for the article, you idiot").text
    spans = model.explain(key, "insult")
    start, end, weight = spans[0]
    assert key[start:end] == "idiot"
    assert weight > 0
    assert all(w > 0 for _, _, w in spans)
    assert model.explain(key, "no-such-category") == []
    assert model.explain("", "insult") == []


def test_explained_contributions_add_up_to_the_score() -> None:
    """Per-word weights sum (with the bias and cross-word bigrams) to the logit: no word's part is invented."""
    model = stage1.load()
    assert model is not None
    key = normalise("espece de connard").text
    index = model.categories.index("toxic")
    logit = float(model.logits([key])[0, index])
    positive = sum(weight for _, _, weight in model.explain(key, "toxic"))
    assert positive > 0
    assert positive <= logit - float(model.bias[index]) + 1.0


def test_blend_passes_stage_one_through_and_keeps_stage_two_in_range() -> None:
    assert stage2.blend({"stage1": {"toxic": 0.8}}) == {"toxic": 0.8}
    both = stage2.blend({"stage1": {"toxic": 0.9}, "stage2": {"toxic": 0.9}})
    assert 0.5 < both["toxic"] <= 1
    low = stage2.blend({"stage1": {"toxic": 0.1}, "stage2": {"toxic": 0.1}})
    assert low["toxic"] < both["toxic"]
    assert stage2.blend({}) == {}


HOSTILE = {
    "empty": "",
    "whitespace": " \n\t ",
    "100kb": "abcdefghij " * 9_100,
    "one 100kb word": "x" * 100_000,
    "binary": bytes(range(256)).decode("latin-1") * 8,
    "nul": "\x00" * 500,
    "zalgo": "".join(c + "\u0301\u0316\u0337\u0360" * 5 for c in "you idiot"),
    "emoji": "😡🤬💩" * 100,
    "bidi": "\u202eyou are an idiot\u202c \u2066שלום\u2069\u200f",
    "mixed scripts": "Salut שלום مرحبا hello 你好 Привет іdіоt 1d10t i d i o t",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gets_a_decision(name: str) -> None:
    text = HOSTILE[name]
    start = time.perf_counter()
    quick = engine.assess(text)
    elapsed = time.perf_counter() - start
    full = engine.assess(text, full=True)
    for assessment in (quick, full):
        assert not assessment.degraded
        assert all(0.0 <= score <= 1.0 for score in assessment.scores.values())
    # Generous for a loaded CI machine: the budget (15 ms at p95) is measured by bench/moderation_latency.py.
    assert elapsed < 1.0


def test_a_lone_surrogate_is_scored_not_raised() -> None:
    """JSON lets a client send "\\ud800"; the feature hasher needs valid UTF-8."""
    model = stage1.load()
    assert model is not None
    (scores,) = model.scores(["you idiot \ud800"])
    assert scores["insult"] > 0.5
    assert stage2.encode(["you idiot \ud800"]).shape == (1, 384)


def test_a_corrupt_weights_file_fails_the_check_and_degrades_the_engine(broken_weights: Path) -> None:
    file = broken_weights / store.STAGE1
    file.write_bytes(file.read_bytes()[:1000])
    messages = checks.check_model_files()
    assert [message.id for message in messages] == ["parvis.moderation.E001"]
    assert "corrupt" in messages[0].msg and store.STAGE1 in messages[0].msg
    assert stage1.load() is None
    assessment = engine.assess("You are a stupid idiot", language="en")
    assert assessment.degraded
    assert "stage1" not in assessment.stages


def test_missing_weights_fail_the_check_with_the_remedy(broken_weights: Path) -> None:
    (broken_weights / store.STAGE1).unlink()
    messages = checks.check_model_files()
    assert [message.id for message in messages] == ["parvis.moderation.E001"]
    assert "missing" in messages[0].msg
    assert "parvis moderation train" in (messages[0].hint or "")


def test_missing_meta_fails_the_check(broken_weights: Path) -> None:
    (broken_weights / store.META).unlink()
    assert [message.id for message in checks.check_model_files()] == ["parvis.moderation.E001"]
    assert stage1.load() is None


def test_a_corrupt_encoder_head_only_warns_and_the_worker_uses_stage_one(broken_weights: Path) -> None:
    (broken_weights / store.STAGE2).write_bytes(b"not a zip file")
    messages = checks.check_model_files()
    if stage2.encoder_installed():
        assert [message.id for message in messages] == ["parvis.moderation.W001"]
    assert not stage2.available()
    assessment = engine.assess("You are a stupid idiot", language="en", full=True)
    assert assessment.stages == ("rules", "stage1")
    assert not assessment.degraded


def test_the_held_out_split_depends_on_the_text_only() -> None:
    """Duplicated tweets under different ids land on the same side, so they cannot flatter the held-out numbers."""
    first = {"id": "a:1", "source": "a", "text": "Same  TEXT here", "lang": "en", "labels": {}}
    again = {"id": "b:9", "source": "b", "text": "same text here", "lang": "fr", "labels": {}}
    assert dataset.part(first) == dataset.part(again)
    parts = [dataset.part({**first, "text": f"comment number {n}"}) for n in range(2000)]
    assert 0.10 < parts.count("held_out") / len(parts) < 0.20


def test_derived_labels_never_turn_unknown_into_negative() -> None:
    isca = {"source": "isca_as", "labels": {"hate": 1}, "meta": {}}
    mlma_arabs = {"source": "mlma", "labels": {"hate": 1}, "meta": {"group": "arabs", "target": "origin"}}
    mlma_women = {"source": "mlma", "labels": {"hate": 1}, "meta": {"group": "women", "target": "gender"}}
    davidson = {"source": "davidson", "labels": {"hate": 1}, "meta": {}}
    clean = {"source": "davidson", "labels": {"hate": 0}, "meta": {}}
    unlabelled = {"source": "jigsaw_en", "labels": {"hate": None}, "meta": {}}
    assert dataset.label(isca, "antisemitism") == 1
    assert dataset.label(isca, "racism") is None
    assert dataset.label(mlma_arabs, "racism") == 1
    assert dataset.label(mlma_women, "racism") == 0
    assert dataset.label(davidson, "antisemitism") is None
    assert dataset.label(clean, "racism") == 0
    assert dataset.label(unlabelled, "antisemitism") is None
    assert dataset.label(davidson, "hate") == 1
