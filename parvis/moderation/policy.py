"""A site's moderation policy as configuration: per category a threshold and an action, the newsroom's own
categories, who skips the queue, and when a thread switches itself to pre-moderation.

The policy is stored as JSON (`Policy.config`, one row per version) and read through `PolicyConfig.parse`,
which fills defaults and refuses anything malformed with a message naming the field — the admin form and
the dashboard show that message as is. Every save is a new version: decisions record the version that made them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import regex
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parvis.core.models import Site
from parvis.moderation.categories import Category
from parvis.moderation.engine import CustomCategory
from parvis.moderation.models import Action, AuditEntry, Policy

# What the author of a comment is told, per category, in their language (gettext; the widget has its own table).
CATEGORY_LABELS = {
    Category.SPAM: gettext_noop("spam or advertising"),
    Category.TOXIC: gettext_noop("hostile or vulgar language"),
    Category.INSULT: gettext_noop("insults"),
    Category.HATE: gettext_noop("hate speech"),
    Category.ANTISEMITISM: gettext_noop("antisemitism"),
    Category.RACISM: gettext_noop("racism"),
    Category.THREAT: gettext_noop("threats"),
    Category.DEFAMATION: gettext_noop("accusations against a named person that may be defamatory"),
    Category.PERSONAL_DATA: gettext_noop("personal data (phone numbers, email or postal addresses)"),
    Category.LINKS: gettext_noop("links"),
}
# Codes that are no category of the policy but are told to authors all the same.
OTHER_LABELS = {
    "site_list": gettext_noop("the words and links this site does not publish"),
    # A guest's comment waiting for them to confirm their email (parvis.comments.actions.post).
    "email_unconfirmed": gettext_noop("your email address is not confirmed yet"),
}
_SLUG = regex.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_CUSTOM = 20
MAX_PHRASES = 200
MAX_EXAMPLES = 100


class PolicyError(ValueError):
    """A policy config that cannot be used; ``field`` names where (e.g. ``categories.spam.threshold``)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class Rule:
    """At ``threshold`` or above, ``action``; from ``review_at`` up to the threshold, hold for a person to look
    (the band where the first stage is unsure and the second opinion runs)."""

    threshold: float
    action: Action
    review_at: float | None = None
    enabled: bool = True

    @property
    def operating_threshold(self) -> float:
        """The score from which a comment is no longer published straight away."""
        return min(self.threshold, self.review_at) if self.review_at is not None else self.threshold


@dataclass(frozen=True)
class CustomRule:
    slug: str
    label: str
    description: str = ""
    phrases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    threshold: float = 0.7
    action: Action = Action.HOLD

    @property
    def category(self) -> CustomCategory:
        return CustomCategory(self.slug, self.label, self.phrases, self.examples)


@dataclass(frozen=True)
class Surge:
    """A raid or a breaking story: many comments in a short time, or a large share of them held."""

    enabled: bool = True
    window_minutes: int = 10
    # Switch the thread to pre-moderation when, within the window, it receives this many comments...
    comments: int = 60
    # ...or this share of its (at least `min_comments`) comments is held or rejected.
    held_share: float = 0.5
    min_comments: int = 8
    # Switch back after this long without the condition.
    calm_minutes: int = 30


@dataclass(frozen=True)
class Velocity:
    """One person posting fast is a bot or a flood: comments per hashed IP or commenter within a window."""

    window_minutes: int = 10
    per_ip: int = 8
    per_commenter: int = 8
    # Near-duplicates of the same text on other threads within a day before it counts as a campaign.
    duplicates: int = 3
    # A comment written and sent faster than this (seconds since the form was opened) looks automated.
    min_seconds_to_submit: float = 2.0


