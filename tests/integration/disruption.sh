# SPDX-License-Identifier: Apache-2.0
# The disruption controller against the real API server: a budget's status
# follows the Ready pods it selects (minAvailable as a number and as a
# percentage, maxUnavailable), and pods/eviction honours it: one eviction
# passes, the next answers 429 until the controller has recounted. No kubelet runs: the test writes the pods' status.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/cm-lib.sh"

[ -x "$CM_BIN" ] || bail "$CM_BIN not built"
[ -x "$(kubectl_bin "$KCTL_VERSION")" ] || bail "no kubectl"
apiserver_start
cm_start cm --leader-elect=false

pods_of() { kctl get pods -l app="$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'; }
make_ready() {
        now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        kctl patch pod "$1" --subresource=status --type=merge -p \
                "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
}
pdb_status() { # pdb_status NAME: "allowed current desired expected"
        kctl get pdb "$1" -o jsonpath='{.status.disruptionsAllowed} {.status.currentHealthy} {.status.desiredHealthy} {.status.expectedPods}'
}
pdb_condition() {
        kctl get pdb "$1" -o jsonpath='{.status.conditions[?(@.type=="DisruptionAllowed")].status} {.status.conditions[?(@.type=="DisruptionAllowed")].reason}'
}
evict() { raw POST "/api/v1/namespaces/default/pods/$1/eviction" -H 'Content-Type: application/json' \
        -d "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"$1\"}}"; }

cat >"$TMPROOT/web.yaml" <<YAML
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: registry.example/nginx:1
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-min
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
YAML
check "create a ReplicaSet of 3 and a budget minAvailable 2" kctl apply -f "$TMPROOT/web.yaml"
wait_for "3 pods are created" 10 count_is 3 pods_of web
wait_for "no pod Ready: disruptionsAllowed 0, expectedPods 3" 10 field_is "0 0 2 3" pdb_status web-min
check_output "DisruptionAllowed False InsufficientPods" '^False InsufficientPods$' pdb_condition web-min
for p in $(pods_of web); do make_ready "$p"; done
wait_for "all 3 Ready: disruptionsAllowed 1" 10 field_is "1 3 2 3" pdb_status web-min
check_output "DisruptionAllowed True SufficientPods" '^True SufficientPods$' pdb_condition web-min
check_output "status.observedGeneration is the budget's generation" '^1$' kctl get pdb web-min -o jsonpath='{.status.observedGeneration}'
check_output "kubectl get pdb shows ALLOWED 1" '^web-min +2 +N/A +1 ' kctl get pdb web-min --no-headers

set -- $(pods_of web)
first=$1 second=$2
check_output "the first eviction passes (201)" '^201 ' evict "$first"
check "the evicted pod is gone" gone get pod "$first"
wait_for "the controller recounts: disruptionsAllowed 0" 10 field_is "0 2 2 3" pdb_status web-min
check_output "a second eviction answers 429 TooManyRequests" '^429 .*TooManyRequests' evict "$second"
check_output "naming the budget in its cause" 'The disruption budget web-min needs more healthy pods' echo "$LAST_OUTPUT"
check "the second pod remains" kctl get pod "$second"
wait_for "the ReplicaSet replaces the evicted pod" 10 count_is 3 pods_of web
for p in $(pods_of web); do make_ready "$p"; done
wait_for "the replacement Ready: disruptionsAllowed 1 again" 10 field_is "1 3 2 3" pdb_status web-min
check_output "the second eviction now passes" '^201 ' evict "$second"
wait_for "and the budget is spent again" 10 field_is "0 2 2 3" pdb_status web-min
wait_for "the ReplicaSet replaces it" 10 count_is 3 pods_of web
for p in $(pods_of web); do make_ready "$p"; done

# Percentages, from the controllers' scale.
check "a budget minAvailable 50%" kctl create pdb web-half --selector=app=web --min-available=50%
wait_for "50% of 3 rounds up to 2: disruptionsAllowed 1" 10 field_is "1 3 2 3" pdb_status web-half
check "a budget maxUnavailable 34%" kctl create pdb web-max --selector=app=web --max-unavailable=34%
wait_for "34% of 3 unavailable rounds up to 2: desiredHealthy 1, disruptionsAllowed 2" 10 field_is "2 3 1 3" pdb_status web-max
check "scale the ReplicaSet to 4" kctl scale rs web --replicas=4
wait_for "expectedPods follows the scale" 10 field_is "1 3 2 4" pdb_status web-half
check "edit the budget to minAvailable 1" kctl patch pdb web-min --type=merge -p '{"spec":{"minAvailable":1}}'
wait_for "observedGeneration 2 and the new desiredHealthy" 10 field_is "2 2 1" \
        kctl get pdb web-min -o jsonpath='{.status.observedGeneration} {.status.disruptionsAllowed} {.status.desiredHealthy}'

# Bare pods: minAvailable as a number counts the pods themselves.
for i in 1 2; do
        check "create bare pod solo-$i" kctl run "solo-$i" --image=registry.example/nginx:1 --labels=app=solo
done
check "a budget minAvailable 1 over bare pods" kctl create pdb solo --selector=app=solo --min-available=1
wait_for "bare pods not Ready: expectedPods 2, nothing allowed" 10 field_is "0 0 1 2" pdb_status solo
make_ready solo-1
make_ready solo-2
wait_for "both Ready: disruptionsAllowed 1" 10 field_is "1 2 1 2" pdb_status solo
check "the ReplicaSet controller did not touch them" count_is 2 pods_of solo

done_testing
