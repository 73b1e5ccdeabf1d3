DROP VIEW notes.feed;