@dataclass(frozen=True)
class PolicyConfig:
    categories: dict[str, Rule]
    custom: tuple[CustomRule, ...] = ()
    # Hold every comment from someone with no approved comment yet.
    hold_first_time: bool = False
    # Commenters with this many approved comments and none rejected skip pre-moderation and the review band.
    trusted_after: int = 3
    surge: Surge = field(default_factory=Surge)
    velocity: Velocity = field(default_factory=Velocity)

    def rule(self, category: str) -> Rule | None:
        if category in self.categories:
            return self.categories[category]
        for custom in self.custom:
            if custom.slug == category:
                return Rule(custom.threshold, custom.action, None)
        return None

    def label(self, category: str) -> str:
        if category in CATEGORY_LABELS:
            return _(CATEGORY_LABELS[Category(category)])
        if category in OTHER_LABELS:
            return _(OTHER_LABELS[category])
        return next((custom.label for custom in self.custom if custom.slug == category), category)

    @property
    def custom_categories(self) -> tuple[CustomCategory, ...]:
        return tuple(custom.category for custom in self.custom)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["custom"] = [asdict(custom) for custom in self.custom]
        return data

    @classmethod
    def parse(cls, data: Any) -> PolicyConfig:
        if not isinstance(data, dict):
            raise PolicyError("config", "must be an object")
        default = default_config()
        categories = dict(default.categories)
        raw_categories = data.get("categories", {})
        if not isinstance(raw_categories, dict):
            raise PolicyError("categories", "must be an object")
        for name, raw in raw_categories.items():
            if name not in categories:
                raise PolicyError(f"categories.{name}", f"unknown category; known: {', '.join(categories)}")
            categories[name] = _rule(f"categories.{name}", raw, categories[name])
        raw_custom = data.get("custom", [])
        if not isinstance(raw_custom, list) or len(raw_custom) > MAX_CUSTOM:
            raise PolicyError("custom", f"must be a list of at most {MAX_CUSTOM} categories")
        custom = tuple(_custom(f"custom.{index}", raw) for index, raw in enumerate(raw_custom))
        slugs = [rule.slug for rule in custom]
        if len(set(slugs)) != len(slugs) or set(slugs) & set(categories):
            raise PolicyError("custom", "each custom category needs its own slug, different from the built-in ones")
        return cls(
            categories=categories,
            custom=custom,
            hold_first_time=_boolean("hold_first_time", data.get("hold_first_time", default.hold_first_time)),
            trusted_after=_integer("trusted_after", data.get("trusted_after", default.trusted_after), 0, 10_000),
            surge=_section("surge", data.get("surge", {}), default.surge),
            velocity=_section("velocity", data.get("velocity", {}), default.velocity),
        )


