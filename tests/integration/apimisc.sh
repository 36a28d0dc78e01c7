# SPDX-License-Identifier: Apache-2.0
# The API's edges: the exact shapes of error Statuses, lists from the watch
# cache (resourceVersion=0), namespace termination, events in describe,
# cordon, rollout restart/pause/resume, get -w, bounds on bodies.
. "$top_srcdir/tests/integration/lib.sh"

apiserver_start --history-seconds=1
KCTL_VERSION=1.33
j() { raw "$@" -H 'Content-Type: application/json'; }

# --- error shapes (reason, code, and the message upstream gives) ----------
check_output "malformed JSON: 400 BadRequest" '^400 .*"reason":"BadRequest".*"code":400' \
        j POST /api/v1/namespaces/default/configmaps -d '{"apiVersion":"v1","kind":"ConfigMap",'
check_output "wrong kind for the resource: 400 naming both kinds" '^400 .*the kind in the data \(Pod\) does not match the expected kind \(ConfigMap\)' \
        j POST /api/v1/namespaces/default/configmaps -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}'
check_output "wrong type of a field: 400 cannot be handled" '^400 .*ConfigMap in version \\"v1\\" cannot be handled as a ConfigMap' \
        j POST /api/v1/namespaces/default/configmaps -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":7}}'
check_output "strict field validation: unknown field named" '^400 .*strict decoding error: unknown field \\"spec.foo\\"' \
        j POST '/api/v1/namespaces/default/services?fieldValidation=Strict' -d '{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"foo":1,"ports":[{"port":80}]}}'
code=$(curl -s -o /dev/null -D "$TMPROOT/h" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        "$APISERVER_URL/api/v1/namespaces/default/configmaps?fieldValidation=Warn" \
        -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"warned"},"bogus":1}')
is "fieldValidation=Warn creates the object" "$code" 201
check_output "... and says why in a Warning header" '^Warning: 299 - "unknown field \\"bogus\\""' cat "$TMPROOT/h"
check_output "unknown content type: 415" '^415 .*"reason":"UnsupportedMediaType"' \
        raw POST /api/v1/namespaces/default/configmaps -H 'Content-Type: text/plain' -d 'x'
check_output "server-side apply: 415, not served yet" '^415 ' \
        raw PATCH /api/v1/namespaces/default/configmaps/warned -H 'Content-Type: application/apply-patch+yaml' -d 'x: 1'
check_output "nothing acceptable: 406" '^406 .*"reason":"NotAcceptable"' \
        raw GET /api/v1/namespaces/default/configmaps -H 'Accept: application/json;as=Table;v=v9;g=meta.k8s.io'
check_output "a verb the resource does not have: 405" '^405 .*"reason":"MethodNotAllowed"' \
        j POST /api/v1/componentstatuses -d '{}'
check_output "invalid object: 422 with field causes" '^422 .*"reason":"Invalid".*"causes":\[\{"reason":"FieldValueRequired".*"field":"spec.containers"' \
        j POST /api/v1/namespaces/default/pods -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}'
check_output "missing object: 404 with details" '^404 .*"message":"configmaps \\"nope\\" not found","reason":"NotFound","details":\{"name":"nope","kind":"configmaps"\},"code":404' \
        raw GET /api/v1/namespaces/default/configmaps/nope
check_output "creation in a missing namespace: 404 for the namespace" '^404 .*namespaces \\"ghost\\" not found' \
        j POST /api/v1/namespaces/ghost/configmaps -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}'
deep=$(python3 -c 'print("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"deep\"},\"data\":" + "{\"a\":" * 150 + "1" + "}" * 150 + "}")')
check_output "JSON nested too deep: 400, not stored" '^400 .*max_depth' j POST /api/v1/namespaces/default/configmaps -d "$deep"
check_output "... and nothing was stored" '^404 ' raw GET /api/v1/namespaces/default/configmaps/deep
check_output "a YAML body is accepted" '^201 ' raw POST /api/v1/namespaces/default/configmaps \
        -H 'Content-Type: application/yaml' --data-binary "$(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: "1"\n')"
check_output "dryRun=All creates nothing" '^201 ' j POST '/api/v1/namespaces/default/configmaps?dryRun=All' \
        -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dry"}}'
check_output "... indeed nothing" '^404 ' raw GET /api/v1/namespaces/default/configmaps/dry

# --- a continue token older than the history: 410 Expired -----------------
for i in 1 2 3; do kctl create configmap "pg-$i" >/dev/null; done
tok=$(curl -s "$APISERVER_URL/api/v1/namespaces/default/configmaps?limit=1" | jq -r .metadata.continue)
check_output "a paged list gives a continue token" '.' echo "$tok"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do kctl label configmap pg-1 "churn=$i" --overwrite >/dev/null; sleep 0.25; done
check_output "an expired continue token: 410 Expired" '^410 .*"reason":"Expired"' \
        raw GET "/api/v1/namespaces/default/configmaps?limit=1&continue=$tok"
check_output "a forged continue token: 400" '^400 ' raw GET "/api/v1/namespaces/default/configmaps?limit=1&continue=AAAA"

