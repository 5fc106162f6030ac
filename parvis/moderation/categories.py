"""The policy categories Parvis scores, in one place, so the engine, the policy, the API and the dashboard
agree on their names.

`hate` is the umbrella; `antisemitism` and `racism` are scored on their own as well so a newsroom can report on
them separately ("we remove any antisemitic, racist ... comment"). A comment that scores high on either also
scores at least as high on `hate`.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    SPAM = "spam"
    TOXIC = "toxic"
    INSULT = "insult"
    HATE = "hate"
    ANTISEMITISM = "antisemitism"
    RACISM = "racism"
    THREAT = "threat"
    DEFAMATION = "defamation"
    PERSONAL_DATA = "personal_data"
    LINKS = "links"


# Categories under the `hate` umbrella.
HATE_KINDS = (Category.ANTISEMITISM, Category.RACISM)
# Categories a labelled record of ../shared/data/moderation can carry (`labels`), in that order.
LABELLED = (Category.SPAM, Category.TOXIC, Category.HATE, Category.INSULT, Category.THREAT, Category.DEFAMATION)
