CREATE TYPE app.post_status AS ENUM ('draft', 'published', 'archived');

CREATE DOMAIN app.email AS text
    CHECK (VALUE ~ '^[^@[:space:]]+@[^@[:space:]]+$');
