# SPDX-License-Identifier: Apache-2.0
# The Deployment controller with the real kubectl: rollout status, a
# RollingUpdate within maxSurge, history with change-cause, undo (previous
# and --to-revision), pause and resume, restart, scale, Recreate,
# revisionHistoryLimit and the progress deadline. A stand-in kubelet makes
# pods Running and Ready (cm-lib.sh).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/cm-lib.sh"

[ -x "$CM_BIN" ] || bail "$CM_BIN not built"
[ -x "$(kubectl_bin "$KCTL_VERSION")" ] || bail "no kubectl"
apiserver_start
cm_start cm --leader-elect=false
fake_kubelet_start

deploy_yaml() { # deploy_yaml NAME REPLICAS IMAGE STRATEGY-YAML [EXTRA-LABEL]
        cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $1
spec:
  replicas: $2
  revisionHistoryLimit: 3
  selector:
    matchLabels: {app: $1}
  strategy: $4
  template:
    metadata:
      labels: {app: $1${5:+, $5}}
    spec:
      containers:
      - name: c
        image: $3
YAML
}
rs_count() { kctl get rs -l app="$1" -o name | grep -c .; }

deploy_yaml web 4 img:1 '{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}' >"$TMPROOT/web.yaml"
check "create a Deployment" kctl apply -f "$TMPROOT/web.yaml"
check_output "kubectl rollout status waits for it" 'deployment "web" successfully rolled out' \
        kctl rollout status deployment web --timeout=30s
check_output "one ReplicaSet named after the pod-template-hash" '^web-[a-z0-9]+ 4 4 4$' \
        kctl get rs -l app=web -o jsonpath='{range .items[*]}{.metadata.name} {.spec.replicas} {.status.replicas} {.status.readyReplicas}{"\n"}{end}'
hash=$(kctl get rs -l app=web -o jsonpath='{.items[0].metadata.labels.pod-template-hash}')
check_output "the ReplicaSet selects on pod-template-hash" "^$hash\$" \
        kctl get rs -l app=web -o jsonpath='{.items[0].spec.selector.matchLabels.pod-template-hash}'
check_output "its pods carry the hash" "^4\$" sh -c "$(declare -f kctl kubectl_bin bail); KCTL_VERSION=$KCTL_VERSION; kctl get pods -l pod-template-hash=$hash -o name | grep -c ."
check_output "the ReplicaSet is controlled by the Deployment" '^Deployment web true$' \
        kctl get rs -l app=web -o jsonpath='{.items[0].metadata.ownerReferences[0].kind} {.items[0].metadata.ownerReferences[0].name} {.items[0].metadata.ownerReferences[0].controller}'
check_output "revision 1 on the Deployment and the ReplicaSet" '^1 1$' \
        kctl get deploy web -o jsonpath="{.metadata.annotations.deployment\.kubernetes\.io/revision} {.metadata.annotations.deployment\.kubernetes\.io/revision}"
check_output "status: replicas, updated, ready, available, observedGeneration" '^4 4 4 4 1$' \
        kctl get deploy web -o jsonpath='{.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.availableReplicas} {.status.observedGeneration}'
check_output "conditions Available and Progressing" '^Available=True/MinimumReplicasAvailable Progressing=True/NewReplicaSetAvailable $' \
        kctl get deploy web -o jsonpath='{range .status.conditions[*]}{.type}={.status}/{.reason} {end}'
check_output "kubectl get deployment" '^web +4/4 +4 +4 ' kctl get deploy web --no-headers

# A rolling update within maxSurge 1, maxUnavailable 0.
check "annotate a change-cause" kctl annotate deploy web kubernetes.io/change-cause="image 2"
check "kubectl set image" kctl set image deploy/web c=img:2
max=0
for i in $(seq 1 150); do
        n=$(kctl get pods -l app=web --no-headers 2>/dev/null | grep -c .)
        [ "$n" -gt "$max" ] && max=$n
        [ "$(kctl get deploy web -o jsonpath='{.status.updatedReplicas}/{.status.availableReplicas}/{.status.replicas}/{.status.observedGeneration}')" = 4/4/4/2 ] && break
        sleep 0.1
done
check_output "the rollout completes" 'successfully rolled out' kctl rollout status deployment web --timeout=30s
check "never more than replicas + maxSurge pods" [ "$max" -le 5 ]
check_output "two ReplicaSets: the new one with 4, the old one scaled to 0" '^0 4 $' \
        sh -c "$(declare -f kctl kubectl_bin bail); KCTL_VERSION=$KCTL_VERSION; kctl get rs -l app=web --sort-by=.metadata.annotations.deployment\\\\.kubernetes\\\\.io/revision -o jsonpath='{range .items[*]}{.spec.replicas} {end}'"
