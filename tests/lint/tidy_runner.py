#!/usr/bin/env python3
"""Runs clang-tidy over framework sources, remembering which ones were found clean.

    tidy_runner.py --build DIR --src DIR --cache DIR [--jobs N] [--budget SECONDS] FILE...

A source is skipped when a source with the same preprocessed text (every header it includes,
paths of the checkout replaced by placeholders, so another clone of the same commit matches),
the same compile flags, the same .clang-tidy and the same clang-tidy version was found clean
before. The others are analysed, most recently committed first (a change is likeliest to hold a
new finding), `--jobs` at a time; with `--budget`, no new source starts after that many seconds
and the ones left are listed as not analysed in this run. Exit 1 on any finding.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time


def tool_identity(src, extra_args):
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, text=True).stdout
    with open(os.path.join(src, ".clang-tidy"), "rb") as f:
        config = f.read()
    return hashlib.sha256(version.encode() + config + " ".join(extra_args).encode()).hexdigest()


def preprocess_command(entry):
    args = shlex.split(entry["command"])
    out = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == "-o":
            skip = True
            continue
        if arg == "-c":
            continue
        out.append(arg)
    return out + ["-E", "-P", "-o", "-"]


def source_key(entry, src, build, identity):
    placeholders = [(os.path.realpath(os.path.join(src, ".venv")), "VENV"),
                    (os.path.join(src, ".venv"), "VENV"), (os.path.realpath(build), "BUILD"),
                    (build, "BUILD"), (os.path.realpath(src), "SRC"), (src, "SRC")]
    def normal(text):
        for path, name in placeholders:
            text = text.replace(path, name)
        return text
    pre = subprocess.run(preprocess_command(entry), cwd=entry["directory"], capture_output=True,
                         text=True, errors="replace")
    if pre.returncode != 0:
        return None  # the analysis itself will report what is wrong
    digest = hashlib.sha256(identity.encode())
    digest.update(normal(entry["command"]).encode())
    digest.update(normal(pre.stdout).encode())
    return digest.hexdigest()


def last_commit_time(src, path):
    out = subprocess.run(["git", "-C", src, "log", "-1", "--format=%ct", "--", path],
                         capture_output=True, text=True).stdout.strip()
    return int(out) if out else int(time.time())  # uncommitted: newest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--src", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--budget", type=float, default=0, help="seconds; 0 = no limit")
    parser.add_argument("--extra-arg", action="append", default=[])
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    src, build = os.path.abspath(args.src), os.path.abspath(args.build)
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = {os.path.realpath(e["file"]): e for e in json.load(f)}
    os.makedirs(args.cache, exist_ok=True)
    identity = tool_identity(src, args.extra_arg)
    start = time.monotonic()

    def key_of(path):
        entry = entries.get(os.path.realpath(path))
        if entry is None:
            sys.exit(f"tidy_runner.py: {path} is not in compile_commands.json")
        return path, source_key(entry, src, build, identity)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        keyed = list(pool.map(key_of, args.files))
    cached = [p for p, k in keyed if k and os.path.exists(os.path.join(args.cache, k))]
    todo = [(p, k) for p, k in keyed if p not in cached]
    todo.sort(key=lambda item: -last_commit_time(src, item[0]))

    def analyse(item):
        path, key = item
        if args.budget and time.monotonic() - start > args.budget:
            return path, None
        run = subprocess.run(["clang-tidy", "-p", build, "--quiet"] +
                             [f"--extra-arg={a}" for a in args.extra_arg] + [path],
                             capture_output=True, text=True, errors="replace")
        findings = [line for line in run.stdout.splitlines()
                    if " warning: " in line or " error: " in line]
        if findings:
            return path, run.stdout
        if key and run.returncode == 0:
            marker = os.path.join(args.cache, key)
            with open(marker + ".tmp", "w") as f:
                f.write(os.path.relpath(path, src) + "\n")
            os.replace(marker + ".tmp", marker)
        return path, ""

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(analyse, todo))
    found = [(p, out) for p, out in results if out]
    skipped = [p for p, out in results if out is None]
    analysed = len(results) - len(skipped)
    for path, out in found:
        print(out.rstrip())
    print(f"clang-tidy: {len(args.files)} sources: {len(cached)} unchanged since found clean, "
          f"{analysed} analysed in {time.monotonic() - start:.0f} s, {len(found)} with findings")
    if skipped:
        print(f"not analysed in this run (time budget of {args.budget:.0f} s spent; the next run "
              f"starts with them): " + " ".join(os.path.relpath(p, src) for p in skipped))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
