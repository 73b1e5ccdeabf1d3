CREATE SCHEMA notes;
CREATE TABLE notes.authors (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE CHECK (position('@' IN email) > 1),
    display_name text NOT NULL
);