check_output "rollout history lists both, with the change-cause" '^1 +<none>.2 +image 2$' \
        sh -c "$(declare -f kctl kubectl_bin bail); KCTL_VERSION=$KCTL_VERSION; kctl rollout history deploy web | sed -n '/^[0-9]/p' | tr '\n' '.' | sed 's/ *\.\$//'"
check_output "rollout history --revision=2 shows the template" 'img:2' kctl rollout history deploy web --revision=2

check "rollout undo" kctl rollout undo deploy web
check_output "it completes" 'successfully rolled out' kctl rollout status deployment web --timeout=30s
check_output "the first ReplicaSet is back, as revision 3" "^3 img:1\$" \
        kctl get rs -l pod-template-hash="$hash" -o jsonpath="{.items[0].metadata.annotations.deployment\.kubernetes\.io/revision} {.items[0].spec.template.spec.containers[0].image}"
check "still two ReplicaSets" [ "$(rs_count web)" = 2 ]
check "rollout undo --to-revision=2" kctl rollout undo deploy web --to-revision=2
check_output "it completes" 'successfully rolled out' kctl rollout status deployment web --timeout=30s
check_output "the image is img:2 again" '^img:2$' kctl get deploy web -o jsonpath='{.spec.template.spec.containers[0].image}'

check "rollout pause" kctl rollout pause deploy web
check "change the image while paused" kctl set image deploy/web c=img:3
sleep 1
check_output "paused: no new ReplicaSet" '^2$' rs_count web
check_output "paused: Progressing is Unknown/DeploymentPaused" 'Progressing=Unknown/DeploymentPaused' \
        kctl get deploy web -o jsonpath='{range .status.conditions[*]}{.type}={.status}/{.reason} {end}'
check "rollout resume" kctl rollout resume deploy web
check_output "the rollout goes on" 'successfully rolled out' kctl rollout status deployment web --timeout=30s
check_output "three ReplicaSets" '^3$' rs_count web
check "rollout restart" kctl rollout restart deploy web
check_output "restart rolls out a new ReplicaSet" 'successfully rolled out' kctl rollout status deployment web --timeout=30s
check_output "revisionHistoryLimit 3 keeps three old ones beside the new one" '^4$' rs_count web
check "scale to 6" kctl scale deploy web --replicas=6
check_output "the scale completes" 'successfully rolled out' kctl rollout status deployment web --timeout=30s
check_output "6 pods" '^6$' sh -c "$(declare -f kctl kubectl_bin bail); KCTL_VERSION=$KCTL_VERSION; kctl get pods -l app=web -o name | grep -c ."

# Recreate: the old pods go before the new ones come.
deploy_yaml rec 3 img:1 '{type: Recreate}' >"$TMPROOT/rec.yaml"
check "create a Recreate Deployment" kctl apply -f "$TMPROOT/rec.yaml"
check_output "rolled out" 'successfully rolled out' kctl rollout status deployment rec --timeout=30s
check "change its image" kctl set image deploy/rec c=img:2
mixed=0
for i in $(seq 1 150); do
        imgs=$(kctl get pods -l app=rec -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}' 2>/dev/null | sort -u | grep -c .)
        [ "$imgs" -gt 1 ] && mixed=1
        [ "$(kctl get deploy rec -o jsonpath='{.status.updatedReplicas}/{.status.availableReplicas}/{.status.replicas}/{.status.observedGeneration}')" = 3/3/3/2 ] && break
        sleep 0.1
done
check_output "Recreate completes" 'successfully rolled out' kctl rollout status deployment rec --timeout=30s
check "old and new pods never ran together" [ "$mixed" = 0 ]

# A rollout whose pods never become ready stalls, past its deadline.
deploy_yaml stuck 2 img:1 '{type: RollingUpdate}' 'stuck: "true"' >"$TMPROOT/stuck.yaml"
sed -i 's/^  revisionHistoryLimit: 3/  progressDeadlineSeconds: 2/' "$TMPROOT/stuck.yaml"
check "create a Deployment whose pods never get ready" kctl apply -f "$TMPROOT/stuck.yaml"
check_fails "rollout status fails once the deadline passes" kctl rollout status deployment stuck --timeout=30s
check_output "it says why" 'exceeded its progress deadline' echo "$LAST_OUTPUT"
check_output "Progressing is False/ProgressDeadlineExceeded" 'Progressing=False/ProgressDeadlineExceeded' \
        kctl get deploy stuck -o jsonpath='{range .status.conditions[*]}{.type}={.status}/{.reason} {end}'
check_output "Available is False" 'Available=False/MinimumReplicasUnavailable' \
        kctl get deploy stuck -o jsonpath='{range .status.conditions[*]}{.type}={.status}/{.reason} {end}'

# Deleting a Deployment takes its ReplicaSets and pods along.
check "delete the Deployment" kctl delete deploy web
wait_for "its ReplicaSets are collected" 15 count_is 0 kctl get rs -l app=web -o name
wait_for "and its pods" 15 count_is 0 kctl get pods -l app=web -o name

done_testing
