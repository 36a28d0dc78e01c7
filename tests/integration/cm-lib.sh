# SPDX-License-Identifier: Apache-2.0
# Helpers for the controller manager's tests (sourced after lib.sh):
# managers and a stand-in kubelet started here are stopped on exit.

CM_BIN=${top_builddir:-.}/controllers/timonier-controller-manager
CM_PIDS=
cm_start() { # cm_start LOGNAME [OPTIONS...]: sets CM_PID
        log=$1
        shift
        "$CM_BIN" --kubeconfig "$KUBECONFIG" --log-level info "$@" 2>"$TMPROOT/$log.log" &
        CM_PID=$!
        CM_PIDS="$CM_PIDS $CM_PID"
}
cm_stop() { # cm_stop PID
        kill "$1" 2>/dev/null
        wait "$1" 2>/dev/null
}
cm_cleanup() {
        for p in $CM_PIDS $KUBELET_PID; do
                cm_stop "$p"
        done
        cleanup
}
trap cm_cleanup EXIT INT TERM

# wait_for DESCRIPTION SECONDS CMD...: passes once CMD succeeds.
wait_for() {
        desc=$1
        limit=$(($2 * 10))
        shift 2
        i=0
        while ! out=$("$@" 2>&1); do
                i=$((i + 1))
                if [ $i -ge $limit ]; then
                        ok 1 "$desc"
                        diag "command: $*" "$out"
                        return 1
                fi
                sleep 0.1
        done
        ok 0 "$desc"
}
# count_is N CMD...: CMD's output has N non-empty lines.
count_is() {
        want=$1
        shift
        [ "$("$@" 2>/dev/null | grep -c .)" = "$want" ]
}
field_is() { # field_is WANT CMD...
        want=$1
        shift
        [ "$("$@" 2>/dev/null)" = "$want" ]
}
gone() { ! kctl "$@" >/dev/null 2>&1; }


# A stand-in for the kubelet: every Pending pod without the label
# stuck=true becomes Running and Ready.
KUBELET_PID=
fake_kubelet_start() {
        (
                while :; do
                        for p in $(kctl get pods -A -l 'stuck!=true' -o jsonpath='{range .items[?(@.status.phase=="Pending")]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}' 2>/dev/null); do
                                now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
                                kctl -n "${p%/*}" patch pod "${p#*/}" --subresource=status --type=merge -p \
                                        "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null 2>&1
                        done
                        sleep 0.2
                done
        ) &
        KUBELET_PID=$!
}
