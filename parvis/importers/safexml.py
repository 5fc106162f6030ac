"""Reading a large, untrusted XML export as a stream, in bounded memory, refusing what could attack the reader.

defusedxml refuses a DOCTYPE (so no entity can be declared: no "billion laughs" expansion, no external
entity reading a local file or a URL). It reads the file's start until the root element opens: a DOCTYPE, the
only place entities can be declared, cannot come later, so the rest is parsed by the standard library's C
parser (defusedxml's own parser calls Python for every element, a quarter of an import's time). Each record
element is handed to the format module when it ends and then detached from its parent, so a 2 GB file never
holds more than one record in memory. Parse errors become one sentence saying where and what, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from parvis.importers.records import ImportFailed

_LOCAL: dict[str, str] = {}


def local(tag: str) -> str:
    """The tag without its namespace: WXR 1.0, 1.1 and 1.2 use different namespace URIs for the same names."""
    name = _LOCAL.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1]
        if len(_LOCAL) < 10_000:  # a hostile file's million distinct tags are not all remembered
            _LOCAL[tag] = name
    return name


def child_text(element: Element, name: str) -> str:
    """The text of the first child called ``name`` (any namespace), stripped; "" when absent."""
    for child in element:
        if local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _explain(error: ParseError) -> str:
    line, column = getattr(error, "position", (0, 0))
    message = str(error).split(":", 1)[0]
    if message in ("no element found", "unclosed token") or "unclosed" in message:
        return f"the file ends in the middle of the XML (line {line}): it looks truncated; nothing was imported."
    if message in ("not well-formed (invalid token)", "encoding specified in XML declaration is incorrect"):
        return (f"the file is not well-formed XML at line {line}, column {column} ({message}): a damaged file, or "
                f"text in another character encoding than the one it declares; nothing was imported.")  # fmt: skip
    return f"the file is not valid XML at line {line}, column {column} ({message}); nothing was imported."


Found = tuple[int, Element, Element | None]


class _RootOpened(Exception):
    pass


class _Prolog:
    """defusedxml's parser target: stops at the root element's start tag, when nothing dangerous can come any more."""

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        raise _RootOpened

    def close(self) -> None:
        return None


def _events(source: IO[bytes]) -> Iterator[tuple[str, Element]]:
    guard: DefusedXMLParser | None = DefusedXMLParser(target=_Prolog(), forbid_dtd=True)
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    while chunk := source.read(1 << 14):
        if guard is not None:
            try:
                guard.feed(chunk)
            except _RootOpened:
                guard = None
        parser.feed(chunk)
        yield from parser.read_events()  # type: ignore[misc]
    if guard is not None:
        guard.close()  # an empty file, or one that ends before its root element: the guard says what is wrong
    parser.close()
    yield from parser.read_events()  # type: ignore[misc]


def stream(source: IO[bytes], records: dict[int, set[str]]) -> Iterator[Found]:
    """Yield (depth, element, its parent) for each element that ends at a depth of ``records`` (the root is 0)
    with one of its local names, then forget it. Other elements ending above the deepest level are forgotten too
    (a WXR's authors and terms); the rest stay with their record until it ends."""
    deepest = max(records)
    stack: list[Element] = []
    try:
        for event, element in _events(source):
            if event == "start":
                stack.append(element)
                continue
            stack.pop()
            depth = len(stack)
            if depth > deepest:
                continue
            record = local(element.tag) in records.get(depth, ())
            if record:
                yield depth, element, stack[-1] if stack else None
            # A record's other children at the deepest level (a post's title, link) stay until the record ends.
            if stack and (record or depth < deepest):
                stack[-1].remove(element)
    except DTDForbidden as error:
        raise ImportFailed(
            "the file declares a DOCTYPE, which an export never needs and which can make a reader expand entities "
            "or read other files; refused, nothing was imported."
        ) from error
    except (EntitiesForbidden, ExternalReferenceForbidden) as error:
        raise ImportFailed(
            "the file declares XML entities, refused (entity expansion and external entities are an attack on the "
            "reader); nothing was imported."
        ) from error
    except ParseError as error:
        raise ImportFailed(_explain(error)) from error
    if stack:
        raise ImportFailed("the file ends before its last element is closed: it looks truncated; nothing imported.")
