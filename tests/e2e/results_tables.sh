#!/usr/bin/env bash
# The results the docs quote are the committed raw files' tables: bench/results/tables.sh prints
# every section from bench/results/, and each printed table line stands verbatim in the page
# that quotes it (docs/performance.md, docs/results.md).
source "$(dirname "$0")/../lib.sh"

PY="$PY" "$SRC/bench/results/tables.sh" >"$WORK/tables.txt"
for section in quickstart quality test_split comm_dtype peers peers_bert scaling comm threshold export data gpu; do
  grep -q "^## $section " "$WORK/tables.txt" || fail "tables.sh printed no $section section"
done
"$PY" - "$WORK/tables.txt" "$SRC" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
src = sys.argv[2]
sections = dict(re.findall(r"^## (\w+) \(raw files[^\n]*\n(.*?)(?=^## |\Z)", text, re.S | re.M))
pages = {"quickstart": "docs/results.md", "quality": "docs/results.md", "test_split": "docs/results.md", "peers": "docs/performance.md",
         "peers_bert": "docs/performance.md",
         "scaling": "docs/performance.md", "comm": "docs/performance.md", "comm_dtype": "docs/results.md", "threshold": "docs/performance.md",
         "export": "docs/performance.md", "data": "docs/performance.md", "gpu": "docs/gpu.md"}
checked = 0
for section, page in pages.items():
    doc = open(f"{src}/{page}").read()
    for line in sections[section].splitlines():
        line = line.rstrip()
        if not line.strip() or (section == "quality" and not line.startswith("|")):
            continue  # blank lines, and aggregate.py's captions above its Markdown tables
        assert line in doc, f"{page} does not quote this line of {section}: {line!r}"
        checked += 1
print(f"ok: {checked} table lines of bench/results quoted verbatim in the docs")
PY
