# Helpers for the fleet tests (sourced after lib.sh): Knot DNS as the RPZ
# primary, fluxguard-publish beside resolver A (Unbound + fluxguard), a
# consumer B (Unbound without fluxguard, rpz: clause) and a BIND 9 consumer.
# Every daemon listens on 127.0.0.1 on a free port and is stopped by PID.

FG_RPZ_ZONE=rpz.fluxguard.test
FG_PUBLISH=$FG_BUILDDIR/tools/fluxguard-publish
FG_CONTROL=$FG_BUILDDIR/tools/fluxguard-control

# fg_rpz_start_knot: Knot with the empty policy zone, updates and transfers
# allowed for the TSIG key, NOTIFY to $FG_B_PORT (and $FG_BIND_PORT if set).
# Sets FG_KNOT_PORT, FG_KNOT_PID, FG_TSIG_SECRET (written to
# $FG_WORK/tsig.secret).
fg_rpz_start_knot() {
    local dir=$FG_WORK/knot notify
    mkdir -p "$dir"
    FG_KNOT_PORT=${FG_KNOT_PORT:-$(fg_free_port)}
    if [ -z "${FG_TSIG_SECRET:-}" ]; then
        FG_TSIG_SECRET=$(head -c 32 /dev/urandom | base64)
        echo "$FG_TSIG_SECRET" > "$FG_WORK/tsig.secret"
        chmod 600 "$FG_WORK/tsig.secret"
    fi
    notify="consumer_b"
    [ -n "${FG_BIND_PORT:-}" ] && notify="consumer_b, consumer_bind"
    [ -f "$dir/rpz.zone" ] || cat > "$dir/rpz.zone" <<ZONE
\$ORIGIN $FG_RPZ_ZONE.
@ 60 IN SOA localhost. hostmaster.localhost. 1 3600 600 86400 60
@ 60 IN NS localhost.
ZONE
    cat > "$dir/knot.conf" <<CONF
server:
    rundir: "$dir"
    listen: 127.0.0.1@$FG_KNOT_PORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: info
database:
    storage: "$dir"
key:
  - id: fluxguard-publish
    algorithm: hmac-sha256
    secret: $FG_TSIG_SECRET
remote:
  - id: consumer_b
    address: 127.0.0.1@$FG_B_PORT
  - id: consumer_bind
    address: 127.0.0.1@${FG_BIND_PORT:-9}
acl:
  - id: publisher
    key: fluxguard-publish
    action: [update, transfer]
  - id: consumers
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "$dir"
    zonefile-sync: -1
    zonefile-load: ${FG_KNOT_ZONEFILE_LOAD:-difference-no-serial}
    journal-content: ${FG_KNOT_JOURNAL:-all}
zone:
  - domain: $FG_RPZ_ZONE
    file: rpz.zone
    notify: [$notify]
    acl: [publisher, consumers]
CONF
    knotd -c "$dir/knot.conf" >>"$FG_WORK/knot.log" 2>&1 &
    FG_KNOT_PID=$!
    FG_PIDS+=($FG_KNOT_PID)
    fg_wait_for "Knot on port $FG_KNOT_PORT" sh -c \
        "kdig -p $FG_KNOT_PORT @127.0.0.1 $FG_RPZ_ZONE SOA +norec | grep -q 'status: NOERROR'"
}

fg_rpz_stop_knot() {
    fg_stop_pid "$FG_KNOT_PID" Knot
}

# The rpz lines resolver A's fluxguard.conf gets (fg_start_flux_stack "$@").
fg_rpz_conf_lines() {
    echo "rpz-zone: $FG_RPZ_ZONE"
    echo "rpz-primary: 127.0.0.1@$FG_KNOT_PORT"
    echo "rpz-tsig-key: fluxguard-publish"
    echo "rpz-tsig-secret-file: \"$FG_WORK/tsig.secret\""
    echo "rpz-resolver-id: resolver-a"
    echo "rpz-retry-max: 1s"
    echo "rpz-stats-file: \"$FG_WORK/publish.stats\""
}

# Start the publisher on A's config. Sets FG_PUBLISH_PID.
fg_rpz_start_publisher() {
    fg_require "$FG_PUBLISH"
    "$FG_PUBLISH" -c "$FG_WORK/fluxguard.conf" >>"$FG_WORK/publish.log" 2>&1 &
    FG_PUBLISH_PID=$!
    FG_PIDS+=($FG_PUBLISH_PID)
    fg_wait_for "the publisher's first reconciliation" \
        grep -q "reconciled zone" "$FG_WORK/publish.log"
}

