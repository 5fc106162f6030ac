"""The shape of one imported thread, worked out in memory: parents, roots, depths; orphans and cycles repaired."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from parvis.comments.models import MAX_DEPTH


@dataclass
class Shape:
    parent: dict[str, str | None]
    root: dict[str, str | None]
    depth: dict[str, int]
    # Comments whose parent is not in the thread: (comment, the parent it named).
    orphans: list[tuple[str, str]] = field(default_factory=list)
    # Each cycle of parents found, in file order; its first comment was made top level.
    cycles: list[list[str]] = field(default_factory=list)
    # Parent-first order (every comment after its parent).
    order: list[str] = field(default_factory=list)


def shape(items: Sequence[tuple[str, str | None]]) -> Shape:
    """``items``: (comment id, parent id or None) in file order, ids unique."""
    position = {sid: index for index, (sid, _) in enumerate(items)}
    parent: dict[str, str | None] = {}
    result = Shape(parent=parent, root={}, depth={})
    for sid, named in items:
        if named is not None and named not in position:
            result.orphans.append((sid, named))
            named = None
        parent[sid] = named
    state: dict[str, int] = {}  # 1: on the path being walked, 2: known to reach the top
    for sid, _ in items:
        path: list[str] = []
        node: str | None = sid
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = parent[node]
        if node is not None and state[node] == 1:
            cycle = path[path.index(node) :]
            cycle.sort(key=position.__getitem__)
            parent[cycle[0]] = None
            result.cycles.append(cycle)
        for walked in path:
            state[walked] = 2
    children: dict[str, list[str]] = {}
    for sid, _ in items:
        named = parent[sid]
        if named is not None:
            children.setdefault(named, []).append(sid)
    queue = [sid for sid, _ in items if parent[sid] is None]
    for sid in queue:
        result.root[sid], result.depth[sid] = None, 0
    index = 0
    while index < len(queue):
        sid = queue[index]
        index += 1
        for child in children.get(sid, ()):
            # Like a reply posted through the API: past MAX_DEPTH it answers the nearest ancestor that can hold it.
            above: str = sid
            while result.depth[above] >= MAX_DEPTH and parent[above] is not None:
                above = parent[above]  # type: ignore[assignment]
            parent[child] = above
            result.depth[child] = result.depth[above] + 1
            result.root[child] = result.root[above] or above
            queue.append(child)
    result.order = queue
    return result
