-- Everything lives in the `app` schema.
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'Blog application';
