"""Helpers shared by the sync and anonymization tests: two databases with one schema, queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg

from confiture import _core

KEY = "pytest-key-0123456789-abcdef"

SCHEMA = """
CREATE SCHEMA crm;
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text,
    phone text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE crm."Contact Notes" (
    id serial PRIMARY KEY,
    user_id bigint REFERENCES users (id),
    "Contact Email" text,
    body text
);
"""

DATA = """
INSERT INTO users (email, name, phone, created_at)
SELECT 'user' || i || '@corp.example', 'First' || i || ' Last' || i, '+1 212 555 ' || lpad(i::text, 4, '0'),
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 hour'
FROM generate_series(1, {n}) i;
INSERT INTO crm."Contact Notes" (user_id, "Contact Email", body)
SELECT id, email, 'call ' || phone || ' or write to ' || email FROM users;
"""


@dataclass
class Pair:
    server: str
    source: str
    target: str
    source_url: str
    target_url: str

    def query(self, which: str, sql: str) -> list[tuple]:
        url = self.source_url if which == "source" else self.target_url
        with psycopg.connect(url) as conn:
            return conn.execute(sql).fetchall()

    def execute(self, which: str, sql: str) -> None:
        url = self.source_url if which == "source" else self.target_url
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql)


def make_pair(server: str, rows: int = 50, schema: str = SCHEMA, data: str = DATA) -> Iterator[Pair]:
    names = [f"s_{uuid.uuid4().hex[:10]}", f"t_{uuid.uuid4().hex[:10]}"]
    for n in names:
        _core.create_database(server, n)
    pair = Pair(server, names[0], names[1], *(_core.url_with_database(server, n) for n in names))
    try:
        for which in ("source", "target"):
            pair.execute(which, schema)
        if data:
            pair.execute("source", data.format(n=rows))
        yield pair
    finally:
        for n in names:
            _core.drop_database(server, n, force=True)
