#!/usr/bin/env bash
# The clone stands alone: the datasets in data/ match their recorded checksums, and no tracked
# file outside .ci/ and docs/ reads a folder beside the checkout.
source "$(dirname "$0")/../lib.sh"

[ -f "$DATA/SHA256SUMS" ] || fail "no SHA256SUMS in $DATA"
(cd "$DATA" && sha256sum --check --quiet SHA256SUMS) || fail "a dataset in $DATA does not match SHA256SUMS"
listed=$(grep -c . "$DATA/SHA256SUMS")
[ "$listed" -ge 8 ] || fail "SHA256SUMS lists $listed files, expected the 8 shipped ones"
echo "ok: $listed dataset files match SHA256SUMS"

git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1 || fail "$SRC is not a git checkout"
outside=$(git -C "$SRC" grep -n -F '../shared' -- ':!.ci' ':!docs' ':!tests/e2e/data_checksums.sh' || true)
[ -z "$outside" ] || fail "tracked files read ../shared: $outside"
echo "ok: nothing tracked reads ../shared"
