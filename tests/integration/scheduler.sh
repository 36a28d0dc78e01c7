#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# timonier-scheduler against the real API server, with Node objects made
# here and the real kubectl: spreading, nodeSelector, taints, host ports,
# an unschedulable pod reported and then scheduled once a node is added.
. "$top_srcdir/tests/integration/lib.sh"

SCHED_BIN=${top_builddir:-.}/scheduler/timonier-scheduler
SCHED_PID=
SCHED_B_PID=
stop_all() {
        for p in $SCHED_PID $SCHED_B_PID; do
                kill "$p" 2>/dev/null
                wait "$p" 2>/dev/null
        done
        cleanup
}
trap stop_all EXIT INT TERM

[ -x "$SCHED_BIN" ] || bail "$SCHED_BIN not built"
apiserver_start
cat >"$TMPROOT/scheduler.yaml" <<EOT
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packer
  plugins:
    score:
      disabled:
      - name: NodeResourcesBalancedAllocation
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
EOT
# a free loopback port for /healthz and /metrics
MPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + $$ % 30000)))
"$SCHED_BIN" --kubeconfig "$KUBECONFIG" --config "$TMPROOT/scheduler.yaml" --log-level info \
        --port "$MPORT" 2>"$TMPROOT/scheduler.log" &
SCHED_PID=$!

# mknode NAME CPU MEMORY LABELS TAINTS (JSON fragments)
mknode() {
        kctl create -f - >/dev/null <<EOT || return 1
{"apiVersion":"v1","kind":"Node","metadata":{"name":"$1","labels":{"kubernetes.io/hostname":"$1"$4}},
 "spec":{"taints":[$5]}}
EOT
        kctl patch node "$1" --subresource=status --type=merge -p \
                "{\"status\":{\"capacity\":{\"cpu\":\"$2\",\"memory\":\"$3\",\"pods\":\"110\"},\"allocatable\":{\"cpu\":\"$2\",\"memory\":\"$3\",\"pods\":\"110\"}}}" >/dev/null
}

# mkpod NAME CPU EXTRA-SPEC (JSON fragment ending in a comma, or "")
mkpod() {
        kctl create -f - >/dev/null <<EOT
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"$1","labels":{"app":"$1"}},
 "spec":{$3"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"$2"}}}]}}
EOT
}

# node_of POD [SECONDS]: waits until the pod is bound, prints the node.
node_of() {
        i=0
        while [ $i -lt $((${2:-10} * 10)) ]; do
                n=$(kctl get pod "$1" -o 'jsonpath={.spec.nodeName}' 2>/dev/null)
                [ -n "$n" ] && { echo "$n"; return 0; }
                sleep 0.1
                i=$((i + 1))
        done
        echo "(unbound)"
        return 1
}

# cond_of POD: waits for a PodScheduled=False condition, prints reason|message.
cond_of() {
        i=0
        while [ $i -lt 100 ]; do
                c=$(kctl get pod "$1" -o 'jsonpath={range .status.conditions[?(@.type=="PodScheduled")]}{.status}|{.reason}|{.message}{end}' 2>/dev/null)
                case $c in False*) echo "$c"; return 0 ;; esac
                sleep 0.1
                i=$((i + 1))
        done
        echo "$c"
}

CP_TAINT='{"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}'
check "control-plane node" mknode cp 8 16Gi ',"node-role.kubernetes.io/control-plane":""' "$CP_TAINT"
check "worker w1 (ssd)" mknode w1 4 8Gi ',"disktype":"ssd"' ""
check "worker w2 (hdd)" mknode w2 4 8Gi ',"disktype":"hdd"' ""

# Spreading: LeastAllocated puts two equal pods on the two workers.
mkpod spread-a 1 ""
a=$(node_of spread-a)
mkpod spread-b 1 ""
b=$(node_of spread-b)
case "$a $b" in
"w1 w2" | "w2 w1") ok 0 "two pods spread over the two workers ($a, $b)" ;;
*) ok 1 "two pods spread over the two workers (got $a, $b)" ;;
esac
check_output "binding sets PodScheduled=True" '^True$' \
        kctl get pod spread-a -o 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}'

# nodeSelector
mkpod ssd 500m '"nodeSelector":{"disktype":"ssd"},'
is "nodeSelector disktype=ssd lands on w1" "$(node_of ssd)" w1

