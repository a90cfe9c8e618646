#!/usr/bin/env bash
# The bill of materials: `topiary --version --json` reports what the binary was compiled against
# and every shared library it has loaded; launch/sbom.py turns that into a CycloneDX 1.5 file
# that validates against the official schema and accounts for every library `ldd` lists.
source "$(dirname "$0")/../lib.sh"

"$BIN" --version --json >"$WORK/version.json"
"$BIN" --json --version >"$WORK/version2.json"
"$PY" - "$WORK/version.json" "$WORK/version2.json" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
assert info["commit"] == json.load(open(sys.argv[2]))["commit"], "--json --version differs"
for key in ("name", "version", "commit", "build_type", "compiler", "compiled_with", "runtime",
            "loaded_libraries"):
    assert key in info, f"--version --json lacks {key}"
names = {c["name"]: c["version"] for c in info["compiled_with"]}
for needed in ("LibTorch", "HDF5", "Open MPI", "OpenSSL", "CLI11", "nlohmann_json", "fmt"):
    assert names.get(needed), f"compiled_with lacks {needed}: {names}"
loaded = info["loaded_libraries"]
for lib in ("libtorch_cpu.so", "libmpi.so", "libhdf5", "libyaml-cpp", "libcrypto"):
    assert any(lib in p for p in loaded), f"{lib} not among the loaded libraries: {loaded}"
assert info["runtime"]["hdf5"] == names["HDF5"], "HDF5 headers and library differ"
print(f"ok: --version --json: {len(loaded)} loaded libraries, {len(names)} compiled-in versions")
PY

# The plain text is unchanged by the new flag.
"$BIN" --version | grep -qE '^topiary [0-9]+\.[0-9]+\.[0-9]+ \(commit ' || fail "plain --version changed"

"$PY" "$SRC/launch/sbom.py" --binary "$BIN" --python "$PY" -o "$WORK/sbom.json"
ldd "$BIN" | grep -oE '=> /[^ ]+' | cut -c4- | sort -u >"$WORK/ldd.txt"
"$PY" - "$WORK/sbom.json" "$WORK/ldd.txt" "$WORK/version.json" <<'PY'
import json, sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
text = open(sys.argv[1]).read()
error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(text)
assert error is None, f"not valid CycloneDX 1.5: {error}"
bom = json.loads(text)
info = json.load(open(sys.argv[3]))
files = {p["value"] for c in bom["components"] for p in c.get("properties", [])
         if p["name"] == "topiary:loaded_file"}
missing = [l for l in open(sys.argv[2]).read().split() if l not in files]
assert not missing, f"libraries ldd lists but the SBOM does not: {missing}"
by_name = {c["name"]: c for c in bom["components"]}
torch = by_name.get("torch")
assert torch and torch["scope"] == "required", "the torch wheel (LibTorch) is not a required component"
assert torch["version"].startswith(next(c["version"] for c in info["compiled_with"]
                                        if c["name"] == "LibTorch"))
debs = [c for c in bom["components"] if c.get("purl", "").startswith("pkg:deb/debian/")]
assert any(c["name"].startswith("libhdf5") for c in debs), "no Debian HDF5 package"
assert any(c["name"] == "libcli11-dev" for c in debs), "header-only CLI11 not listed"
for c in bom["components"]:
    assert c.get("version"), f"component without a version: {c['bom-ref']}"
root = bom["metadata"]["component"]
deps = next(d for d in bom["dependencies"] if d["ref"] == root["bom-ref"])
required = {c["bom-ref"] for c in bom["components"] if c["scope"] == "required"}
assert set(deps["dependsOn"]) == required, "dependencies differ from the required components"
print(f"ok: sbom.json valid CycloneDX 1.5: {len(bom['components'])} components, "
      f"{len(required)} required, {len(debs)} Debian packages; every ldd library accounted for")
PY

# A missing binary is a clear error, not a traceback.
set +e
"$PY" "$SRC/launch/sbom.py" --binary "$WORK/missing" -o "$WORK/x.json" 2>"$WORK/err.txt"
code=$?
set -e
[ "$code" -ne 0 ] && grep -q "not an executable" "$WORK/err.txt" || { cat "$WORK/err.txt"; fail "missing binary"; }
[ ! -e "$WORK/x.json" ] || fail "a failed run left an output file"
echo "ok: a missing binary is refused"
