"""Dates as export files write them, read leniently: an unreadable date is None (the report says so), never an error."""

from __future__ import annotations

from datetime import UTC, datetime

# Before this, a date is a placeholder (WordPress writes 0000-00-00 00:00:00 for "none").
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def _sane(value: datetime) -> datetime | None:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value if _EARLIEST <= value <= datetime(2200, 1, 1, tzinfo=UTC) else None


def sql_utc(text: str) -> datetime | None:
    """'2014-01-14 17:31:03' (WordPress, Isso's JSON), taken as UTC."""
    text = text.strip()
    if len(text) != 19 or text[10] != " ":
        return None
    try:
        return _sane(datetime.fromisoformat(text))  # the C parser: strptime is ten times slower
    except ValueError:
        return None


def iso(text: str) -> datetime | None:
    """'2013-10-10T19:20:29Z' (Disqus, Parvis); without an offset, UTC."""
    try:
        return _sane(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError:
        return None


def epoch(value: object) -> datetime | None:
    """Seconds since 1970 (Isso's database)."""
    try:
        return _sane(datetime.fromtimestamp(float(value), tz=UTC))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None
