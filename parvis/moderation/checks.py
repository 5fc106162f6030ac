"""System checks for the moderation engine: the shipped model files are present and intact.

Without them the engine still runs, on rules alone, holding comments for review rather than publishing them
unchecked (`engine.Assessment.degraded`); but that is an installation fault to fix, so `parvis check` fails with
the file and the remedy instead of letting a newsroom discover it in its queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core import checks

from parvis.moderation.classifier import stage2, store


@checks.register("moderation")
def check_model_files(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E001 when a required weights file (or meta.json) is missing or corrupt; W001 when the optional encoder
    is installed but its heads are not usable (the worker then decides on stage 1 alone)."""
    messages: list[checks.CheckMessage] = []
    try:
        listed = store.meta()["files"]
    except store.WeightsError as error:
        return [_error(str(error))]
    for name in store.expected_files(listed):
        try:
            store.verify(name)
        except store.WeightsError as error:
            if name in store.REQUIRED:
                messages.append(_error(str(error)))
            elif stage2.encoder_installed():
                messages.append(
                    checks.Warning(
                        f"Moderation encoder stage unusable: {error}",
                        hint="The worker will decide on the synchronous model alone until this is fixed.",
                        id="parvis.moderation.W001",
                    )
                )
    return messages


def _error(message: str) -> checks.Error:
    return checks.Error(
        f"Moderation model unusable: {message}",
        hint="Comments would be held for review instead of being checked. Reinstall Parvis, or rebuild the "
        "weights with `parvis moderation train`.",
        id="parvis.moderation.E001",
    )
