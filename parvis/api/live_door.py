"""Live update streams written by the watcher itself, at the ASGI door, once Django has answered the request.

Django still answers every `thread/events` request: the site, the parameters, the origin (CORS), the security
headers, errors as problem+json. When this door is in front (``parvis serve``), the view sees it in the request's
scope and, instead of a stream, answers an empty body with an internal header naming the stream (site, key,
marks). The door strips that header, sends Django's headers to the client and then hands the connection to the
process's watcher (parvis.comments.live.serve), which writes each event, encoded once, to every stream of the
thread. A reader that leaves cancels it through Django's own disconnect handling. Without the door (the test
client, a WSGI server) the view streams as before.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from parvis.api.kept_reads import App, Message, Receive, Scope, Send
from parvis.comments import live

EVENTS_PATH = re.compile(r"/api/v1/sites/[A-Za-z0-9_-]{1,50}/thread/events")
SCOPE_FLAG = "parvis.live_door"
HEADER = b"parvis-live-stream"


def marker(site_id: int, key: str, after: int, decided: int | None) -> str:
    """The internal header's value (the key quoted: it may hold any character)."""
    return f"{site_id} {after} {'-' if decided is None else decided} {quote(key, safe='')}"


def _parse(value: bytes) -> tuple[int, str, int, int | None]:
    site_id, after, decided, key = value.decode("ascii").split(" ", 3)
    return int(site_id), unquote(key), int(after), None if decided == "-" else int(decided)


class LiveStreams:
    """The ASGI application in front of Django's for `GET …/thread/events` (see the module's docstring)."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or not EVENTS_PATH.fullmatch(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        scope[SCOPE_FLAG] = True
        taken = False

        async def from_django(message: Message) -> None:
            nonlocal taken
            if taken:  # Django's (empty) body after the hand-over
                return
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                stream = next((value for name, value in headers if bytes(name).lower() == HEADER), None)
                if stream is not None:
                    taken = True
                    kept: Any = [(name, value) for name, value in headers if bytes(name).lower() != HEADER]
                    await send({**message, "headers": kept})
                    await live.serve(*_parse(bytes(stream)), send=send)
                    return
            await send(message)

        await self.app(scope, receive, from_django)
