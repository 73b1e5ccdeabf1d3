CREATE TABLE app.posts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body text NOT NULL DEFAULT '',
    status app.post_status NOT NULL DEFAULT 'draft',
    published_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT published_posts_have_a_date CHECK (status <> 'published' OR published_at IS NOT NULL)
);
CREATE INDEX posts_author_idx ON app.posts (author_id);
CREATE INDEX posts_published_idx ON app.posts (published_at DESC) WHERE status = 'published';
COMMENT ON TABLE app.posts IS 'Blog posts';