# Taints and tolerations: only a tolerating pod goes to the control plane.
mkpod cp-pod 100m '"nodeSelector":{"node-role.kubernetes.io/control-plane":""},"tolerations":[{"key":"node-role.kubernetes.io/control-plane","operator":"Exists","effect":"NoSchedule"}],'
is "a tolerating pod goes to the tainted node" "$(node_of cp-pod)" cp
mkpod cp-intolerant 100m '"nodeSelector":{"node-role.kubernetes.io/control-plane":""},'
check_output "an intolerant pod is Unschedulable" \
        '^False\|Unschedulable\|0/3 nodes are available: 1 node\(s\) had untolerated taint \{node-role.kubernetes.io/control-plane: \}, 2 node\(s\) didn.t match Pod.s node affinity/selector\. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling\.$' \
        cond_of cp-intolerant
kctl delete pod cp-intolerant --grace-period=0 --force >/dev/null 2>&1

# Host ports: one per node and protocol.
hp='"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80,"hostPort":9000}]}]'
for p in hp-1 hp-2 hp-3; do
        kctl create -f - >/dev/null <<EOT
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"$p"},"spec":{$hp}}
EOT
        [ $p = hp-3 ] || node_of $p >/dev/null
done
n1=$(node_of hp-1 1)
n2=$(node_of hp-2 1)
[ "$n1" != "$n2" ] && ok 0 "two pods with hostPort 9000 on different workers" ||
        ok 1 "two pods with hostPort 9000 on different workers ($n1, $n2)"
check_output "the third hostPort pod does not fit" \
        "2 node\(s\) didn't have free ports for the requested pod ports\. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod\.$" \
        cond_of hp-3
kctl delete pod hp-1 --grace-period=0 --force >/dev/null 2>&1
is "deleting a hostPort pod lets the third one in" "$(node_of hp-3)" "$n1"

# Required anti-affinity by hostname spreads replicas, one per node.
anti='"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"kubernetes.io/hostname","labelSelector":{"matchLabels":{"app":"replica"}}}]}},'
for p in anti-1 anti-2 anti-3; do
        kctl create -f - >/dev/null <<EOT
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"$p","labels":{"app":"replica"}},
 "spec":{$anti"containers":[{"name":"c","image":"nginx"}]}}
EOT
        [ $p = anti-3 ] || node_of $p >/dev/null
done
n1=$(node_of anti-1 1)
n2=$(node_of anti-2 1)
[ "$n1" != "$n2" ] && ok 0 "anti-affinity: two replicas on two workers ($n1, $n2)" ||
        ok 1 "anti-affinity: two replicas on two workers ($n1, $n2)"
check_output "anti-affinity: a third replica has no node" \
        "2 node\(s\) didn't match pod anti-affinity rules\. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod\.$" \
        cond_of anti-3
kctl delete pod anti-3 --grace-period=0 --force >/dev/null 2>&1

# Unschedulable until a big enough node appears.
mkpod big 6 ""
check_output "a 6-cpu pod is Unschedulable with the summary" \
        '^False\|Unschedulable\|0/3 nodes are available: 1 node\(s\) had untolerated taint \{node-role.kubernetes.io/control-plane: \}, 2 Insufficient cpu\. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling\.$' \
        cond_of big
check_output "a FailedScheduling event is recorded" 'FailedScheduling.*pod/big.*Insufficient cpu' \
        kctl get events
check "node w3 with 16 cpus added" mknode w3 16 32Gi "" ""
is "the big pod is scheduled once w3 exists" "$(node_of big 15)" w3

# Priority from a PriorityClass: the dry run of preemption finds victims on
# w3 (the big pod, priority 0) for an 11-cpu pod of priority 1000.
kctl create -f - >/dev/null <<EOT
{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"high"},"value":1000}
EOT
mkpod vip 11 '"priorityClassName":"high",'
check_output "a PriorityClass's value is the pod's priority for preemption" \
        'preemption: node w3 would fit after evicting lower-priority pods' cond_of vip
kctl delete pod vip --grace-period=0 --force >/dev/null 2>&1

