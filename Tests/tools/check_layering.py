#!/usr/bin/env python3
"""The module layering, checked from the sources (run by .ci/run; exits 1 on any finding).

1. Every `import` of a module of this package or of a package dependency is declared in that
   target's dependencies in Package.swift (`swift package dump-package`): the compiler lets an
   undeclared import through when the module happens to be built for another target. And a library
   target declares only what it imports.
2. The declared dependencies follow the documented layering (README "Layout"): data flows one way,
   runner or adapter -> run record -> Warehouse -> Analysis -> rendering. LAYERS below is that
   rule; a dependency outside it is a leak.
3. Only Warehouse knows the engines: GRDB and PostgresNIO are imported nowhere else, and no other library module
   holds SQL (a string literal that starts a SELECT, INSERT, UPDATE, DELETE, CREATE or PRAGMA).

Usage: python3 Tests/tools/check_layering.py [PACKAGE_DIR]
"""
import json
import os
import re
import subprocess
import sys

# What each target may depend on. Tools, benchmarks and tests may use anything below them.
LAYERS = {
    "TOML": set(),
    "Statistics": set(),
    "Records": {"Statistics"},
    "Capture": {"Records", "CMeasure"},
    "Ingest": {"Records", "Statistics"},
    "Warehouse": {"Records", "Statistics", "GRDB", "Crypto", "PostgresNIO", "Logging"},
    "Recording": {"Records", "Capture", "Warehouse", "Ingest", "Statistics", "CCompress"},
    "Analysis": {"Warehouse", "Statistics", "Records", "Capture", "TOML"},
    "Runner": {"Records", "Capture", "Statistics", "CMeasure"},
    "HHBenchKit": {"Records", "Statistics", "CMeasure"},
    "HHBenchRecording": {"HHBenchKit", "Records", "Recording", "Warehouse"},
    "CMeasure": set(),
    "CHTTP": set(),
    "CCompress": set(),
    "hhbench": {"Statistics", "Records", "Capture", "Ingest", "Warehouse", "Recording", "Analysis", "Runner", "ArgumentParser", "Crypto", "Mustache", "CHTTP"},
}
ENGINE_ONLY = {"GRDB": "Warehouse", "PostgresNIO": "Warehouse"}
LIBRARIES_WITHOUT_SQL = {"TOML", "Statistics", "Records", "Capture", "Ingest", "Recording", "Analysis", "Runner", "HHBenchKit", "HHBenchRecording", "hhbench"}
# A string literal (one-line or multi-line) that starts with an SQL statement.
SQL = re.compile(r'"""[ \t]*\n\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|WITH)\b|"(?:SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|PRAGMA) ')
IMPORT = re.compile(r'^\s*(?:@[\w(). ]+\s+)*(?:public |package |internal |private |fileprivate )?import\s+(?:(?:struct|class|enum|func|protocol|typealias|var|let)\s+)?([A-Za-z_][A-Za-z0-9_]*)', re.M)


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, capture_output=True, text=True, check=True).stdout)
    targets = {t["name"]: t for t in package["targets"]}
    products = set()  # modules of other packages, as the targets name them
    declared = {}
    for name, target in targets.items():
        deps = set()
        for dep in target["dependencies"]:
            kind = next(iter(dep))
            deps.add(dep[kind][0])
            if kind == "product":
                products.add(dep[kind][0])
        declared[name] = deps
    ours = set(targets) | products
    findings = []
    for name, target in targets.items():
        if target["type"] == "plugin":
            continue
        folder = os.path.join(root, target.get("path") or ("Tests" if target["type"] == "test" else "Sources"), "" if target.get("path") else name)
        allowed = declared[name]
        used = set()
        for top, _, files in os.walk(folder):
            if "Fixtures" in top.split(os.sep):
                continue
            for file in files:
                if not file.endswith(".swift"):
                    continue
                path = os.path.join(top, file)
                text = open(path, encoding="utf-8").read()
                relative = os.path.relpath(path, root)
                imports = set(IMPORT.findall(text))
                used |= imports
                for module in sorted(imports):
                    if module in ours and module != name and module not in allowed:
                        findings.append(f"{relative}: imports {module}, which {name} does not declare in Package.swift")
                    owner = ENGINE_ONLY.get(module)
                    if owner and name != owner and target["type"] != "test":
                        findings.append(f"{relative}: imports {module}; only {owner} may know the database engine")
                if name in LIBRARIES_WITHOUT_SQL:
                    for match in SQL.finditer(text):
                        number = text[:match.end()].count("\n") + 1
                        findings.append(f"{relative}:{number}: SQL outside Warehouse")
        swift = any(f.endswith(".swift") for _, _, fs in os.walk(folder) for f in fs)
        for dep in sorted(allowed - used):
            if swift and target["type"] == "regular" and dep in ours:
                findings.append(f"Package.swift: {name} declares {dep} but no file imports it")
        if name in LAYERS:
            for dep in sorted(declared[name] - LAYERS[name]):
                findings.append(f"Package.swift: {name} depends on {dep}, against the layering (Tests/tools/check_layering.py LAYERS)")
    for finding in findings:
        print(finding, file=sys.stderr)
    print(f"layering: {len(targets)} targets, {len(findings)} findings", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
