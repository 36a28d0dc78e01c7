# SPDX-License-Identifier: Apache-2.0
# Shared helpers for integration tests (sourced). They print TAP.
#
#   . "$top_srcdir/tests/integration/lib.sh"
#   apiserver_start            # temp data dir, free loopback port, $KUBECONFIG
#   check "kubectl works" kctl get ns
#   done_testing
#
# Everything started here is stopped, and every temporary file removed, on
# exit, whether the test passes or not.

set -u
tap_n=0
tap_failed=0
TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/timonier-test.XXXXXX")
APISERVER_PID=

cleanup() {
        if [ -n "$APISERVER_PID" ]; then
                kill "$APISERVER_PID" 2>/dev/null
                wait "$APISERVER_PID" 2>/dev/null
        fi
        rm -rf "$TMPROOT"
}
trap cleanup EXIT INT TERM HUP PIPE

ok() { # ok STATUS DESCRIPTION
        tap_n=$((tap_n + 1))
        if [ "$1" = 0 ]; then
                echo "ok $tap_n - $2"
        else
                echo "not ok $tap_n - $2"
                tap_failed=$((tap_failed + 1))
        fi
}

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# check DESCRIPTION CMD...: passes if CMD exits 0; shows its output if not.
check() {
        desc=$1
        shift
        if out=$("$@" 2>&1); then
                ok 0 "$desc"
        else
                ok 1 "$desc"
                diag "command: $*" "$out"
        fi
}

# check_fails DESCRIPTION CMD...: passes if CMD exits non-zero.
check_fails() {
        desc=$1
        shift
        if out=$("$@" 2>&1); then
                ok 1 "$desc"
                diag "command unexpectedly succeeded: $*" "$out"
        else
                ok 0 "$desc"
        fi
        LAST_OUTPUT=$out
}

# check_output DESCRIPTION EXPECTED-REGEX CMD...: CMD succeeds and its output
# matches the extended regular expression.
check_output() {
        desc=$1
        want=$2
        shift 2
        out=$("$@" 2>&1)
        rc=$?
        LAST_OUTPUT=$out
        if [ $rc = 0 ] && printf '%s\n' "$out" | grep -Eq -- "$want"; then
                ok 0 "$desc"
        else
                ok 1 "$desc"
                diag "command: $* (exit $rc)" "expected to match: $want" "output:" "$out"
        fi
}

# is DESCRIPTION GOT WANT
is() {
        if [ "$2" = "$3" ]; then
                ok 0 "$1"
        else
                ok 1 "$1"
                diag "got:      $2" "expected: $3"
        fi
}

bail() {
        echo "Bail out! $*"
        exit 1
}

done_testing() {
        echo "1..$tap_n"
        exit 0
}

# kubectl of a given minor version (1.27 ... 1.33).
kubectl_bin() {
        k=/usr/lib/google-cloud-sdk/bin/kubectl.$1
        [ -x "$k" ] || bail "kubectl $1 not found at $k (install the google-cloud-cli kubectl components)"
        echo "$k"
}

: "${KCTL_VERSION:=1.33}"
kctl() { "$(kubectl_bin "$KCTL_VERSION")" "$@"; }

APISERVER_BIN=${top_builddir:-.}/apiserver/timonier-apiserver

# apiserver_start [EXTRA OPTIONS...]: start on a free loopback port with a
# fresh data dir; sets APISERVER_URL, KUBECONFIG, DATA_DIR.
apiserver_start() {
        DATA_DIR=$TMPROOT/data
        mkdir -p "$DATA_DIR"
        [ -x "$APISERVER_BIN" ] || bail "$APISERVER_BIN not built"
        "$APISERVER_BIN" --data-dir "$DATA_DIR" --port 0 --log-level warning "$@" \
                2>"$TMPROOT/apiserver.log" &
        APISERVER_PID=$!
        KUBECONFIG=$DATA_DIR/admin.kubeconfig
        export KUBECONFIG
        i=0
        while [ ! -s "$KUBECONFIG" ]; do
                i=$((i + 1))
                if [ $i -gt 100 ] || ! kill -0 "$APISERVER_PID" 2>/dev/null; then
                        cat "$TMPROOT/apiserver.log" | sed 's/^/# /'
                        bail "timonier-apiserver did not start"
                fi
                sleep 0.1
        done
        APISERVER_URL=$(sed -n 's/^ *server: //p' "$KUBECONFIG")
        export APISERVER_URL
}

# raw METHOD PATH [CURL ARGS...]: prints "CODE BODY".
raw() {
        m=$1
        p=$2
        shift 2
        curl -sS -o "$TMPROOT/body" -w '%{http_code}' -X "$m" "$@" "$APISERVER_URL$p" >"$TMPROOT/code"
        printf '%s %s\n' "$(cat "$TMPROOT/code")" "$(cat "$TMPROOT/body")"
}
