-- Keeps updated_at current. The body contains semicolons: the build splits statements the way
-- psql does, so dollar-quoted bodies stay whole.
CREATE FUNCTION app.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_touch BEFORE UPDATE ON app.users
    FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE TRIGGER posts_touch BEFORE UPDATE ON app.posts
    FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
