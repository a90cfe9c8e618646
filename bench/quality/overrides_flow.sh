# shellcheck shell=bash
# overrides_flow ALLOCATION_YAML: the overrides block of a `topiary sensitivity` allocation.yaml as
# one YAML flow list, the value for --set stages.N.modifiers.M.prune.overrides=...
overrides_flow() {
  local items
  items=$(sed -n 's/^  - \({.*}\)  #.*$/\1/p' "$1" | paste -sd, -)
  [[ -n $items ]] || { echo "$(basename "$0"): no overrides in $1" >&2; exit 1; }
  echo "[$items]"
}
