"""Display names that pass for the newsroom: refused for names readers choose (guests, profile changes).

Compared on the moderation's matching key (parvis.moderation.normalise), which undoes look-alike letters from
other scripts, leetspeak, accents, spacing and stretched letters; format characters such as bidi overrides are
already stripped from names by ``clean_line``. A name is refused when it contains a word that claims a role
("moderator", "rédaction", "מנהל", "مشرف"…, as a word or as the whole name spelt out), or when it reads as the
name of a staff member or journalist of the site, or as the site's own name. Names sent by the publisher (SSO,
OpenID) are the publisher's and not checked.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import regex

from parvis.accounts.models import Badge, Commenter
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.moderation.normalise import normalise

# Words that claim a role on the site, in the four languages of the widget.
ROLE_WORDS = (
    "moderator", "moderateur", "moderatrice", "moderation", "admin", "administrator", "administrateur", "staff",
    "redaction", "newsroom", "editor", "editeur", "journaliste", "parvis", "official", "officiel",
    "מנהל", "מנהלת", "מערכת", "הנהלה", "מודרטור", "עורך", "עורכת",
    "مشرف", "مشرفة", "الادارة", "اداره", "التحرير", "المحرر", "ادمن",
)  # fmt: skip
logger = logging.getLogger(__name__)
_NOT_LETTERS = regex.compile(r"[^\p{L}\p{N}]+")


def skeleton(name: str) -> str:
    """The matching key of a name with every space and symbol removed: "M0d.ér@teur" → "moderateur"."""
    return _NOT_LETTERS.sub("", normalise(name).text)


@lru_cache(maxsize=1)
def _role_skeletons() -> tuple[str, ...]:
    return tuple(skeleton(word) for word in ROLE_WORDS)


def refuse_impersonation(site: Site, name: str, *, commenter: Commenter | None = None) -> None:
    """Raise ``name_impersonates`` when ``name`` passes for the newsroom on ``site``."""
    key = skeleton(name)
    if not key:
        return
    words = {word for word in _NOT_LETTERS.split(normalise(name).text) if word}
    if (words | {key}) & set(_role_skeletons()):
        logger.warning("name refused on site %s: it claims a role (%r)", site.slug, name)
        raise ProblemError(Code.NAME_IMPERSONATES, "Names may not claim a role on the site.", field="author.name")
    staff = Commenter.objects.filter(site=site, badge__in=[Badge.STAFF, Badge.JOURNALIST]).exclude(
        pk=commenter.pk if commenter else None
    )
    taken = {skeleton(other) for other in staff.values_list("name", flat=True)} | {skeleton(site.name)}
    if key in taken - {""}:
        logger.warning("name refused on site %s: it reads as the newsroom's (%r)", site.slug, name)
        raise ProblemError(
            Code.NAME_IMPERSONATES, "This name reads as the name of a member of the newsroom.", field="author.name"
        )
