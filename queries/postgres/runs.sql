-- name: runs
-- description: Recent runs with their context, newest first.
-- param: :branch  only runs of this branch (default: every branch)
-- param: :limit   how many runs (default 20)
-- PostgreSQL's version of queries/runs.sql: the same parameters and answers. In psql, give parameters as
-- variables: psql -v branch=main -f queries/postgres/runs.sql (the lines below make the rest NULL).
\if :{?branch} \else \set branch '' \endif
\if :{?limit} \else \set limit '' \endif
SELECT run_id,
       run_uuid,
       recorded_at,
       substr(commit_sha, 1, 12) AS commit_sha,
       commit_subject,
       branch,
       dirty,
       machine,
       source_format,
       tool,
       toolchain,
       ci_provider,
       ci_job_url,
       tags
FROM hh_runs
WHERE nullif(:'branch', '') IS NULL OR branch = nullif(:'branch', '')
ORDER BY recorded_at DESC, run_id DESC
LIMIT coalesce(CAST(nullif(:'limit', '') AS integer), 20);
