# SPDX-License-Identifier: Apache-2.0
# Max-in-flight: past the limit, requests are answered 429 TooManyRequests
# with Retry-After, and watches do not count.
. "$top_srcdir/tests/integration/lib.sh"

apiserver_start --max-requests-inflight 1 --max-mutating-requests-inflight 1

# a list big enough to take a while to download at a slow rate
pad=$(head -c 30000 /dev/zero | tr '\0' 'x')
for i in $(seq 1 300); do
        printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big-%s"},"data":{"pad":"%s"}}' "$i" "$pad" >"$TMPROOT/cm.json"
        # --retry: with one write slot, the next create can race the release of
        # the previous one (429 is what the test is about, later)
        curl -s --retry 5 -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$TMPROOT/cm.json" \
                "$APISERVER_URL/api/v1/namespaces/default/configmaps"
done
check_output "300 large objects stored" '^300$' sh -c "curl -s '$APISERVER_URL/api/v1/namespaces/default/configmaps' | jq '.items | length'"

# a watch holds no slot
curl -s -N "$APISERVER_URL/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=20" >/dev/null &
watch_pid=$!
# one slow reader holds the only read slot
curl -s --limit-rate 10k -o /dev/null "$APISERVER_URL/api/v1/namespaces/default/configmaps" &
slow_pid=$!
sleep 1
check_output "a second read while the slot is taken: 429 TooManyRequests" '^429 .*"reason":"TooManyRequests".*"retryAfterSeconds":1' \
        raw GET /api/v1/namespaces/default/configmaps/big-1
curl -s -D "$TMPROOT/h" -o /dev/null "$APISERVER_URL/api/v1/namespaces/default/configmaps/big-1"
check_output "... with Retry-After: 1" '^Retry-After: 1' cat "$TMPROOT/h"
check_output "writes have their own slots" '^201 ' raw POST /api/v1/namespaces/default/configmaps \
        -H 'Content-Type: application/json' -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"small"}}'
kill "$slow_pid" "$watch_pid" 2>/dev/null
wait "$slow_pid" "$watch_pid" 2>/dev/null
sleep 0.5
check_output "once the slow reader is gone, reads pass again" '^200 ' raw GET /api/v1/namespaces/default/configmaps/big-1
done_testing
