CREATE TABLE app.comments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES app.posts (id) ON DELETE CASCADE,
    author_id bigint NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_post_idx ON app.comments (post_id);
CREATE INDEX comments_author_idx ON app.comments (author_id);
COMMENT ON TABLE app.comments IS 'Comments on posts';
