#!/usr/bin/env bash
# The built `topiary` is hardened (cmake/TopiaryHardening.cmake): Debian's hardening-check finds
# PIE, the stack protector, FORTIFY-protected libc calls, read-only relocations and immediate
# binding; every framework compile command carries the hardening flags; the code is CET
# instrumented (endbr64 at function entries). hardening-check's control-flow line is not
# required: Debian 12's glibc start-up objects (Scrt1.o, crti.o) carry no IBT/SHSTK property,
# so the linker cannot mark any program built on it, ours included.
source "$(dirname "$0")/../lib.sh"

check="${TOPIARY_HARDENING_CHECK:-}"
[ -n "$check" ] && [ -f "$check" ] ||
  fail "hardening-check not found ('$check'): launch/setup.sh fetches it and passes it to CMake"
report=$(perl "$check" --nocfprotection "$BIN") || { echo "$report"; fail "hardening-check failed for $BIN"; }
echo "$report"
for feature in "Position Independent Executable: yes" "Stack protected: yes" \
  "Fortify Source functions: yes" "Read-only relocations: yes" "Immediate binding: yes"; do
  grep -qF "$feature" <<<"$report" || fail "hardening-check did not report '$feature'"
done

commands="${TOPIARY_BUILD_DIR:-$SRC/build}/compile_commands.json"
[ -f "$commands" ] || fail "no $commands"
"$PY" - "$commands" "$SRC/framework" <<'PY'
import json, sys
commands, framework = json.load(open(sys.argv[1])), sys.argv[2]
need = ["-fstack-protector-strong", "-fstack-clash-protection", "-fcf-protection=full",
        "-D_FORTIFY_SOURCE=3"]
checked = 0
for entry in commands:
    if not entry["file"].startswith(framework):
        continue
    words = entry.get("command", " ".join(entry.get("arguments", []))).split()
    missing = [flag for flag in need if flag not in words]
    if "-fPIC" not in words and "-fPIE" not in words:
        missing.append("-fPIC or -fPIE")
    assert not missing, f"{entry['file']} compiled without {missing}"
    checked += 1
assert checked > 50, f"only {checked} framework compile commands"
print(f"ok: {checked} framework compile commands carry {' '.join(need)}")
PY

# CET instrumentation: functions of Topiary's own code begin with endbr64.
entries=$(objdump -d --no-show-raw-insn "$BIN" | grep -A1 -E "^[0-9a-f]+ <_ZN7topiary[^>]*>:$" |
  grep -c "endbr64") || true
[ "${entries:-0}" -gt 100 ] || fail "only ${entries:-0} Topiary functions start with endbr64"
echo "ok: $entries Topiary functions start with endbr64 (CET instrumentation)"
