#!/usr/bin/env python3
"""The secret canary's two CTest steps (tests/support/canary.hpp).

  canary_check.py setup DIR   empty DIR (the fixture setup, before every other test)
  canary_check.py check DIR   after every other test (the fixture cleanup): fail if the canary API key or
                              webhook secret (ODOOSYNC_CANARY_API_KEY, ODOOSYNC_CANARY_WEBHOOK_SECRET) is
                              in any file left under DIR (but *.secret), or was reported by a test's
                              remove_scratch (DIR/hits.txt)
  canary_check.py log BUILD   after ctest has finished (scripts/test): the same for the tests' output,
                              BUILD/Testing/Temporary/LastTest.log (CTest writes it whole only at the end,
                              so the cleanup test cannot read it); the secrets from BUILD/canary.secret
"""
import os
import shutil
import sys
import tempfile


def secrets(build=None):
    """The canary values: from the environment, else from BUILD/canary.secret (written by CMake)."""
    given = dict(os.environ)
    if build:
        with open(os.path.join(build, "canary.secret"), encoding="utf-8") as f:
            given.update(line.strip().split("=", 1) for line in f if "=" in line)
    out = {}
    for name, var in (("API key", "ODOOSYNC_CANARY_API_KEY"), ("webhook secret", "ODOOSYNC_CANARY_WEBHOOK_SECRET")):
        value = given.get(var, "")
        if len(value) < 16:
            sys.exit(f"canary: {var} is not set (or too short to be a canary)")
        out[name] = value.encode()
    return out


def finds(path, wanted):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return [f"cannot read: {e.strerror}"]
    return [name for name, value in wanted.items() if value in data]


def self_test(wanted):
    """The scanner finds a planted canary, in a file outside DIR: a check that could not fail is no check."""
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(b"before " + wanted["API key"] + b" after")
    try:
        if finds(f.name, wanted) != ["API key"]:
            sys.exit("canary: the scanner did not find a planted key")
    finally:
        os.unlink(f.name)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "setup":
        shutil.rmtree(sys.argv[2], ignore_errors=True)
        os.makedirs(os.path.join(sys.argv[2], "tmp"))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "log":
        log = os.path.join(sys.argv[2], "Testing", "Temporary", "LastTest.log")
        wanted = secrets(sys.argv[2])
        self_test(wanted)
        if not os.path.exists(log):
            sys.exit(f"canary: no output log at {log}")
        problems = [f"{log} (the tests' output): the canary {what}" for what in finds(log, wanted)]
        print(f"canary: looked at the tests' output, {os.path.getsize(log)} bytes")
        for p in problems:
            print("canary: LEAK: " + p)
        return 1 if problems else 0
    if len(sys.argv) != 3 or sys.argv[1] != "check":
        sys.exit(__doc__)
    root = sys.argv[2]
    wanted = secrets()
    self_test(wanted)
    problems = []
    hits = os.path.join(root, "hits.txt")
    if os.path.exists(hits):
        with open(hits, encoding="utf-8", errors="replace") as f:
            problems += [f"found by a test before deleting: {line.strip()}" for line in f if line.strip()]
    left = 0
    for d, _, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            if name.endswith(".secret") or p in (hits, os.path.join(root, "scanned.txt")):
                continue
            left += 1
            problems += [f"{p}: the canary {what}" for what in finds(p, wanted) if not what.startswith("cannot")]
    scanned = 0
    if os.path.exists(os.path.join(root, "scanned.txt")):
        with open(os.path.join(root, "scanned.txt"), encoding="utf-8", errors="replace") as f:
            scanned = sum(1 for _ in f)
    print(f"canary: looked at {scanned} files before the tests deleted them and {left} files left under {root}")
    for p in problems:
        print("canary: LEAK: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