# A stat of the publisher: fg_rpz_stat rpz.published
fg_rpz_stat() {
    "$FG_PUBLISH" -c "$FG_WORK/fluxguard.conf" --stats | awk -v n="$1" '$1 == n { print $2 }'
}

# Wait up to 5 s (the stats file is written once a second) for a stat to
# pass a test: fg_rpz_wait_stat rpz.errors -ge 1
fg_rpz_wait_stat() {
    local name=$1 op=$2 want=$3 got
    for _ in $(seq 50); do
        got=$(fg_rpz_stat "$name")
        [ -n "$got" ] && [ "$got" "$op" "$want" ] && return 0
        sleep 0.1
    done
    fg_fail "stat $name is '${got:-}', expected $op $want"
}

# fg_rpz_write_b: resolver B's unbound.conf, no fluxguard, the zone by rpz:.
fg_rpz_write_b() {
    local dir=$FG_WORK/b
    mkdir -p "$dir"
    cat > "$dir/unbound.conf" <<CONF
server:
    interface: 127.0.0.1
    port: $FG_B_PORT
    do-daemonize: no
    use-syslog: no
    logfile: "$FG_WORK/unbound-b.log"
    log-time-ascii: yes
    username: ""
    chroot: ""
    directory: "$dir"
    pidfile: "$dir/unbound.pid"
    verbosity: 1
    num-threads: 1
    do-not-query-localhost: no
    qname-minimisation: no
    module-config: "respip validator iterator"
    local-zone: "test." nodefault
stub-zone:
    name: "."
    stub-addr: 127.0.0.1@$FG_AUTHD_PORT
$(for z in flux.test. other.test.; do printf 'stub-zone:\n    name: "%s"\n    stub-addr: 127.0.0.1@%s\n' "$z" "$FG_AUTHD_PORT"; done)
rpz:
    name: "$FG_RPZ_ZONE"
    primary: 127.0.0.1@$FG_KNOT_PORT
    allow-notify: 127.0.0.1
    zonefile: "$dir/rpz.zone"
    rpz-log: yes
    rpz-log-name: "fleet"
remote-control:
    control-enable: no
CONF
    "$FG_UNBOUND_CHECKCONF" "$dir/unbound.conf" >/dev/null || fg_fail "unbound-checkconf rejected B's config"
}

fg_rpz_start_b() {
    "$FG_UNBOUND" -d -c "$FG_WORK/b/unbound.conf" >>"$FG_WORK/unbound-b-stderr.log" 2>&1 &
    FG_B_PID=$!
    FG_PIDS+=($FG_B_PID)
    fg_wait_for "resolver B" sh -c \
        "dig +tries=1 +time=1 -p $FG_B_PORT @127.0.0.1 static.flux.test A | grep -q 'status: NOERROR'"
}

fg_rpz_stop_b() {
    fg_stop_pid "$FG_B_PID" "resolver B"
}

# The status B gives NAME A.
fg_b_status() {
    dig +tries=1 +time=2 -p "$FG_B_PORT" @127.0.0.1 "$1" A 2>&1 | fg_status_of
}

# Wait up to SECONDS for PORT's answer to NAME to have STATUS; sets
# FG_RPZ_MS to how long it took. Not in a subshell: fg_fail must end the test.
# fg_rpz_expect PORT NAME STATUS SECONDS WHAT
fg_rpz_expect() {
    local port=$1 name=$2 want=$3 secs=$4 what=$5 start now got
    start=$(date +%s%N)
    while :; do
        got=$(dig +tries=1 +time=1 -p "$port" @127.0.0.1 "$name" A 2>&1 | fg_status_of)
        [ "$got" = "$want" ] && break
        now=$(date +%s%N)
        [ $(( (now - start) / 1000000 )) -lt $((secs * 1000)) ] ||
            fg_fail "$what: $name on port $port answered ${got:-nothing}, not $want, after ${secs}s"
        sleep 0.05
    done
    FG_RPZ_MS=$(( ($(date +%s%N) - start) / 1000000 ))
}

# The names the zone blocks (triggers without the zone), sorted, read by AXFR.
fg_rpz_zone_names() {
    kdig -p "$FG_KNOT_PORT" @127.0.0.1 -y "hmac-sha256:fluxguard-publish:$FG_TSIG_SECRET" \
        "$FG_RPZ_ZONE" AXFR +noall +answer 2>/dev/null |
        awk -v z=".$FG_RPZ_ZONE." '$4 == "CNAME" && $1 !~ /^\*\./ { sub(z "$", "", $1); print $1 }' | sort -u
}