# A second profile: bin-packing puts consecutive pods on the same node.
mkpod pack-1 100m '"schedulerName":"bin-packer",'
p1=$(node_of pack-1)
mkpod pack-2 100m '"schedulerName":"bin-packer",'
is "the bin-packer profile packs two pods on one node" "$(node_of pack-2)" "$p1"
mkpod nobody 100m '"schedulerName":"nobody",'
sleep 1
check_output "a pod for another scheduler is left alone" '^$' \
        kctl get pod nobody -o 'jsonpath={.spec.nodeName}{.status.conditions}'

check_output "/healthz answers ok" '^ok$' curl -sS "http://127.0.0.1:$MPORT/healthz"
check_output "/metrics counts scheduled attempts" \
        '^scheduler_schedule_attempts_total\{result="scheduled"\} [1-9]' curl -sS "http://127.0.0.1:$MPORT/metrics"
check_output "/metrics counts unschedulable attempts" \
        '^scheduler_schedule_attempts_total\{result="unschedulable"\} [1-9]' curl -sS "http://127.0.0.1:$MPORT/metrics"
check_output "/metrics has the queue lengths and the cache size" \
        'scheduler_pending_pods\{queue="unschedulable"\} [0-9]+.*scheduler_cache_size\{type="nodes"\} 4' \
        sh -c "curl -sS http://127.0.0.1:$MPORT/metrics | tr '\\n' ' '"
check_output "/metrics has the attempt duration histogram" \
        'scheduler_scheduling_attempt_duration_seconds_bucket\{result="scheduled",le="\+Inf"\}' \
        curl -sS "http://127.0.0.1:$MPORT/metrics"

check_output "the scheduler logged its decisions" 'default/big' cat "$TMPROOT/scheduler.log"
kill "$SCHED_PID"
wait "$SCHED_PID"
is "the scheduler stops cleanly on SIGTERM" "$?" 0
SCHED_PID=
# Under --enable-asan: no memory error or undefined behaviour in the daemon.
check_fails "no sanitizer report from the scheduler" \
        grep -E 'ERROR: AddressSanitizer|runtime error:' "$TMPROOT/scheduler.log"
grep -q 'LeakSanitizer' "$TMPROOT/scheduler.log" && diag "the scheduler leaked memory at exit:" \
        "$(grep -A12 LeakSanitizer "$TMPROOT/scheduler.log" | head -30)"
# Leader election: two schedulers, one Lease; the second takes over when
# the first stops (and releases it).
kctl create namespace kube-system >/dev/null 2>&1
LE="--port 0 --leader-elect --leader-elect-lease-duration 4s --leader-elect-renew-deadline 3s --leader-elect-retry-period 500ms"
holder() {
        kctl get lease -n kube-system kube-scheduler -o 'jsonpath={.spec.holderIdentity}' 2>/dev/null
}
# shellcheck disable=SC2086
"$SCHED_BIN" --kubeconfig "$KUBECONFIG" $LE 2>"$TMPROOT/scheduler-a.log" &
SCHED_PID=$!
i=0
while [ -z "$(holder)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
first=$(holder)
# shellcheck disable=SC2086
"$SCHED_BIN" --kubeconfig "$KUBECONFIG" $LE 2>"$TMPROOT/scheduler-b.log" &
SCHED_B_PID=$!
check_output "the first scheduler holds the Lease" "_${SCHED_PID}_" echo "$first"
mkpod le-1 100m ""
check_output "the leader schedules" '^w' node_of le-1
kill "$SCHED_PID"
wait "$SCHED_PID"
is "the leader stops cleanly" "$?" 0
SCHED_PID=
i=0
while [ "$(holder)" = "$first" ] || [ -z "$(holder)" ]; do
        [ $i -gt 100 ] && break
        sleep 0.1
        i=$((i + 1))
done
check_output "the second scheduler takes the Lease over" "_${SCHED_B_PID}_" holder
mkpod le-2 100m ""
check_output "the new leader schedules" '^w' node_of le-2 15
kill "$SCHED_B_PID"
wait "$SCHED_B_PID"
SCHED_B_PID=
check_fails "no sanitizer report from the leader-elected schedulers" \
        grep -E 'ERROR: AddressSanitizer|runtime error:' "$TMPROOT/scheduler-a.log" "$TMPROOT/scheduler-b.log"
done_testing