def _score(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise PolicyError(name, "must be a number between 0 and 1")
    return float(value)


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(name, "must be true or false")
    return value


def _integer(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PolicyError(name, f"must be a whole number from {low} to {high}")
    return value


def _action(name: str, value: Any) -> Action:
    if value not in Action.values or value == Action.PUBLISH:
        raise PolicyError(name, "must be one of hold, reject, spam")
    return Action(value)


def _rule(name: str, raw: Any, default: Rule) -> Rule:
    if not isinstance(raw, dict):
        raise PolicyError(name, "must be an object")
    unknown = set(raw) - {"threshold", "action", "review_at", "enabled"}
    if unknown:
        raise PolicyError(name, f"unknown keys: {', '.join(sorted(unknown))}")
    rule = Rule(
        threshold=_score(f"{name}.threshold", raw.get("threshold", default.threshold)),
        action=_action(f"{name}.action", raw.get("action", default.action)),
        review_at=None if raw.get("review_at", default.review_at) is None else _score(
            f"{name}.review_at", raw.get("review_at", default.review_at)
        ),
        enabled=_boolean(f"{name}.enabled", raw.get("enabled", default.enabled)),
    )  # fmt: skip
    if rule.review_at is not None and rule.review_at > rule.threshold:
        raise PolicyError(f"{name}.review_at", "must not be above the threshold")
    return rule


def _texts(name: str, value: Any, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > limit:
        raise PolicyError(name, f"must be a list of at most {limit} texts")
    texts = []
    for index, text in enumerate(value):
        if not isinstance(text, str) or not text.strip() or len(text) > 2000:
            raise PolicyError(f"{name}.{index}", "must be a non-empty text of at most 2000 characters")
        texts.append(text.strip())
    return tuple(texts)


def _custom(name: str, raw: Any) -> CustomRule:
    if not isinstance(raw, dict):
        raise PolicyError(name, "must be an object")
    slug = raw.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise PolicyError(f"{name}.slug", "must be 1-40 lower-case letters, digits, - or _")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > 100:
        raise PolicyError(f"{name}.label", "must be a name of at most 100 characters")
    description = raw.get("description", "")
    if not isinstance(description, str) or len(description) > 1000:
        raise PolicyError(f"{name}.description", "must be a text of at most 1000 characters")
    phrases = _texts(f"{name}.phrases", raw.get("phrases", []), MAX_PHRASES)
    examples = _texts(f"{name}.examples", raw.get("examples", []), MAX_EXAMPLES)
    if not phrases and not examples:
        raise PolicyError(name, "needs phrases or examples to recognise")
    return CustomRule(
        slug=slug,
        label=label.strip(),
        description=description.strip(),
        phrases=phrases,
        examples=examples,
        threshold=_score(f"{name}.threshold", raw.get("threshold", 0.7)),
        action=_action(f"{name}.action", raw.get("action", Action.HOLD)),
    )


def _section(name: str, raw: Any, default: Any) -> Any:
    if not isinstance(raw, dict):
        raise PolicyError(name, "must be an object")
    values = asdict(default)
    unknown = set(raw) - set(values)
    if unknown:
        raise PolicyError(name, f"unknown keys: {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        expected = values[key]
        if isinstance(expected, bool):
            changes[key] = _boolean(f"{name}.{key}", value)
        elif isinstance(expected, int):
            changes[key] = _integer(f"{name}.{key}", value, 1, 100_000)
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise PolicyError(f"{name}.{key}", "must be a positive number")
        else:
            changes[key] = float(value)
    return replace(default, **changes)


def default_config() -> PolicyConfig:
    """What a new site starts with: clear hate, threats and spam are removed, doubtful cases wait for a person.

    Thresholds are on the engine's calibrated scores; `review_at` is where a comment starts waiting for a person.
    """
    return PolicyConfig(
        categories={
            Category.SPAM: Rule(0.9, Action.SPAM, review_at=0.5),
            Category.TOXIC: Rule(0.9, Action.HOLD, review_at=0.7),
            Category.INSULT: Rule(0.9, Action.REJECT, review_at=0.6),
            Category.HATE: Rule(0.9, Action.REJECT, review_at=0.5),
            Category.ANTISEMITISM: Rule(0.85, Action.REJECT, review_at=0.5),
            Category.RACISM: Rule(0.85, Action.REJECT, review_at=0.5),
            Category.THREAT: Rule(0.85, Action.REJECT, review_at=0.5),
            Category.DEFAMATION: Rule(0.9, Action.HOLD, review_at=0.5),
            Category.PERSONAL_DATA: Rule(0.8, Action.HOLD, review_at=None),
            Category.LINKS: Rule(0.9, Action.HOLD, review_at=None, enabled=False),
        }
    )


def default_policy() -> PolicyConfig:
    return default_config()


@dataclass(frozen=True)
class ActivePolicy:
    version: int
    config: PolicyConfig


def active_policy(site: Site) -> ActivePolicy:
    """The version in force; a site that never saved one runs the defaults (version 0)."""
    latest = Policy.objects.filter(site=site).order_by("-version").first()
    if latest is None:
        return ActivePolicy(0, default_config())
    return ActivePolicy(latest.version, PolicyConfig.parse(latest.config))


def save_policy(site: Site, data: Any, *, actor: Any = None, note: str = "") -> Policy:
    """Validate ``data`` and store it as the site's next policy version (audited)."""
    config = PolicyConfig.parse(data)
    with transaction.atomic():
        latest = Policy.objects.select_for_update().filter(site=site).order_by("-version").first()
        version = (latest.version if latest else 0) + 1
        policy = Policy.objects.create(
            site=site, version=version, config=config.to_json(), note=note[:300], created_by=actor
        )
        before = latest.config if latest else default_config().to_json()
        AuditEntry.objects.create(
            site=site,
            actor=actor,
            actor_label=getattr(actor, "username", "") or "system",
            action="policy.saved",
            details={"version": version, "note": note[:300], "changes": config_changes(before, config.to_json())},
        )
    return policy


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    """``{"surge": {"enabled": True}}`` → ``{"surge.enabled": True}``; lists stay whole (custom categories)."""
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flat(item, f"{path}.{key}" if path else str(key)))
        return flat
    return {path: value}


def config_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each setting a save changed, by dotted path, with its value before and after: what the audit log shows
    (the whole configuration twice would bury the one threshold that moved)."""
    old, new = _flat(json.loads(json.dumps(before))), _flat(json.loads(json.dumps(after)))
    return {
        path: {"before": old.get(path), "after": new.get(path)}
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path)
    }


def public_text(config: PolicyConfig) -> str:
    """The policy readers see under the comment form, generated from the configuration in the active language."""
    enabled = [(name, rule) for name, rule in config.categories.items() if rule.enabled]
    removed = [config.label(name) for name, rule in enabled if rule.action != Action.HOLD]
    held = [config.label(name) for name, rule in enabled if rule.action == Action.HOLD]
    held += [custom.label for custom in config.custom]
    sentences = [
        _("Comments are checked automatically on this server before they appear; nothing is sent to a third party.")
    ]
    if removed:
        sentences.append(_("We remove comments containing: %(list)s.") % {"list": ", ".join(removed)})
    if held:
        sentences.append(_("A moderator reviews comments that may contain: %(list)s.") % {"list": ", ".join(held)})
    if config.hold_first_time:
        sentences.append(_("A first comment is published after a moderator has read it."))
    sentences.append(_("If your comment is held or removed, you are told why and can ask for a review."))
    return " ".join(sentences)
