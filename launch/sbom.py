#!/usr/bin/env python3
"""Writes a CycloneDX 1.5 software bill of materials for a built `topiary` binary.

    launch/sbom.py [--binary build/bin/topiary] [--python .venv/bin/python] [-o sbom.json]

What it lists, and where each fact comes from:
  - topiary itself: `topiary --version --json` (version, commit, compiler, build type);
  - every shared library the binary loads: `ldd` plus the libraries the running binary reports
    as mapped (which also catches ones opened later). Each file is attributed to the Debian
    package that owns it (`dpkg -S`, version from `dpkg-query`, purl pkg:deb/debian/...), or to
    the Python wheel that ships it (the torch wheel's LibTorch, NVIDIA's NCCL and CUDA wheels:
    importlib.metadata of the environment's Python, purl pkg:pypi/...), or to a wheel unpacked
    elsewhere with its dist-info folder kept (a CUDA toolkit assembled from NVIDIA's wheels), or,
    owned by none of these, listed as a file with its SHA-256;
  - header-only libraries compiled in (CLI11, nlohmann-json): the binary's compiled_with list,
    with the Debian package that owns the header;
  - every other wheel in the environment (tests, benchmarks, tokenizer training), scope optional.
Components that own a loaded file are scope required and are the binary's dependencies.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timezone

# Header-only libraries: the header whose Debian owner names the package.
HEADER_OF = {
    "CLI11": "/usr/include/CLI/CLI.hpp",
    "nlohmann_json": "/usr/include/nlohmann/json.hpp",
}

# Run by the environment's Python: every shared library file each installed wheel ships.
WHEEL_FILES = r"""
import importlib.metadata as m, json, os
out = {}
for dist in m.distributions():
    name, version = dist.metadata["Name"], dist.version
    files = []
    for f in dist.files or []:
        if ".so" in f.name:
            files.append(os.path.realpath(str(f.locate())))
    out[name] = {"version": version, "files": files}
