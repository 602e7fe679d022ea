#!/usr/bin/env python3
"""Issue 15's write-speed benchmark, in one run on one machine, against a throwaway PostgreSQL
cluster this script starts (initdb and pg_ctl in a temporary folder, on a Unix socket; as the
`postgres` user when run as root, since initdb refuses root):

1. `hhbench record` of 1,000,000 full-precision raw samples (100 runs of 10 benchmarks x 1,000
   samples, one native JSON-lines file a run, all in one call) into a new PostgreSQL warehouse.
2. The same values loaded with psql's `\\copy` (CSV, one row a sample: run, index, value) into a
   bare three-column table, the reference the issue names.
Each is timed end to end (process start to exit), median of 3 on fresh databases; the ratio is
hhbench's time over \\copy's (target: at most 2). Also records the same files into SQLite for scale.
3. `hhbench compare --since main` on bench/compare_speed.py's history (2,000 runs, one a commit of a
   first-parent line, x 50 benchmarks x 10 metrics, 100 raw samples a series, and a candidate run
   on a branch), recorded into SQLite and merged into PostgreSQL. Both are timed end to end,
   alternating, median of 7; the ratio is PostgreSQL's time over SQLite's (target: at most 2), and
   both outputs must be the same.

Usage: python3 bench/postgres_speed.py [--hhbench PATH] [--only record|compare] [--commits N]
       (after `swift build -c release`; needs Debian's postgresql package)
"""
import argparse, glob, os, random, shutil, statistics, subprocess, sys, tempfile, time

from compare_speed import build_history

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def as_server_user(command, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)


