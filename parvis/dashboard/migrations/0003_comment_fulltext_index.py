"""A GIN index on the comments' text for the queue's full-text search, on PostgreSQL only.

The index is an expression index (to_tsvector('simple', body_markdown)): the search in
parvis.dashboard.views.queue.search uses the very same expression, so the planner can use it. It belongs to the
dashboard (the queue is what searches), hence created here on the comments' table, outside the comments app's
model state. SQLite has no such index; the queue searches with icontains there.
"""

from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "comment_body_fulltext"


def _index() -> GinIndex:
    return GinIndex(SearchVector("body_markdown", config="simple"), name=INDEX_NAME)


def create_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("comments", "Comment"), _index())


def drop_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("comments", "Comment"), _index())


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_totp_second_factor"),
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
