# SPDX-License-Identifier: Apache-2.0
# The controller manager against the real API server and kubectl: the
# ReplicaSet controller (creation, status, scale up and down in upstream's
# order, self-healing, adoption, no double creation), the garbage collector
# (Background, Foreground, Orphan, several owners), the ServiceAccount and
# namespace controllers, then leader election between two managers. No
# kubelet runs: the test plays its part by writing pods' status.
. "$top_srcdir/tests/integration/lib.sh"

. "$top_srcdir/tests/integration/cm-lib.sh"

[ -x "$CM_BIN" ] || bail "$CM_BIN not built"
apiserver_start
cm_start cm --leader-elect=false
[ -x "$(kubectl_bin "$KCTL_VERSION")" ] || bail "no kubectl"

rs_yaml() { # rs_yaml NAME REPLICAS
        cat <<YAML
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: $1
spec:
  replicas: $2
  selector:
    matchLabels: {app: $1}
  template:
    metadata:
      labels: {app: $1, tier: web}
    spec:
      containers:
      - name: c
        image: registry.example/nginx:1
YAML
}
pods_of() { kctl get pods -l app="$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'; }
# make_ready POD: what a kubelet would report for a running, ready pod.
make_ready() {
        now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        kctl patch pod "$1" --subresource=status --type=merge -p \
                "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
}

# --- ReplicaSet -------------------------------------------------------------
rs_yaml web 3 >"$TMPROOT/web.yaml"
check "create a ReplicaSet" kctl apply -f "$TMPROOT/web.yaml"
wait_for "3 pods are created" 10 count_is 3 pods_of web
p1=$(pods_of web | head -1)
check_output "pods are named from generateName web-" '^web-[a-z0-9]{5}$' echo "$p1"
check_output "pods have a controller ownerReference" '^ReplicaSet web true true$' \
        kctl get pod "$p1" -o jsonpath='{.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller} {.metadata.ownerReferences[0].blockOwnerDeletion}'
check_output "pods carry the template's labels" '^web$' kctl get pod "$p1" -o jsonpath='{.metadata.labels.tier}'
wait_for "status.replicas is 3" 10 field_is 3 kctl get rs web -o jsonpath='{.status.replicas}'
check_output "status.fullyLabeledReplicas and observedGeneration" '^3 1$' \
        kctl get rs web -o jsonpath='{.status.fullyLabeledReplicas} {.status.observedGeneration}'
set -- $(pods_of web)
ready1=$1 ready2=$2
make_ready "$ready1"
make_ready "$ready2"
wait_for "readyReplicas follows the pods' Ready condition" 10 field_is "2 2" kctl get rs web -o jsonpath='{.status.readyReplicas} {.status.availableReplicas}'
check_output "kubectl get rs shows READY 2" '^web +3 +3 +2 ' kctl get rs web --no-headers

check "scale up to 5" kctl scale rs web --replicas=5
wait_for "5 pods" 10 count_is 5 pods_of web
wait_for "observedGeneration follows the scale" 10 field_is "5 2" kctl get rs web -o jsonpath='{.status.replicas} {.status.observedGeneration}'
check "scale down to 2" kctl scale rs web --replicas=2
wait_for "2 pods" 10 count_is 2 pods_of web
check_output "the ready pods were kept, the pending ones deleted" "^($ready1 $ready2|$ready2 $ready1)\$" \
        sh -c "$(declare -f kctl kubectl_bin pods_of bail); KCTL_VERSION=$KCTL_VERSION; pods_of web | tr '\n' ' ' | sed 's/ \$//'"
check "delete one of its pods" kctl delete pod "$ready1" --wait=false
wait_for "self-healing: a new pod replaces it" 10 sh -c "$(declare -f kctl kubectl_bin pods_of bail); KCTL_VERSION=$KCTL_VERSION; p=\$(pods_of web); [ \$(echo \"\$p\" | grep -c .) = 2 ] && ! echo \"\$p\" | grep -qx $ready1"

# Expectations: a burst of creations is not repeated while the watch catches up.
rs_yaml many 20 >"$TMPROOT/many.yaml"
check "create a ReplicaSet of 20" kctl apply -f "$TMPROOT/many.yaml"
wait_for "20 pods" 15 count_is 20 pods_of many
sleep 1
check "still exactly 20 pods a second later (no double creation)" count_is 20 pods_of many

# --- garbage collector ---------------------------------------------------------
check "delete the ReplicaSet with --cascade=orphan" kctl delete rs many --cascade=orphan
wait_for "Orphan: its pods lose their ownerReference" 10 sh -c "$(declare -f kctl kubectl_bin bail); KCTL_VERSION=$KCTL_VERSION; [ -z \"\$(kctl get pods -l app=many -o jsonpath='{.items[*].metadata.ownerReferences}')\" ]"
check "Orphan: the pods remain" count_is 20 pods_of many
check "Orphan: the ReplicaSet is gone" gone get rs many
rs_yaml many 20 >"$TMPROOT/many.yaml"
check "create the ReplicaSet again" kctl apply -f "$TMPROOT/many.yaml"
uid=$(kctl get rs many -o jsonpath='{.metadata.uid}')
wait_for "adoption: the orphans get the new ReplicaSet as controller" 10 sh -c "$(declare -f kctl kubectl_bin bail); KCTL_VERSION=$KCTL_VERSION; [ \"\$(kctl get pods -l app=many -o jsonpath='{range .items[*]}{.metadata.ownerReferences[0].uid}{\"\\n\"}{end}' | sort -u)\" = $uid ]"
check "adoption: no pod was created beside the adopted ones" count_is 20 pods_of many
check "delete the ReplicaSet with --cascade=foreground (kubectl waits)" kctl delete rs many --cascade=foreground --timeout=20s
check "Foreground: the ReplicaSet is gone" gone get rs many
check "Foreground: its pods went first" count_is 0 pods_of many
check "delete a ReplicaSet in the background (the default)" kctl delete rs web
wait_for "Background: its pods are collected" 10 count_is 0 pods_of web

# Any kind: a ConfigMap owned by two others loses only the deleted owner's
# reference; once both are gone, it goes.
check "create owners" kctl create configmap owner1
check "create owners" kctl create configmap owner2
u1=$(kctl get cm owner1 -o jsonpath='{.metadata.uid}')
u2=$(kctl get cm owner2 -o jsonpath='{.metadata.uid}')
cat >"$TMPROOT/dep.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: dependent
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: owner1, uid: $u1}
  - {apiVersion: v1, kind: ConfigMap, name: owner2, uid: $u2}
