"""Where the shipped weights live and how they are verified.

Every file in `weights/` is listed in `meta.json` with its SHA-256, so a truncated copy, a bad merge or a file
from another training run is refused (`parvis check` says which) instead of producing silent nonsense scores.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

DIRECTORY = Path(__file__).resolve().parent / "weights"
META = "meta.json"
STAGE1 = "stage1.npz"
STAGE2 = "stage2.npz"
BLEND = "blend.json"
FILES = (STAGE1, STAGE2, BLEND)
# Files the synchronous stage cannot do without; stage 2 and the blend are optional (they degrade gracefully).
REQUIRED = (STAGE1,)


class WeightsError(Exception):
    """A weights file is missing, unreadable or does not match its checksum in meta.json."""


def path(name: str, directory: Path | None = None) -> Path:
    return (directory or DIRECTORY) / name


def sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as content:
        for block in iter(lambda: content.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def meta(directory: Path | None = None) -> dict[str, Any]:
    """The parsed meta.json (training date, data checksum, file checksums, thresholds, held-out metrics)."""
    file = path(META, directory)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise WeightsError(f"{file} is missing; rebuild it with `parvis moderation train`") from error
    except (OSError, ValueError) as error:
        raise WeightsError(f"{file} is unreadable ({error}); rebuild it with `parvis moderation train`") from error
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise WeightsError(f"{file} has no file checksums; rebuild it with `parvis moderation train`")
    return data


def verify(name: str, directory: Path | None = None) -> Path:
    """The path of weights file ``name`` once its checksum matches meta.json; WeightsError otherwise."""
    file = path(name, directory)
    expected = meta(directory)["files"].get(name)
    if not file.is_file():
        raise WeightsError(f"{file} is missing; reinstall Parvis or run `parvis moderation train`")
    if expected is None:
        raise WeightsError(f"{file} is not listed in {META}; rebuild the weights with `parvis moderation train`")
    if sha256(file) != expected:
        raise WeightsError(f"{file} is corrupt (its SHA-256 does not match {META}); reinstall Parvis or retrain")
    return file


def load_npz(name: str, directory: Path | None = None) -> dict[str, Any]:
    """The arrays of a verified .npz weights file."""
    file = verify(name, directory)
    try:
        with np.load(file, allow_pickle=False) as arrays:
            return {key: arrays[key] for key in arrays.files}
    except (OSError, ValueError, zipfile.BadZipFile, KeyError) as error:
        raise WeightsError(f"{file} cannot be read: {error}") from error


def expected_files(listed: dict[str, str]) -> list[str]:
    """The required files, and the optional ones this training run produced (a stage-1-only run lists no
    stage 2 files, and their absence is then no fault)."""
    return [name for name in FILES if name in REQUIRED or name in listed]


def problems(directory: Path | None = None) -> list[str]:
    """What is wrong with the shipped weights, one message per problem (empty when all is well)."""
    try:
        listed = meta(directory)["files"]
    except WeightsError as error:
        return [str(error)]
    found = []
    for name in expected_files(listed):
        try:
            verify(name, directory)
        except WeightsError as error:
            found.append(str(error))
    return found
