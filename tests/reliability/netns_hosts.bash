# Sourced helper: two network-namespace "hosts" joined by a veth pair (RUNBOOK "Several hosts"),
# addresses 10.200.0.1 and 10.200.0.2 existing only inside them, plus an rsh agent that stands in
# for ssh. Names are unique per test run; netns_cleanup (called from the caller's trap) removes
# everything and kills whatever still runs inside.
NS1="tp$$a"; NS2="tp$$b"; VETH1="tpv$$a"; VETH2="tpv$$b"
netns_cleanup() {
  for ns in "$NS1" "$NS2"; do
    if ip netns pids "$ns" >/dev/null 2>&1; then
      for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
  ip link del "$VETH1" 2>/dev/null || true
}
netns_setup() {
  ip netns add "$NS1"; ip netns add "$NS2"
  ip link add "$VETH1" type veth peer name "$VETH2"
  ip link set "$VETH1" netns "$NS1"; ip link set "$VETH2" netns "$NS2"
  ip -n "$NS1" addr add 10.200.0.1/24 dev "$VETH1"; ip -n "$NS2" addr add 10.200.0.2/24 dev "$VETH2"
  for ns in "$NS1" "$NS2"; do ip -n "$ns" link set lo up; done
  ip -n "$NS1" link set "$VETH1" up; ip -n "$NS2" link set "$VETH2" up
  # The agent drops ssh-style options, maps the address to its namespace and gives the remote
  # "host" its own hostname, so messages name host2.
  AGENT="$WORK/netns-rsh"
  cat >"$AGENT" <<AGENT_EOF
#!/bin/sh
while [ "\${1#-}" != "\$1" ]; do shift; done
host=\$1; shift
case \$host in
  10.200.0.1) ns=$NS1; name=host1 ;;
  10.200.0.2) ns=$NS2; name=host2 ;;
  *) echo "netns-rsh: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec \$ns unshare --uts sh -c "hostname \$name; \$*"
AGENT_EOF
  chmod +x "$AGENT"
}
# netns_mpirun ARGS...: mpirun inside host1, one rank per host, TCP only on the veth subnet.
netns_mpirun() {
  ip netns exec "$NS1" unshare --uts sh -c 'hostname host1; exec "$0" "$@"' \
    mpirun --allow-run-as-root -np 2 --host 10.200.0.1,10.200.0.2 --bind-to none \
    --mca plm_rsh_agent "$AGENT" --mca btl tcp,self --mca btl_tcp_if_include 10.200.0.0/24 \
    --mca oob_tcp_if_include 10.200.0.0/24 -x OMP_NUM_THREADS -x TOPIARY_COLLECTIVE_TIMEOUT "$@"
}