# --- lists from the watch cache equal lists from the store -----------------
for i in 1 2 3 4 5; do kctl create configmap "c-$i" --from-literal=i=$i >/dev/null; kctl label configmap "c-$i" "tier=t$((i % 2))" >/dev/null; done
kctl delete configmap c-3 >/dev/null
kctl label configmap c-2 tier=t1 --overwrite >/dev/null
names() { curl -s "$APISERVER_URL/api/v1/namespaces/default/configmaps?$1" | jq -r '[.items[].metadata.name] | join(",")'; }
store=$(names 'labelSelector=tier%3Dt1')
cache=$(names 'labelSelector=tier%3Dt1&resourceVersion=0')
is "resourceVersion=0 (from the cache) lists what the store lists" "$cache" "$store"
is "... which is the right set" "$store" "c-1,c-2,c-5"
is "a cached list of everything matches too" "$(names 'resourceVersion=0')" "$(names '')"

# --- namespaces: Terminating, and no new content ---------------------------
kctl create namespace doomed >/dev/null
kctl -n doomed create configmap inside >/dev/null
check "delete a namespace (it waits for its finalizer)" kctl delete namespace doomed --wait=false
check_output "the namespace is Terminating" '^Terminating$' kctl get namespace doomed -o jsonpath='{.status.phase}'
check_output "creation in it is Forbidden" '^403 .*unable to create new content in namespace doomed because it is being terminated' \
        j POST /api/v1/namespaces/doomed/configmaps -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"late"}}'
check_output "default cannot be deleted" 'this namespace may not be deleted' sh -c "$(kubectl_bin 1.33) delete namespace default 2>&1; true"

# --- events appear in describe ----------------------------------------------
kctl create -f "$top_srcdir/tests/data/deployment.yaml" >/dev/null
uid=$(kctl get deployment webapp -o jsonpath='{.metadata.uid}')
j POST /api/v1/namespaces/default/events -d "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"webapp.1\"},\"involvedObject\":{\"kind\":\"Deployment\",\"namespace\":\"default\",\"name\":\"webapp\",\"uid\":\"$uid\",\"apiVersion\":\"apps/v1\"},\"reason\":\"ScalingReplicaSet\",\"message\":\"Scaled up replica set webapp-abc to 3\",\"type\":\"Normal\",\"source\":{\"component\":\"deployment-controller\"},\"count\":1,\"firstTimestamp\":\"2026-01-01T00:00:00Z\",\"lastTimestamp\":\"2026-01-01T00:00:00Z\"}" >/dev/null
check_output "describe shows the Events section" 'ScalingReplicaSet.*Scaled up replica set webapp-abc to 3' kctl describe deployment webapp
check_output "events by field selector" 'webapp.1' kctl get events --field-selector involvedObject.name=webapp -o name

# --- rollout restart / pause / resume, cordon, get -w -----------------------
check "rollout restart" kctl rollout restart deployment webapp
check_output "... set the restartedAt annotation" '.+' kctl get deployment webapp -o jsonpath='{.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}'
check "rollout pause" kctl rollout pause deployment webapp
check_output "... paused" '^true$' kctl get deployment webapp -o jsonpath='{.spec.paused}'
check "rollout resume" kctl rollout resume deployment webapp
check_output "... resumed" '^$' kctl get deployment webapp -o jsonpath='{.spec.paused}'
j POST /api/v1/nodes -d '{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-1"}}' >/dev/null
check "cordon" kctl cordon node-1
check_output "... unschedulable, and the STATUS column says so" 'SchedulingDisabled' kctl get node node-1
check "uncordon" kctl uncordon node-1
timeout 4 "$(kubectl_bin 1.33)" get configmaps -w >"$TMPROOT/watch.out" 2>&1 &
wpid=$!
sleep 1.5
kctl label configmap c-1 watched=yes >/dev/null
wait $wpid
check_output "get -w prints the table, then the change" 'c-1' sh -c "grep -c c-1 '$TMPROOT/watch.out' | grep -q 2 && cat '$TMPROOT/watch.out'"

# --- evictions consume the disruption budget: concurrent ones cannot all pass
for i in 1 2 3 4; do
        j POST /api/v1/namespaces/default/pods -d "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"ev-$i\",\"labels\":{\"app\":\"ev\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\"}]}}" >/dev/null
        raw PATCH /api/v1/namespaces/default/pods/ev-$i/status -H 'Content-Type: application/merge-patch+json' -d '{"status":{"phase":"Running"}}' >/dev/null
done
j POST /apis/policy/v1/namespaces/default/poddisruptionbudgets -d '{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"ev"},"spec":{"minAvailable":3,"selector":{"matchLabels":{"app":"ev"}}}}' >/dev/null
check_output "a budget's status set as its controller would (1 disruption allowed)" '^200 ' \
        raw PATCH /apis/policy/v1/namespaces/default/poddisruptionbudgets/ev/status -H 'Content-Type: application/merge-patch+json' \
        -d '{"status":{"disruptionsAllowed":1,"currentHealthy":4,"desiredHealthy":3,"expectedPods":4}}'
for i in 1 2 3 4; do
        curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
                -d "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"ev-$i\"}}" \
                "$APISERVER_URL/api/v1/namespaces/default/pods/ev-$i/eviction" >"$TMPROOT/ev-$i" &
        ev_pids="${ev_pids:-} $!"
done
wait $ev_pids
is "four concurrent evictions under a budget allowing one: one passes" "$(cat "$TMPROOT"/ev-* | grep -c '^201$')" 1
is "... and three are refused with 429" "$(cat "$TMPROOT"/ev-* | grep -c '^429$')" 3
check_output "the eviction was recorded in the budget" '^0 1$' sh -c \
        "curl -s '$APISERVER_URL/apis/policy/v1/namespaces/default/poddisruptionbudgets/ev' | jq -r '\"\\(.status.disruptionsAllowed) \\(.status.disruptedPods | length)\"'"

check "server still alive" kill -0 "$APISERVER_PID"
done_testing
