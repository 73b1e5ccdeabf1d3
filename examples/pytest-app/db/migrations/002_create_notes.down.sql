DROP TABLE notes.notes;
