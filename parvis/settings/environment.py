"""Reads PARVIS_* configuration from the environment and from one optional TOML file.

The environment wins over the file so that a container or systemd unit can override one value without
editing the file. Values are parsed here once, with errors that name the variable, because a typo in
deployment configuration should stop the server at start, not surface as a 500 later.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured


def _load_file() -> dict[str, Any]:
    path = os.environ.get("PARVIS_CONFIG")
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ImproperlyConfigured(f"PARVIS_CONFIG={path!r} cannot be read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ImproperlyConfigured(f"PARVIS_CONFIG={path!r} is not valid TOML: {error}") from error
    return {f"PARVIS_{key.upper()}": value for key, value in data.items()}


_FILE_VALUES = _load_file()


def raw(name: str) -> Any:
    """Return the configured value of ``name`` (environment first, then the file), or None."""
    if name in os.environ:
        return os.environ[name]
    return _FILE_VALUES.get(name)


def text(name: str, default: str) -> str:
    value = raw(name)
    return default if value is None else str(value)


def boolean(name: str, default: bool) -> bool:
    value = raw(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def integer(name: str, default: int, minimum: int = 0) -> int:
    value = raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from error
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def words(name: str, default: list[str]) -> list[str]:
    """A list given as a TOML array or as a comma/space separated string."""
    value = raw(name)
    if value is None:
        return list(default)
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item for item in str(value).replace(",", " ").split() if item]


def path(name: str, default: Path) -> Path:
    value = raw(name)
    return Path(value).expanduser().resolve() if value else default
