# SPDX-License-Identifier: Apache-2.0
# The server starts, answers health and version, and kubectl 1.27 and 1.33
# both accept it.
. "$top_srcdir/tests/integration/lib.sh"

apiserver_start

check_output "healthz answers ok" '^200 ok$' raw GET /healthz
check_output "livez answers ok" '^200 ok$' raw GET /livez
check_output "readyz?verbose lists checks" 'readyz check passed' raw GET '/readyz?verbose'
check_output "/version has the served gitVersion" '"gitVersion":"v1\.33\.0\+timonier\.' raw GET /version
check_output "unknown non-resource path: 404 page not found" '^404 404 page not found' raw GET /nothing-here
check_output "kubeconfig names a loopback server" '^http://127\.0\.0\.1:[0-9]+$' echo "$APISERVER_URL"
mode=$(stat -c %a "$KUBECONFIG")
is "kubeconfig is private (0600)" "$mode" 600

for v in 1.27 1.33; do
        KCTL_VERSION=$v
        check_output "kubectl $v: version reports the server" '"gitVersion": "v1\.33\.0\+timonier' kctl version -o json
        check_output "kubectl $v: get --raw /healthz" '^ok$' kctl get --raw /healthz
done

# Oversize body: 413 with a Status, before anything is stored.
head -c 3200000 /dev/zero | tr '\0' 'a' >"$TMPROOT/big"
check_output "body over 3 MiB: 413 RequestEntityTooLarge" '^413 .*"reason":"RequestEntityTooLarge"' \
        raw POST /api/v1/namespaces/default/configmaps -H 'Content-Type: application/json' --data-binary @"$TMPROOT/big"

check "server still alive after the bad requests" kill -0 "$APISERVER_PID"
done_testing
