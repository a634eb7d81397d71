-- SQLite's migration 8 (the change counter that never goes down). Here the numbers already come from
-- the sequence change_seq, which never hands one out twice; the table keeps the last number a
-- committed transaction gave out (raised under the change lock just before COMMIT, store/postgres.py),
-- so `last_change` never goes down when the newest articles are deleted and never names a number
-- that is not yet visible.

CREATE TABLE change_counter (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO change_counter (id, last)
    SELECT 1, GREATEST((SELECT coalesce(max(change_seq), 0) FROM articles),
                       (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM change_seq));

-- Placeholders before a commit numbers its changes now come from the session itself (its backend pid and a
-- count, store/postgres.py), not from a round trip to this sequence.
DROP SEQUENCE IF EXISTS change_placeholder;
