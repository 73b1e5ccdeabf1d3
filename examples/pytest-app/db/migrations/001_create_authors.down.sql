DROP TABLE notes.authors;
DROP SCHEMA notes;
