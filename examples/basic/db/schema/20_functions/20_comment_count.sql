-- A SQL-standard function body: its inner semicolons are part of the function, not statement ends.
CREATE FUNCTION app.comment_count(p_post_id bigint) RETURNS bigint
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT count(*) FROM app.comments WHERE post_id = p_post_id;
END;
