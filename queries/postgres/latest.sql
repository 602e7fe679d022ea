-- name: latest
-- description: The newest value of every benchmark x metric on a branch.
-- param: :branch  the branch (default 'main', or 'master' when no run is on main)
-- param: :metric  only this metric, a GLOB pattern (default: every metric)
-- PostgreSQL's version of queries/latest.sql: the same parameters and answers. In psql, give parameters as
-- variables: psql -v branch=main -f queries/postgres/latest.sql (the lines below make the rest NULL).
\if :{?branch} \else \set branch '' \endif
\if :{?metric} \else \set metric '' \endif
SELECT benchmark,
       params,
       metric,
       value,
       unit,
       direction,
       substr(commit_sha, 1, 12) AS commit_sha,
       recorded_at,
       run_id
FROM (
    SELECT m.*,
           ROW_NUMBER() OVER (PARTITION BY m.benchmark, m.params, m.metric ORDER BY m.recorded_at DESC, m.run_id DESC) AS newest
    FROM hh_measurements m
    WHERE m.branch = coalesce(nullif(:'branch', ''), (SELECT branch FROM hh_runs WHERE branch IN ('main', 'master') ORDER BY branch = 'main' DESC LIMIT 1), 'main')
      AND hh_glob(m.metric, coalesce(nullif(:'metric', ''), '*'))
) AS ranked
WHERE newest = 1
ORDER BY benchmark COLLATE "C", params COLLATE "C", metric COLLATE "C";
