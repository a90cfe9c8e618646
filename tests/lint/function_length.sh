#!/usr/bin/env bash
# No function in framework/ is longer than 120 lines (lizard counts from the signature to the
# closing brace): a longer one is split into named steps.
source "$(dirname "$0")/../lib.sh"
"$PY" -c "import lizard" 2>/dev/null || fail "lizard is not in the venv (launch/setup.sh installs it)"
cd "$SRC"
"$PY" - <<'PY'
import pathlib, lizard
limit, longest, too_long, count = 120, None, [], 0
for path in sorted(pathlib.Path("framework").rglob("*")):
    if path.suffix not in (".cpp", ".h"):
        continue
    for function in lizard.analyze_file(str(path)).function_list:
        count += 1
        length = function.end_line - function.start_line + 1
        if longest is None or length > longest[0]:
            longest = (length, f"{path}:{function.start_line} {function.name}")
        if length > limit:
            too_long.append(f"{path}:{function.start_line}: {function.name} has {length} lines")
assert count > 500, f"only {count} functions found: is lizard reading the sources?"
assert not too_long, f"functions over {limit} lines:\n" + "\n".join(too_long)
print(f"ok: {count} functions, none over {limit} lines (longest {longest[0]}: {longest[1]})")
PY
