#!/usr/bin/env python3
"""Issue 7's agreement benchmark: `hhbench run` against hyperfine (Debian package) in the same run,
on the same commands: `sleep 0.05`, a CPU-bound loop of about 50 ms, and `true`.

Targets: hhbench's mean within 2 % of hyperfine's for the first two; hhbench's own per-run overhead
for `true` (its measured mean) no more than hyperfine's with -N (no shell).
The commands run alternately (hyperfine, hhbench, hyperfine, hhbench, ...) so drift hits both.

Usage: python3 bench/run_vs_hyperfine.py   (after `swift build -c release`; apt-get install -y hyperfine)
"""
import json, os, shutil, statistics, subprocess, sys, tempfile

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
hhbench = os.path.join(root, ".build", "release", "hhbench")


def cpu_loop_command():
    # A CPU-bound loop of about 50 ms: awk counting, calibrated on this machine.
    n = 1_000_000
    for _ in range(8):
        out = subprocess.run(["hyperfine", "-N", "--runs", "5", "--export-json", "/dev/stdout", "--style", "none",
                              f"awk 'BEGIN{{for(i=0;i<{n};i++)s+=i}}'"], capture_output=True, text=True, check=True).stdout
        mean = json.loads(out)["results"][0]["mean"]
        if 0.045 <= mean <= 0.055:
            break
        n = int(n * 0.05 / mean)
    return f"awk 'BEGIN{{for(i=0;i<{n};i++)s+=i}}'"


def hyperfine_mean(command, folder, runs):
    path = os.path.join(folder, "h.json")
    subprocess.run(["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--style", "none", "--export-json", path, command],
                   check=True, capture_output=True)
    return json.load(open(path))["results"][0]["mean"] * 1000


def hhbench_mean(command, folder, runs):
    path = os.path.join(folder, "r.jsonl")
    subprocess.run([hhbench, "run", "--warmup", "3", "--runs", str(runs), "--style", "none", "--no-record",
                    "--export-jsonl", path, command], check=True, capture_output=True, cwd=folder)
    for line in open(path):
        row = json.loads(line)
        if row.get("metric") == "time_ms":
            return statistics.mean(row["samples"])


def main():
    if not shutil.which("hyperfine"):
        sys.exit("hyperfine not found: apt-get install -y hyperfine")
    if not os.path.exists(hhbench):
        sys.exit("build first: swift build -c release")
    folder = tempfile.mkdtemp(prefix="hhbench-vs-hyperfine-")
    try:
        loop = cpu_loop_command()
        for label, command, runs, rounds in [("sleep 0.05", "sleep 0.05", 20, 7), ("cpu loop", loop, 20, 11), ("true", "true", 1000, 5)]:
            theirs, ours = [], []
            for _ in range(rounds):
                theirs.append(hyperfine_mean(command, folder, runs))
                ours.append(hhbench_mean(command, folder, runs))
            h, o = statistics.median(theirs), statistics.median(ours)
            verdict = ""
            if label == "true":
                verdict = "ok (hhbench's overhead is not above hyperfine -N's)" if o <= h else "ABOVE hyperfine -N"
            else:
                verdict = "within 2 %" if abs(o / h - 1) <= 0.02 else "NOT within 2 %"
            print(f"{label:10s} hyperfine -N mean {h:8.3f} ms   hhbench mean {o:8.3f} ms   ratio {o / h:.4f}   {verdict}"
                  f"   (median of {rounds} rounds of {runs} runs)")
        print(f"cpu loop command: {loop}")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
