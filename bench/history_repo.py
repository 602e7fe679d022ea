"""A git repository whose main branch is a first-parent line of N commits, made in one
`git fast-import` (seconds, where N `git commit` calls would take minutes). Shared by the bench scripts."""
import subprocess


def make_repo(folder, commits):
    """Creates the repository at `folder`, checks out main, and returns its shas, oldest first."""
    subprocess.run(["git", "init", "-q", "-b", "main", folder], check=True)
    stream = []
    for i in range(1, commits + 1):
        message = f"commit {i}\n"
        stream.append(f"commit refs/heads/main\nmark :{i}\ncommitter Bench <bench@example.com> {1700000000 + i * 60} +0000\n"
                      f"data {len(message)}\n{message}")
        if i > 1:
            stream.append(f"from :{i - 1}\n")
        stream.append(f"M 644 inline file.txt\ndata {len(str(i))}\n{i}\n\n")
    subprocess.run(["git", "-C", folder, "fast-import", "--quiet"], input="".join(stream).encode(), check=True)
    subprocess.run(["git", "-C", folder, "checkout", "-q", "main"], check=True)
    return subprocess.run(["git", "-C", folder, "rev-list", "--reverse", "main"], capture_output=True, text=True, check=True).stdout.split()