print(json.dumps(out))
"""


def run(args, check=True):
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        sys.exit(f"sbom.py: {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def ldd_paths(binary):
    paths = []
    for line in run(["ldd", binary]).stdout.splitlines():
        match = re.search(r"=>\s*(/\S+)", line) or re.match(r"\s*(/\S+)\s+\(", line)
        if match:
            paths.append(match.group(1))
    return paths


def dpkg_owner(path):
    """(package, version, arch) of the Debian package owning path, or None."""
    # Debian 12 records some libraries under /lib and some under /usr/lib (merged /usr).
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        if p.startswith("/lib/"):
            candidates.append("/usr" + p)
        elif p.startswith("/usr/lib/"):
            candidates.append(p[len("/usr"):])
    for candidate in dict.fromkeys(candidates):
        result = run(["dpkg", "-S", candidate], check=False)
        if result.returncode == 0:
            # "libfmt9:amd64: /usr/lib/...", "libcli11-dev: /usr/include/...", "a, b: path"
            package = result.stdout.splitlines()[0].split(": ", 1)[0].split(",")[0].strip()
            query = run(["dpkg-query", "-W", "-f", "${Package} ${Version} ${Architecture}",
                         package], check=False)
            if query.returncode == 0 and query.stdout.strip():
                name, version, arch = query.stdout.split()[:3]
                return name, version, arch
    return None


def unpacked_wheel_owner(path):
    """(wheel, version) when path lies in a tree unpacked from wheels that kept their
    dist-info folders (a CUDA toolkit assembled from NVIDIA's wheels), else None."""
    name = os.path.basename(path)
    folder = os.path.dirname(path)
    while folder not in ("", "/"):
        info_root = os.path.join(folder, "dist-info")
        if os.path.isdir(info_root):
            for entry in sorted(os.listdir(info_root)):
                record = os.path.join(info_root, entry, "RECORD")
                metadata = os.path.join(info_root, entry, "METADATA")
                if not (os.path.isfile(record) and os.path.isfile(metadata)):
                    continue
                with open(record) as f:
                    if not any(os.path.basename(line.split(",")[0]) == name for line in f):
                        continue
                fields = {}
                with open(metadata) as f:
                    for line in f:
                        key, _, value = line.partition(":")
                        if key in ("Name", "Version") and key not in fields:
                            fields[key] = value.strip()
                if "Name" in fields and "Version" in fields:
                    return fields["Name"], fields["Version"]
            return None
        folder = os.path.dirname(folder)
    return None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default="build/bin/topiary")
    parser.add_argument("--python", default=".venv/bin/python",
                        help="the Python environment whose wheels the binary uses")
    parser.add_argument("-o", "--output", default="-", help="file to write, or - for stdout")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"sbom.py: {args.binary}: not an executable (build first, or pass --binary)")

    info = json.loads(run([args.binary, "--version", "--json"]).stdout)
    wheels = json.loads(run([args.python, "-c", WHEEL_FILES]).stdout) \
        if os.access(args.python, os.X_OK) else {}
    wheel_of_file = {f: name for name, w in wheels.items() for f in w["files"]}

    components = {}  # bom-ref -> component
    def component(ref, **fields):
        entry = components.setdefault(ref, {"bom-ref": ref, **fields, "properties": []})
        return entry

    loaded = sorted(set(ldd_paths(args.binary)) | set(info.get("loaded_libraries", [])))
    required = set()
    for path in loaded:
        real = os.path.realpath(path)
        wheel = wheel_of_file.get(real)
        owner = None if wheel else dpkg_owner(path)
        unpacked = None if wheel or owner else unpacked_wheel_owner(real)
        if wheel:
            version = wheels[wheel]["version"]
            ref = f"pkg:pypi/{wheel.lower()}@{version}"
            entry = component(ref, type="library", name=wheel, version=version, purl=ref)
        elif unpacked:
            name, version = unpacked
            ref = f"pkg:pypi/{name.lower()}@{version}"
            entry = component(ref, type="library", name=name, version=version, purl=ref)
        elif owner:
            name, version, arch = owner
            ref = f"pkg:deb/debian/{name}@{version}?arch={arch}"
            entry = component(ref, type="library", name=name, version=version, purl=ref)
        else:
            name = os.path.basename(path)
            ref = f"file:{real}"
            entry = component(ref, type="file", name=name, version="unknown",
                              hashes=[{"alg": "SHA-256", "content": sha256_of(real)}])
            entry["properties"].append({"name": "topiary:origin",
                                        "value": "not owned by a Debian package or a wheel"})
        entry["properties"].append({"name": "topiary:loaded_file", "value": path})
        required.add(ref)

    for item in info.get("compiled_with", []):
        header = HEADER_OF.get(item["name"])
        owner = dpkg_owner(header) if header else None
        if not owner:
            continue
        name, version, arch = owner
        ref = f"pkg:deb/debian/{name}@{version}?arch={arch}"
        entry = component(ref, type="library", name=name, version=version, purl=ref)
        entry["properties"].append({"name": "topiary:compiled_in",
                                    "value": f"{item['name']} {item['version']} (header-only)"})
        required.add(ref)

    for name, wheel in sorted(wheels.items()):
        ref = f"pkg:pypi/{name.lower()}@{wheel['version']}"
        if ref not in components:
            component(ref, type="library", name=name, version=wheel["version"], purl=ref,
                      scope="optional")
    for ref, entry in components.items():
        entry.setdefault("scope", "required" if ref in required else "optional")
        if not entry["properties"]:
            del entry["properties"]

    root_ref = f"topiary@{info['version']}+{info['commit']}"
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "topiary launch/sbom.py",
                                      "version": info["version"]}]},
            "component": {
                "type": "application", "bom-ref": root_ref, "name": "topiary",
                "version": info["version"],
                "hashes": [{"alg": "SHA-256", "content": sha256_of(args.binary)}],
                "properties": [{"name": "topiary:commit", "value": info["commit"]},
                               {"name": "topiary:build_type", "value": info["build_type"]},
                               {"name": "topiary:compiler", "value": info["compiler"]}],
            },
        },
        "components": sorted(components.values(), key=lambda c: c["bom-ref"]),
        "dependencies": [{"ref": root_ref, "dependsOn": sorted(required)}] +
                        [{"ref": ref} for ref in sorted(components)],
    }
    text = json.dumps(bom, indent=2) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        # Write beside the target and rename, so a failed run never leaves half a file.
        tmp = f"{args.output}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, args.output)
    print(f"sbom.py: {len(components)} components ({len(required)} required)", file=sys.stderr)


if __name__ == "__main__":
    main()
