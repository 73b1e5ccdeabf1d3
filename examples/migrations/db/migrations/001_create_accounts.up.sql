CREATE SCHEMA app;

CREATE TABLE app.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO app.accounts (email)
VALUES ('ada@example.com'), ('grace@example.com'), ('edsger@example.com');
