"""Notes, on a psycopg connection (sync) or an async one (the way an asyncio app talks to it)."""

from __future__ import annotations

from typing import Any


def add_note(conn: Any, author_email: str, title: str, body: str = "") -> int:
    """Adds a note for an existing author; returns its id."""
    row = conn.execute(
        "INSERT INTO notes.notes (author_id, title, body) "
        "SELECT id, %s, %s FROM notes.authors WHERE email = %s RETURNING id",
        (title, body, author_email),
    ).fetchone()
    if row is None:
        raise LookupError(f"no author {author_email}")
    return row[0]


def feed(conn: Any) -> list[tuple[str, str]]:
    """(title, author) of every note, pinned first, newest next."""
    return conn.execute(
        "SELECT f.title, f.author FROM notes.feed f JOIN notes.notes n USING (id) "
        "ORDER BY n.pinned DESC, f.created_at DESC, f.id DESC"
    ).fetchall()


async def count_notes(aconn: Any) -> int:
    cur = await aconn.execute("SELECT count(*) FROM notes.notes")
    row = await cur.fetchone()
    return row[0]
