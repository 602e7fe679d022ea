-- name: runs
-- description: Recent runs with their context, newest first.
-- param: :branch  only runs of this branch (default: every branch)
-- param: :limit   how many runs (default 20)
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
WHERE :branch IS NULL OR branch = :branch
ORDER BY recorded_at DESC, run_id DESC
LIMIT coalesce(:limit, 20);
