"""Notes can be pinned; notes whose title starts with '!' were the old way to pin them."""

from confiture.models.migration import Migration


class AddPinned(Migration):
    version = "003"
    name = "add_pinned"

    def up(self) -> None:
        self.execute("ALTER TABLE notes.notes ADD COLUMN pinned boolean NOT NULL DEFAULT false")
        self.execute("UPDATE notes.notes SET pinned = true, title = substr(title, 2) WHERE title LIKE '!%'")

    def down(self) -> None:
        self.execute("UPDATE notes.notes SET title = '!' || title WHERE pinned")
        self.execute("ALTER TABLE notes.notes DROP COLUMN pinned")
