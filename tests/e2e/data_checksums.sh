#!/usr/bin/env bash
# The datasets the suite reads (data/, or $TOPIARY_DATA_DIR) match their recorded checksums.
source "$(dirname "$0")/../lib.sh"

[ -f "$DATA/SHA256SUMS" ] || fail "no SHA256SUMS in $DATA"
(cd "$DATA" && sha256sum --check --quiet SHA256SUMS) || fail "a dataset in $DATA does not match SHA256SUMS"
listed=$(grep -c . "$DATA/SHA256SUMS")
[ "$listed" -ge 8 ] || fail "SHA256SUMS lists $listed files, expected the 8 shipped ones"
echo "ok: $listed dataset files match SHA256SUMS"

