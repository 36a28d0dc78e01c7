#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The DaemonSet controller with the real API server, scheduler and kubectl:
# pods only on the nodes that should run one (nodeSelector, taints), bound
# by the scheduler; nodes added and deleted; status; a RollingUpdate one
# node at a time; OnDelete. No kubelet runs: the test writes pods' status.
. "$top_srcdir/tests/integration/lib.sh"

. "$top_srcdir/tests/integration/cm-lib.sh"

SCHED_BIN=${top_builddir:-.}/scheduler/timonier-scheduler
[ -x "$CM_BIN" ] || bail "$CM_BIN not built"
[ -x "$SCHED_BIN" ] || bail "$SCHED_BIN not built"
apiserver_start
[ -x "$(kubectl_bin "$KCTL_VERSION")" ] || bail "no kubectl"
cm_start cm --leader-elect=false
MPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + $$ % 30000)))
"$SCHED_BIN" --kubeconfig "$KUBECONFIG" --log-level info --port "$MPORT" 2>"$TMPROOT/scheduler.log" &
CM_PIDS="$CM_PIDS $!" # stopped on exit with the managers

# mknode NAME LABELS TAINTS (JSON fragments)
mknode() {
        kctl create -f - >/dev/null <<EOT || return 1
{"apiVersion":"v1","kind":"Node","metadata":{"name":"$1","labels":{"kubernetes.io/hostname":"$1"$2}},
 "spec":{"taints":[$3]}}
EOT
        kctl patch node "$1" --subresource=status --type=merge -p \
                '{"status":{"capacity":{"cpu":"4","memory":"8Gi","pods":"110"},"allocatable":{"cpu":"4","memory":"8Gi","pods":"110"}}}' >/dev/null
}
# The nodes of the DaemonSet's pods, sorted, on one line ("-" for unbound).
pod_nodes() {
        kctl get pods -l app=agent -o jsonpath='{range .items[*]}{"x"}{.spec.nodeName}{"\n"}{end}' |
                sed 's/^x$/-/; s/^x//' | sort | tr '\n' ' ' | sed 's/ $//'
}
pods_with_hash() { kctl get pods -l "app=agent,controller-revision-hash=$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'; }
make_ready() {
        now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        kctl patch pod "$1" --subresource=status --type=merge -p \
                "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
}
ds_status() { kctl get ds agent -o jsonpath='{.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberMisscheduled} {.status.numberReady} {.status.updatedNumberScheduled} {.status.numberAvailable} {.status.observedGeneration}'; }
# sh -c needs the helpers
HELPERS="$(declare -f kctl kubectl_bin bail pod_nodes pods_with_hash); KCTL_VERSION=$KCTL_VERSION"

check "node n1 (worker)" mknode n1 ',"role":"worker"' ''
check "node n2 (worker, tainted)" mknode n2 ',"role":"worker"' '{"key":"dedicated","value":"db","effect":"NoSchedule"}'
check "node n3 (not a worker)" mknode n3 '' ''
# Grace period 0: no kubelet is there to finish terminating bound pods.
cat >"$TMPROOT/ds.yaml" <<YAML
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      nodeSelector: {role: worker}
      terminationGracePeriodSeconds: 0
      containers:
      - name: c
        image: registry.example/agent:1
YAML
check "create a DaemonSet" kctl apply -f "$TMPROOT/ds.yaml"
wait_for "one pod, bound by the scheduler to the only eligible node" 15 field_is n1 pod_nodes
sleep 0.5
check_output "still one pod" '^n1$' pod_nodes
p1=$(kctl get pods -l app=agent -o jsonpath='{.items[0].metadata.name}')
check_output "the pod has a controller ownerReference" '^DaemonSet agent true$' \
        kctl get pod "$p1" -o jsonpath='{.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller}'
check_output "and a node affinity on the node's name" '^metadata.name In \["n1"\]$' \
        kctl get pod "$p1" -o jsonpath='{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key} {.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].operator} {.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values}'
h1=$(kctl get pod "$p1" -o jsonpath='{.metadata.labels.controller-revision-hash}')
check_output "and the controller-revision-hash label" '^[bcdfghjklmnpqrstvwxz2456789]+$' echo "$h1"
check_output "and the default tolerations" 'node.kubernetes.io/unschedulable' \
        kctl get pod "$p1" -o jsonpath='{.spec.tolerations[*].key}'
wait_for "status: desired 1, current 1, misscheduled 0, ready 0, updated 1" 10 field_is "1 1 0 0 1  1" ds_status

check "a node added (n4, worker)" mknode n4 ',"role":"worker"' ''
wait_for "gets a pod" 15 field_is "n1 n4" pod_nodes
wait_for "status: desired 2, current 2" 10 field_is "2 2 0 0 2  1" ds_status
for p in $(pods_with_hash "$h1"); do make_ready "$p"; done
wait_for "status follows the pods' Ready condition" 10 field_is "2 2 0 2 2 2 1" ds_status
check_output "kubectl get ds" '^agent +2 +2 +2 +2 +2 ' kctl get ds agent --no-headers

check "the taint is removed from n2" kctl taint node n2 dedicated-
wait_for "n2 gets a pod" 15 field_is "n1 n2 n4" pod_nodes
make_ready "$(kctl get pods -l app=agent --field-selector spec.nodeName=n2 -o jsonpath='{.items[0].metadata.name}')"
wait_for "3 ready" 10 field_is "3 3 0 3 3 3 1" ds_status

# --- RollingUpdate, maxUnavailable 1 ---------------------------------------------
check "change the template" kctl set image ds/agent c=registry.example/agent:2
wait_for "one new pod, bound" 15 sh -c "$HELPERS; h=\$(kctl get pods -l app=agent -o jsonpath='{.items[*].metadata.labels.controller-revision-hash}' | tr ' ' '\n' | grep -v $h1 | sort -u); [ -n \"\$h\" ] && [ \$(pods_with_hash \$h | grep -c .) = 1 ] && [ -n \"\$(kctl get pods -l controller-revision-hash=\$h -o jsonpath='{.items[0].spec.nodeName}')\" ]"
h2=$(kctl get pods -l app=agent -o jsonpath='{.items[*].metadata.labels.controller-revision-hash}' | tr ' ' '\n' | grep -v "$h1" | sort -u)
sleep 1
check "while it is not ready, the two other old pods stay" count_is 2 pods_with_hash "$h1"
check "and no second new pod" count_is 1 pods_with_hash "$h2"
check_output "status during the rollout: 1 updated, 2 available, generation 2" '^3 3 0 2 1 2 2$' ds_status
make_ready "$(pods_with_hash "$h2")"
wait_for "the next old pod is replaced" 15 sh -c "$HELPERS; [ \$(pods_with_hash $h1 | grep -c .) = 1 ] && [ \$(pods_with_hash $h2 | grep -c .) = 2 ]"
for p in $(pods_with_hash "$h2"); do make_ready "$p"; done
wait_for "and the last one" 15 sh -c "$HELPERS; [ \$(pods_with_hash $h1 | grep -c .) = 0 ] && [ \$(pods_with_hash $h2 | grep -c .) = 3 ]"
for p in $(pods_with_hash "$h2"); do make_ready "$p"; done
wait_for "status after the rollout: all updated and available" 15 field_is "3 3 0 3 3 3 2" ds_status
check_output "one pod per node" '^n1 n2 n4$' pod_nodes

# --- nodes going -------------------------------------------------------------------
check "delete node n4" kctl delete node n4
wait_for "its pod goes" 15 field_is "n1 n2" pod_nodes
check "n1 loses the worker label" kctl label node n1 role-
wait_for "its pod goes too" 15 field_is "n2" pod_nodes
wait_for "status: desired 1" 10 field_is "1 1 0 1 1 1 2" ds_status

# --- OnDelete --------------------------------------------------------------------
check "switch to OnDelete and change the template" kctl patch ds agent --type=merge -p \
        '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null},"template":{"spec":{"containers":[{"name":"c","image":"registry.example/agent:3"}]}}}}'
wait_for "observedGeneration 3" 10 field_is 3 kctl get ds agent -o jsonpath='{.status.observedGeneration}'
sleep 1
check "the old pod stays" count_is 1 pods_with_hash "$h2"
check "delete it" kctl delete pod "$(pods_with_hash "$h2")" --wait=false
wait_for "a pod of the new template replaces it" 15 sh -c "$HELPERS; [ \$(pods_with_hash $h2 | grep -c .) = 0 ] && [ \"\$(pod_nodes)\" = n2 ]"

check "delete the DaemonSet" kctl delete ds agent
wait_for "its pods are collected" 15 count_is 0 kctl get pods -l app=agent -o name

done_testing
