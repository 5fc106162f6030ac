"""What an import did, for the person who ran it: counts, and one line per record that needs their attention."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# More lines than this per kind are counted, not listed: a million skipped pingbacks is one number.
MAX_LINES = 200


@dataclass
class Lines:
    """Lines of one kind (skipped, orphans ...): the first MAX_LINES kept, all counted, reasons tallied."""

    total: int = 0
    shown: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, what: str, reason: str, tally: str | None = None) -> None:
        self.total += 1
        self.reasons[tally or reason] += 1
        if len(self.shown) < MAX_LINES:
            self.shown.append(f"{what}: {reason}")


@dataclass
class Report:
    source: str
    dry_run: bool = False
    threads_new: int = 0
    threads_updated: int = 0
    threads_without_comments: int = 0
    comments_new: int = 0
    comments_updated: int = 0
    comments_unchanged: int = 0
    skipped: Lines = field(default_factory=Lines)
    orphans: Lines = field(default_factory=Lines)
    cycles: Lines = field(default_factory=Lines)
    notes: Lines = field(default_factory=Lines)
    fatal: str | None = None
    moderation: dict[str, Any] | None = None
    # Wall-clock time of the import (reading, writing, counting; moderation excluded).
    seconds: float = 0.0
    # CPU time of this process in it: on a shared machine, the figure that does not depend on the neighbours.
    cpu_seconds: float = 0.0

    @property
    def comments(self) -> int:
        return self.comments_new + self.comments_updated + self.comments_unchanged

    def summary(self) -> dict[str, Any]:
        """The figures, as stored in the audit entry and printed with --json."""
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "fatal": self.fatal,
            "threads": {"new": self.threads_new, "updated": self.threads_updated,
                        "without_comments": self.threads_without_comments},
            "comments": {"new": self.comments_new, "updated": self.comments_updated,
                         "unchanged": self.comments_unchanged},
            "skipped": {"total": self.skipped.total, "reasons": dict(self.skipped.reasons)},
            "orphans": self.orphans.total,
            "cycles": self.cycles.total,
            "notes": self.notes.total,
            "moderation": self.moderation,
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
        }  # fmt: skip

    def lines(self) -> list[str]:
        """The report as printed at the end of `parvis import`."""
        if self.fatal:
            return [f"Import failed: {self.fatal}"]
        done = "Would import" if self.dry_run else "Imported"
        out = [
            f"{done} from {self.source}: {self.threads_new + self.threads_updated} threads "
            f"({self.threads_new} new, {self.threads_updated} already there), {self.comments} comments "
            f"({self.comments_new} new, {self.comments_updated} updated, {self.comments_unchanged} unchanged) "
            f"in {self.seconds:.1f} s.",
        ]
        if self.threads_without_comments:
            out.append(f"{self.threads_without_comments} posts or threads without comments were not created.")
        for title, lines in (
            ("Skipped", self.skipped),
            ("Orphans re-attached at the top level of their thread", self.orphans),
            ("Parent cycles broken", self.cycles),
            ("Notes", self.notes),
        ):
            if not lines.total:
                continue
            reasons = ", ".join(f"{count} {reason}" for reason, count in lines.reasons.most_common())
            out.append(f"{title}: {lines.total}" + (f" ({reasons})" if title == "Skipped" else ""))
            out += [f"  - {line}" for line in lines.shown]
            if lines.total > len(lines.shown):
                out.append(f"  … and {lines.total - len(lines.shown)} more")
        if self.moderation is not None:
            out += moderation_lines(self.moderation)
        if self.dry_run:
            out.append("Dry run: nothing was written.")
        return out


def moderation_lines(result: dict[str, Any]) -> list[str]:
    verb = "held or removed" if result["applied"] else "would hold or remove"
    out = [f"Moderation of {result['checked']} published imported comments: {verb} {result['flagged']} "
           f"({', '.join(f'{n} {action}' for action, n in sorted(result['actions'].items())) or 'none'})."]  # fmt: skip
    out += [f"  - {line}" for line in result["lines"]]
    if not result["applied"] and result["flagged"]:
        out.append("  Nothing was changed; run again with --moderate --apply to apply these decisions.")
    return out
