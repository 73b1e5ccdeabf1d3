CREATE TABLE notes.notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES notes.authors (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (title <> ''),
    body text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_author_created ON notes.notes (author_id, created_at DESC);