YAML
check "create a dependent of both" kctl create -f "$TMPROOT/dep.yaml"
check "delete one owner" kctl delete cm owner1
wait_for "the dependent keeps only the other owner" 10 field_is owner2 kctl get cm dependent -o jsonpath='{.metadata.ownerReferences[*].name}'
check "delete the other owner" kctl delete cm owner2
wait_for "the dependent is collected" 10 gone get cm dependent
cat >"$TMPROOT/dangling.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: dangling
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: never-was, uid: 00000000-0000-0000-0000-000000000001}
YAML
check "create an object whose owner never existed" kctl create -f "$TMPROOT/dangling.yaml"
wait_for "it is collected" 10 gone get cm dangling

# --- serviceaccount controller ------------------------------------------------------
check "create a namespace" kctl create namespace withsa
wait_for "it gets a default ServiceAccount" 10 kctl -n withsa get serviceaccount default
check "delete it" kctl -n withsa delete serviceaccount default
wait_for "it comes back" 10 kctl -n withsa get serviceaccount default

# --- namespace controller ---------------------------------------------------------
check "create a namespace" kctl create namespace doomed
rs_yaml web 2 >"$TMPROOT/web.yaml"
check "with a ReplicaSet" kctl -n doomed apply -f "$TMPROOT/web.yaml"
check "a ConfigMap" kctl -n doomed create configmap c --from-literal=a=b
check "a Secret" kctl -n doomed create secret generic s --from-literal=a=b
check "a Service" kctl -n doomed create service clusterip svc --tcp=80:80
wait_for "and pods" 10 sh -c "$(declare -f kctl kubectl_bin bail); KCTL_VERSION=$KCTL_VERSION; [ \$(kctl -n doomed get pods --no-headers | grep -c .) = 2 ]"
check "kubectl delete namespace completes" kctl delete namespace doomed --timeout=30s
check "the namespace is gone" gone get namespace doomed
check "kubectl create namespace with the same name works again" kctl create namespace doomed
check "and it is empty" count_is 0 kctl -n doomed get configmaps,secrets,replicasets,pods,services -o name
cm_stop "$CM_PID"

# --- leader election -----------------------------------------------------------
LE="--leader-elect-lease-duration=3 --leader-elect-renew-deadline=2 --leader-elect-retry-period=1"
cm_start cm-a $LE
pid_a=$CM_PID
wait_for "the first manager takes the Lease" 10 grep -q 'starting controllers' "$TMPROOT/cm-a.log"
cm_start cm-b $LE
pid_b=$CM_PID
sleep 2
check "the second one waits" sh -c "! grep -q 'starting controllers' '$TMPROOT/cm-b.log'"
holder=$(kctl -n kube-system get lease kube-controller-manager -o jsonpath='{.spec.holderIdentity}')
check_output "the Lease names the leader" "_${pid_a}\$" echo "$holder"
cm_stop "$pid_a"
wait_for "fail-over: the second one takes over" 10 grep -q 'starting controllers' "$TMPROOT/cm-b.log"
rs_yaml after 2 >"$TMPROOT/after.yaml"
check "create a ReplicaSet" kctl apply -f "$TMPROOT/after.yaml"
wait_for "the new leader runs it" 10 count_is 2 pods_of after
cm_stop "$pid_b"

done_testing
