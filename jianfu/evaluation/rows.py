"""Ballots, their scores and comments written as plain rows with executemany, in random order and
with fresh random keys: for the demo's thousands of ballots, and for re-writing the household ballots
when a campaign closes (so that not even the database's row order or transaction ids follow the votes)."""

import os
import random
import uuid

from django.db import connection

from jianfu.core.bulk import analyze_if_grown

from .models import Ballot, BallotScore, Comment, CommentState

BALLOT_COLUMNS = ["id", "target_id", "voter_kind", "evaluator_id"]
SCORE_COLUMNS = ["id", "ballot_id", "indicator_id", "value"]
COMMENT_COLUMNS = ["id", "target_id", "evaluator_id", "text", "state", "moderated_by_id", "moderated_on"]


class Rows:
    def __init__(self):
        self.ballots: list[tuple] = []
        self.scores: list[tuple] = []
        self.comments: list[tuple] = []
        self.native_uuid = connection.features.has_native_uuid_field

    def key(self):
        """A random version-4 UUID from the operating system's generator, in the column's format."""
        raw = bytearray(os.urandom(16))
        raw[6] = (raw[6] & 0x0F) | 0x40
        raw[8] = (raw[8] & 0x3F) | 0x80
        return uuid.UUID(bytes=bytes(raw)) if self.native_uuid else raw.hex()

    def ballot(self, target_id: int, kind: str, evaluator_id: int | None, values: dict[int, int]) -> None:
        ballot_id = self.key()
        self.ballots.append((ballot_id, target_id, kind, evaluator_id))
        self.scores += [(self.key(), ballot_id, indicator, value) for indicator, value in values.items()]

    def comment(self, target_id, evaluator_id, text, state=CommentState.PENDING, moderator=None, day=None) -> None:
        day = connection.ops.adapt_datefield_value(day)
        self.comments.append((self.key(), target_id, evaluator_id, text, state, moderator, day))

    def write(self, rng: random.Random, *, analyze: bool = False) -> int:
        """`analyze`: for loaders that query what they wrote at once (the demo). Not when a campaign
        closes: its rewrite holds the audit lock, and the tables do not grow."""
        rng.shuffle(self.ballots)
        rng.shuffle(self.scores)
        rng.shuffle(self.comments)
        for model, columns, rows in (
            (Ballot, BALLOT_COLUMNS, self.ballots),
            (BallotScore, SCORE_COLUMNS, self.scores),
            (Comment, COMMENT_COLUMNS, self.comments),
        ):
            insert(model, columns, rows)
            if analyze:
                analyze_if_grown(model, len(rows))
        return len(self.ballots)


def insert(model, columns: list[str], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
