-- 0003: raw samples stored as fixed-width binary integers, about 7 bytes per full-precision
-- sample instead of 17 to 22 as JSON text (Sources/Warehouse/SampleCoding.swift; docs/SCHEMA.md).
--
-- Each series keeps `count` samples. Sample i is the integer
--     n_i = base + u_i,  u_i = bytes [i * width, (i + 1) * width) of `samples`, big-endian
-- (unsigned, except that a width of 8 holds n_i itself as a signed two's-complement integer),
-- and its value is
--     n_i / divisor                 when ieee754 = 0 (n_i is the decimal mantissa: 0.051234 ms
--                                   is 51234 with divisor 1e6), or
--     the binary64 double whose bits are n_i   when ieee754 = 1 (values with no short decimal).
-- Both are exact: reading gives back the very double that was recorded.
--
-- After this file, hhbench copies every series of `sample_series_json` into the new table
-- (Swift: Migrations.afterSQL) and drops it, all in this migration's transaction.

DROP VIEW hh_samples;
DROP INDEX sample_series_series;
ALTER TABLE sample_series RENAME TO sample_series_json;

CREATE TABLE sample_series (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    benchmark_id INTEGER NOT NULL REFERENCES benchmarks(id),
    metric_id    INTEGER NOT NULL REFERENCES metrics(id),
    count        INTEGER NOT NULL CHECK (count > 0),
    ieee754      INTEGER NOT NULL CHECK (ieee754 IN (0, 1)),
    divisor      REAL NOT NULL CHECK (divisor >= 1),
    base         INTEGER NOT NULL,
    width        INTEGER NOT NULL CHECK (width BETWEEN 0 AND 8),
    samples      BLOB NOT NULL CHECK (length(samples) = count * width),
    UNIQUE (run_id, benchmark_id, metric_id)
) STRICT;
CREATE INDEX sample_series_series ON sample_series(benchmark_id, metric_id);

-- One row per sample. `j` numbers the samples (json_each over a JSON array of `count` zeros is
-- SQLite's built-in row generator), `h` is sample idx's bytes as 16 hex digits (zero-padded; a
-- width of 8 makes the first digit signed), `n` is the integer they spell, decoded once, and the
-- value follows the rule above. pow() is SQLite's math function. Decoding in SQL costs about
-- 10 us a sample: filter on benchmark or run first, or read samples with `hhbench export`.
CREATE VIEW hh_samples AS
SELECT b.name         AS benchmark,
       mt.name        AS series,
       CAST(j.key AS INTEGER) AS idx,
       CASE WHEN s.ieee754 = 0 THEN n.value / s.divisor
            WHEN (n.value >> 52) & 2047 = 0
            THEN (CASE WHEN n.value < 0 THEN -1 ELSE 1 END) * (n.value & 4503599627370495) * pow(2, -1074)
            ELSE (CASE WHEN n.value < 0 THEN -1 ELSE 1 END) * ((n.value & 4503599627370495) + 4503599627370496)
                 * pow(2, ((n.value >> 52) & 2047) - 1075)
       END            AS value,
       mt.unit,
       substr(r.commit_sha, 1, 10) AS "commit",
       r.recorded_at,
       r.branch,
       mc.name        AS machine,
       b.group_name   AS benchmark_group,
       b.params       AS params,
       mt.direction,
       r.commit_sha,
       r.id           AS run_id,
       r.uuid         AS run_uuid
FROM sample_series s
JOIN runs r        ON r.id = s.run_id
JOIN machines mc   ON mc.id = r.machine_id
JOIN benchmarks b  ON b.id = s.benchmark_id
JOIN metrics mt    ON mt.id = s.metric_id
JOIN json_each('[' || rtrim(replace(hex(zeroblob(s.count)), '00', '0,'), ',') || ']') j
JOIN json_each('["' || substr('0000000000000000' || hex(substr(s.samples, j.key * s.width + 1, s.width)), -16) || '"]') h
JOIN json_each('[' || (s.base
        + ((((unicode(substr(h.value, 1, 1)) - 48 - 7 * (unicode(substr(h.value, 1, 1)) > 57)) + 8) % 16 - 8) << 60)
        + ((unicode(substr(h.value, 2, 1)) - 48 - 7 * (unicode(substr(h.value, 2, 1)) > 57)) << 56)
        + ((unicode(substr(h.value, 3, 1)) - 48 - 7 * (unicode(substr(h.value, 3, 1)) > 57)) << 52)
        + ((unicode(substr(h.value, 4, 1)) - 48 - 7 * (unicode(substr(h.value, 4, 1)) > 57)) << 48)
        + ((unicode(substr(h.value, 5, 1)) - 48 - 7 * (unicode(substr(h.value, 5, 1)) > 57)) << 44)
        + ((unicode(substr(h.value, 6, 1)) - 48 - 7 * (unicode(substr(h.value, 6, 1)) > 57)) << 40)
        + ((unicode(substr(h.value, 7, 1)) - 48 - 7 * (unicode(substr(h.value, 7, 1)) > 57)) << 36)
        + ((unicode(substr(h.value, 8, 1)) - 48 - 7 * (unicode(substr(h.value, 8, 1)) > 57)) << 32)
        + ((unicode(substr(h.value, 9, 1)) - 48 - 7 * (unicode(substr(h.value, 9, 1)) > 57)) << 28)
        + ((unicode(substr(h.value, 10, 1)) - 48 - 7 * (unicode(substr(h.value, 10, 1)) > 57)) << 24)
        + ((unicode(substr(h.value, 11, 1)) - 48 - 7 * (unicode(substr(h.value, 11, 1)) > 57)) << 20)
        + ((unicode(substr(h.value, 12, 1)) - 48 - 7 * (unicode(substr(h.value, 12, 1)) > 57)) << 16)
        + ((unicode(substr(h.value, 13, 1)) - 48 - 7 * (unicode(substr(h.value, 13, 1)) > 57)) << 12)
        + ((unicode(substr(h.value, 14, 1)) - 48 - 7 * (unicode(substr(h.value, 14, 1)) > 57)) << 8)
        + ((unicode(substr(h.value, 15, 1)) - 48 - 7 * (unicode(substr(h.value, 15, 1)) > 57)) << 4)
        + (unicode(substr(h.value, 16, 1)) - 48 - 7 * (unicode(substr(h.value, 16, 1)) > 57))
    ) || ']') n;

-- When `hhbench prune` removed the run's raw samples (its measurements stay); NULL when never.
ALTER TABLE runs ADD COLUMN samples_pruned_at TEXT;
