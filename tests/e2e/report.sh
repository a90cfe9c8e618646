# `topiary report` writes an HTML page whose PNG plots (curves, sparsity schedule,
# per-layer sparsity, and the frontier across runs) exist and are valid PNGs; a run directory
# without metrics is a clear user error.
source "$(dirname "$0")/../lib.sh"
prepare_sst2
"$BIN" train --recipe "$SRC/tests/data/recipes/tiny_layer.yaml" --set "data.path=$WORK/sst2.h5" \
  --output "$WORK/run1" >/dev/null
"$BIN" train --recipe "$SRC/tests/data/recipes/tiny_layer.yaml" --set "data.path=$WORK/sst2.h5" \
  --set stages.0.modifiers.0.prune.final_sparsity=0.5 --output "$WORK/run2" >/dev/null
"$BIN" report "$WORK/run1" "$WORK/run2" -o "$WORK/out" >/dev/null
[ -s "$WORK/out/index.html" ] || fail "no index.html"
"$PY" - "$WORK/out" <<'PY'
import os, re, sys
out = sys.argv[1]
page = open(os.path.join(out, "index.html")).read()
images = re.findall(r'<img src="([^"]+)"', page)
pngs = sorted(f for f in os.listdir(out) if f.endswith(".png"))
assert sorted(images) == pngs, (images, pngs)
# Per run: curves, sparsity schedule, per-layer bars; plus one frontier.
assert len(pngs) == 7 and "frontier.png" in pngs, pngs
for name in pngs:
    data = open(os.path.join(out, name), "rb").read()
    assert len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n", name
assert page.count("<table>") == 2 and "target_sparsity" in page, "summary tables missing"
print(f"ok: index.html references {len(pngs)} valid PNGs: {', '.join(pngs)}")
PY
# Runs laid out as <config>/s<seed> are told apart by their shortest distinct path suffix.
mkdir -p "$WORK/layer/s1" "$WORK/half/s1"
cp -r "$WORK/run1/." "$WORK/layer/s1/" && cp -r "$WORK/run2/." "$WORK/half/s1/"
"$BIN" report "$WORK/layer/s1" "$WORK/half/s1" -o "$WORK/seeds" >/dev/null
grep -q "<h2>layer/s1 " "$WORK/seeds/index.html" && grep -q "<h2>half/s1 " "$WORK/seeds/index.html" ||
  fail "runs <config>/s1 not named by config: $(grep -o '<h2>[^<]*' "$WORK/seeds/index.html")"
echo "ok: runs named layer/s1 and half/s1"
# Seeds of one config are one frontier point (mean +- std), listed in the frontier table.
mkdir -p "$WORK/cfg/s1" "$WORK/cfg/s2"
cp -r "$WORK/run1/." "$WORK/cfg/s1/" && cp -r "$WORK/run2/." "$WORK/cfg/s2/"
"$BIN" report "$WORK/cfg/s1" "$WORK/cfg/s2" "$WORK/layer/s1" -o "$WORK/grouped" >/dev/null
"$PY" - "$WORK/grouped/index.html" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
table = re.search(r'<table class="frontier">(.*?)</table>', page, re.S)
assert table, "no frontier table"
rows = re.findall(r"<tr><td>([^<]*)</td><td>[^<]*</td><td>(\d+)</td>", table.group(1))
assert rows == [("cfg", "2"), ("layer", "1")], rows
print(f"ok: frontier groups {rows}")
PY
# Default output directory: <first run>/report.
"$BIN" report "$WORK/run1" >/dev/null
[ -s "$WORK/run1/report/index.html" ] || fail "no default report at run1/report"
echo "ok: default output run1/report"
expect_user_error "missing-run: not a directory" "$BIN" report "$WORK/missing-run"
mkdir "$WORK/empty-run"
expect_user_error "metrics.jsonl: missing" "$BIN" report "$WORK/empty-run"
# The script's own failure (no eval event to plot) is a user error too, with the reason shown.
echo '{"event":"dense_eval","step":0,"loss":0.7,"accuracy":0.5}' >"$WORK/empty-run/metrics.jsonl"
expect_user_error "no eval event" "$BIN" report "$WORK/empty-run" -o "$WORK/out2"
[ ! -e "$WORK/out2/index.html" ] || fail "a failed report left an index.html"
