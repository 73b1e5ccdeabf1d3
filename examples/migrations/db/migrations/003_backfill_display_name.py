"""Backfills display names from e-mail addresses, then makes the column NOT NULL.

A Python migration for logic that is awkward in SQL. Under the CLI it runs on Confiture's own
connection, in one transaction with its tracking row; ``self.execute`` takes psycopg-style
parameters.
"""

from confiture.models.migration import Migration


class BackfillDisplayName(Migration):
    version = "003"
    name = "backfill_display_name"

    def up(self) -> None:
        with self.connection.cursor() as cur:
            cur.execute("SELECT id, email FROM app.accounts WHERE display_name IS NULL ORDER BY id")
            rows = cur.fetchall()
        for account_id, email in rows:
            local_part = email.split("@", 1)[0]
            self.execute(
                "UPDATE app.accounts SET display_name = %s WHERE id = %s",
                (local_part.capitalize(), account_id),
            )
        self.execute("ALTER TABLE app.accounts ALTER COLUMN display_name SET NOT NULL")

    def down(self) -> None:
        self.execute("ALTER TABLE app.accounts ALTER COLUMN display_name DROP NOT NULL")
        self.execute("UPDATE app.accounts SET display_name = NULL")
