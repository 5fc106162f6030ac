"""One bounded HTTP POST for the connectors, on the standard library (no client dependency to install).

Every failure (refused connection, timeout, TLS, an HTTP error status, an oversized answer) comes out as
ConnectorError, so a connector has one thing to catch and log.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

# Answers are a word (Akismet) or a few hundred bytes of JSON (Perspective); anything larger is not an answer.
MAX_ANSWER_BYTES = 256 * 1024
USER_AGENT = "Parvis/0.1 (self-hosted reader comments)"


class ConnectorError(Exception):
    """The service could not be asked or did not answer usefully."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ConnectorError(f"answer is not JSON: {error}") from error


def post(url: str, body: bytes, content_type: str, timeout: float) -> Answer:
    """POST ``body`` to ``url``; ``timeout`` bounds the connection and each read."""
    if not url.startswith(("http://", "https://")):
        raise ConnectorError(f"not an http(s) URL: {url[:100]}")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url, data=body, method="POST", headers={"Content-Type": content_type, "User-Agent": USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(MAX_ANSWER_BYTES + 1)
            headers = {name.lower(): value for name, value in response.headers.items()}
            status = int(response.status)
    except urllib.error.HTTPError as error:
        raise ConnectorError(f"HTTP {error.code}") from error
    # URLError, timeouts and resets are OSError; a broken status line or a cut body is HTTPException.
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise ConnectorError(str(error) or type(error).__name__) from error
    if len(data) > MAX_ANSWER_BYTES:
        raise ConnectorError("answer too large")
    return Answer(status=status, headers=headers, body=data)