def timed(command, **kwargs):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hhbench", default=os.path.join(root, ".build", "release", "hhbench"))
    parser.add_argument("--only", choices=["record", "compare"])
    parser.add_argument("--commits", type=int, default=2000)
    args = parser.parse_args()
    hhbench = os.path.abspath(args.hhbench)
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not binaries:
        sys.exit("PostgreSQL is not installed: apt-get install -y postgresql")
    bin_dir = binaries[-1]
    folder = tempfile.mkdtemp(prefix="hhbench-pg-speed-")
    os.chmod(folder, 0o755)
    data, socket = os.path.join(folder, "data"), os.path.join(folder, "socket")
    os.makedirs(data)
    os.makedirs(socket)
    if os.geteuid() == 0:
        for path in (folder, data, socket):
            shutil.chown(path, "postgres", "postgres")
    port = "55439"
    try:
        as_server_user([f"{bin_dir}/initdb", "-D", data, "-U", "bench", "--auth=trust", "--no-sync"], cwd="/tmp")
        as_server_user([f"{bin_dir}/pg_ctl", "-D", data, "-o", f"-p {port} -k {socket} -c listen_addresses=''", "-l",
                        os.path.join(folder, "log"), "-w", "start"], cwd="/tmp")
        psql = [f"{bin_dir}/psql", "-X", "-q", "-h", socket, "-p", port, "-U", "bench"]

        if args.only != "compare":
            record_speed(hhbench, folder, socket, port, psql)
        if args.only != "record":
            compare_speed(hhbench, folder, socket, port, psql, args.commits)
    finally:
        subprocess.run((["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) +
                       [f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)


def record_speed(hhbench, folder, socket, port, psql):
    """record of 1,000,000 samples into PostgreSQL against psql's \\copy of the same values."""
    rng = random.Random(15)
    inputs = os.path.join(folder, "runs")
    os.makedirs(inputs)
    os.chmod(inputs, 0o755)
    rows = []
    for run in range(100):
        with open(os.path.join(inputs, f"{run:03d}.jsonl"), "w") as out:
            out.write('{"run":{"recorded_at":"2026-12-01T00:00:00.000Z","branch":"main","commit":{"sha":"%040x","parents":[]},'
                      '"machine":{"name":"bench"}}}\n' % (run + 1))
            for b in range(10):
                samples = [(b + 1) * rng.lognormvariate(0, 0.05) for _ in range(1000)]
                out.write('{"benchmark":"bench_%d","metric":"time_ms","samples":[%s]}\n' % (b, ",".join(repr(v) for v in samples)))
                rows += [f"{run},{b * 1000 + i},{v!r}\n" for i, v in enumerate(samples)]
    csv = os.path.join(folder, "samples.csv")
    with open(csv, "w") as out:
        out.writelines(rows)
    os.chmod(csv, 0o644)
    files = sorted(glob.glob(os.path.join(inputs, "*.jsonl")))

    ours, copy, sqlite = [], [], []
    for trial in range(3):
        subprocess.run(psql + ["-d", "postgres", "-c", f"CREATE DATABASE h{trial}", "-c", f"CREATE DATABASE c{trial}"], check=True)
        url = f"postgresql://bench@/h{trial}?host={socket}&port={port}"
        ours.append(timed([hhbench, "record", "--db", url, *files], cwd=folder))
        subprocess.run(psql + ["-d", f"c{trial}", "-c", "CREATE TABLE samples (run integer, idx integer, value double precision)"], check=True)
        copy.append(timed(psql + ["-d", f"c{trial}", "-c", f"\\copy samples FROM '{csv}' WITH (FORMAT csv)"]))
        sqlite.append(timed([hhbench, "record", "--db", os.path.join(folder, f"s{trial}.db"), *files], cwd=folder))
    count = subprocess.run(psql + ["-d", "h0", "-A", "-t", "-c", "SELECT sum(count) FROM sample_series"],
                           capture_output=True, text=True, check=True).stdout.strip()
    print(f"1,000,000 samples ({count} stored) in 100 runs: hhbench record into PostgreSQL {statistics.median(ours):.2f} s, "
          f"psql \\copy into a bare table {statistics.median(copy):.2f} s, ratio {statistics.median(ours) / statistics.median(copy):.2f} "
          f"(target <= 2); the same record into SQLite {statistics.median(sqlite):.2f} s")


def compare_speed(hhbench, folder, socket, port, psql, commits):
    """compare --since main on the same history in SQLite and in PostgreSQL."""
    start = time.perf_counter()
    repo, inputs = os.path.join(folder, "repo"), os.path.join(folder, "history")
    os.makedirs(inputs)
    db = os.path.join(folder, "history.db")
    files = build_history(hhbench, repo, inputs, db, commits, 50)
    env = dict(os.environ, HHBENCH_MACHINE="bench")
    subprocess.run(psql + ["-d", "postgres", "-c", "CREATE DATABASE history"], check=True)
    url = f"postgresql://bench@/history?host={socket}&port={port}"
    subprocess.run([hhbench, "merge", "--db", url, db], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(psql + ["-d", "history", "-c", "VACUUM ANALYZE"], check=True)
    print(f"built {len(files)} runs in SQLite and PostgreSQL in {time.perf_counter() - start:.0f} s")
    times = {db: [], url: []}
    outputs = {}
    for _ in range(7):
        for database in (db, url):
            began = time.perf_counter()
            result = subprocess.run([hhbench, "compare", "--since", "main", "--db", database], cwd=repo, env=env,
                                    capture_output=True, text=True)
            times[database].append(time.perf_counter() - began)
            if result.returncode not in (0, 1):
                sys.exit(f"compare failed on {database} ({result.returncode}): {result.stderr}")
            outputs[database] = result.stdout
    if outputs[db] != outputs[url]:
        sys.exit("compare --since main answered differently on SQLite and PostgreSQL")
    sqlite, postgres = statistics.median(times[db]), statistics.median(times[url])
    print(f"compare --since main over {len(files)} runs x 50 benchmarks x 10 metrics: SQLite {sqlite * 1000:.0f} ms, "
          f"PostgreSQL {postgres * 1000:.0f} ms, ratio {postgres / sqlite:.2f} (target <= 2); the same output from both")


if __name__ == "__main__":
    main()
