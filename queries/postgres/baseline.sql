-- name: baseline
-- description: Per series, the median, mean, standard deviation and count over the last :window commits of a branch.
-- param: :branch   the branch; its newest run's commit is the head (default 'main', or 'master' when no run is on main)
-- param: :window   how many commits with results, newest first (default 10)
-- param: :machine  the machine name (default: the machine of the branch's newest run)
-- param: :metric   only metrics matching this GLOB pattern (default: all)
-- Every run at those commits counts once; std_dev is the sample standard deviation (n - 1).
-- PostgreSQL's version of queries/baseline.sql: the same parameters and answers. In psql, give parameters as
-- variables: psql -v branch=main -f queries/postgres/baseline.sql (the lines below make the rest NULL).
\if :{?branch} \else \set branch '' \endif
\if :{?window} \else \set window '' \endif
\if :{?machine} \else \set machine '' \endif
\if :{?metric} \else \set metric '' \endif
WITH RECURSIVE
head AS (
    SELECT commit_sha AS sha, machine FROM hh_runs
    WHERE branch = coalesce(nullif(:'branch', ''), (SELECT branch FROM hh_runs WHERE branch IN ('main', 'master') ORDER BY branch = 'main' DESC LIMIT 1), 'main') AND commit_sha IS NOT NULL
    ORDER BY recorded_at DESC, run_id DESC LIMIT 1
),
history(sha, depth) AS (
    SELECT sha, 0 FROM head
    UNION ALL
    SELECT c.first_parent, h.depth + 1 FROM history h JOIN hh_commits c ON c.sha = h.sha
    WHERE c.first_parent IS NOT NULL AND h.depth < 1000000
),
window_commits AS (
    SELECT h.sha FROM history h
    WHERE EXISTS (SELECT 1 FROM hh_runs r WHERE r.commit_sha = h.sha AND r.machine = coalesce(nullif(:'machine', ''), (SELECT machine FROM head)))
    ORDER BY h.depth LIMIT coalesce(CAST(nullif(:'window', '') AS integer), 10)
),
series AS (
    SELECT m.benchmark, m.params, m.metric, m.unit, m.direction, m.value,
           ROW_NUMBER() OVER (PARTITION BY m.benchmark, m.params, m.metric ORDER BY m.value) AS rank,
           COUNT(*) OVER (PARTITION BY m.benchmark, m.params, m.metric) AS n
    FROM hh_measurements m JOIN window_commits w ON w.sha = m.commit_sha
    WHERE m.machine = coalesce(nullif(:'machine', ''), (SELECT machine FROM head))
      AND hh_glob(m.metric, coalesce(nullif(:'metric', ''), '*'))
)
SELECT benchmark,
       params,
       metric,
       unit,
       direction,
       avg(CASE WHEN rank IN ((n + 1) / 2, (n + 2) / 2) THEN value END) AS median,
       avg(value) AS mean,
       CASE WHEN count(*) > 1
            THEN sqrt(greatest(0, (sum(value * value) - sum(value) * sum(value) / count(*)) / (count(*) - 1))) END AS std_dev,
       count(*) AS count
FROM series
GROUP BY benchmark, params, metric, unit, direction
ORDER BY benchmark COLLATE "C", params COLLATE "C", metric COLLATE "C";
