# SPDX-License-Identifier: Apache-2.0
# CRUD through the real kubectl: create, get, list, describe, apply (create,
# change, re-apply), diff, edit, the three patch types, label, annotate,
# scale, delete with each propagation policy, wait, paging, selectors,
# conflicts and the shapes of errors. Run for each kubectl version in
# KUBECTL_VERSIONS (default: 1.27 and 1.33, the oldest and newest here).
. "$top_srcdir/tests/integration/lib.sh"
DATA=$top_srcdir/tests/data

apiserver_start

for v in ${KUBECTL_VERSIONS:-1.27 1.33}; do
        KCTL_VERSION=$v
        ns=crud-$(echo "$v" | tr -d .)
        check "kubectl $v: create namespace" kctl create namespace "$ns"
        k() { kctl -n "$ns" "$@"; }

        # create / get / list / describe
        check_output "kubectl $v: create -f deployment" 'deployment.apps/webapp created' k create -f "$DATA/deployment.yaml"
        check_output "kubectl $v: create -f service" 'service/webapp created' k create -f "$DATA/service.yaml"
        check_output "kubectl $v: get deployment by name" '^webapp ' k get deployment webapp --no-headers
        check_output "kubectl $v: get -o jsonpath defaults strategy" '25%' k get deploy webapp -o jsonpath='{.spec.strategy.rollingUpdate.maxSurge}'
        check_output "kubectl $v: service got targetPort and protocol" '^8080 TCP$' k get svc webapp -o jsonpath='{.spec.ports[0].targetPort} {.spec.ports[0].protocol}'
        check_output "kubectl $v: describe deployment" 'Replicas:.*3 desired' k describe deployment webapp
        check_fails "kubectl $v: create twice is AlreadyExists" k create -f "$DATA/deployment.yaml"
        is "kubectl $v: AlreadyExists message" "$(printf '%s' "$LAST_OUTPUT" | grep -c 'deployments.apps "webapp" already exists')" 1
        check_fails "kubectl $v: get a missing pod is NotFound" k get pod nothere
        is "kubectl $v: NotFound message" "$(printf '%s' "$LAST_OUTPUT" | grep -c 'pods "nothere" not found')" 1

        # label / annotate / selectors
        check "kubectl $v: label" k label deployment webapp tier=front
        check "kubectl $v: annotate" k annotate deployment webapp note=hello
        check_output "kubectl $v: label selector finds it" '^webapp$' k get deploy -l 'tier in (front,back)' -o name --no-headers -o custom-columns=N:.metadata.name --no-headers
        check_output "kubectl $v: a non-matching selector finds nothing" 'No resources found' k get deploy -l 'tier=back'
        check_output "kubectl $v: field selector on name" '^webapp$' k get deploy --field-selector metadata.name=webapp -o custom-columns=N:.metadata.name --no-headers
        check_fails "kubectl $v: unsupported field selector is rejected" k get deploy --field-selector spec.paused=true
        is "kubectl $v: field label not supported" "$(printf '%s' "$LAST_OUTPUT" | grep -c 'field label not supported: spec.paused')" 1

        # the three patch types
        check "kubectl $v: strategic merge patch" k patch deployment webapp -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"MODE","value":"green"}]}]}}}}'
        check_output "kubectl $v: strategic patch merged env by name" '^green web$' k get deploy webapp -o jsonpath='{.spec.template.spec.containers[0].env[0].value} {.spec.template.spec.containers[0].name}'
        check "kubectl $v: merge patch" k patch deployment webapp --type=merge -p '{"metadata":{"labels":{"patched":"merge"}}}'
        check "kubectl $v: json patch" k patch deployment webapp --type=json -p '[{"op":"replace","path":"/spec/replicas","value":2}]'
        check_output "kubectl $v: patches applied" '^merge 2$' k get deploy webapp -o jsonpath='{.metadata.labels.patched} {.spec.replicas}'
        check_output "kubectl $v: generation counts spec changes" '^3$' k get deploy webapp -o jsonpath='{.metadata.generation}'
        check_fails "kubectl $v: a failing json patch test" k patch deployment webapp --type=json -p '[{"op":"test","path":"/spec/replicas","value":7}]'

        # scale and set image
        check "kubectl $v: scale" k scale deployment webapp --replicas=5
        check_output "kubectl $v: scaled" '^5$' k get deploy webapp -o jsonpath='{.spec.replicas}'
        check "kubectl $v: set image" k set image deployment/webapp web=busybox:1.37
        check_output "kubectl $v: image set" '^busybox:1.37$' k get deploy webapp -o jsonpath='{.spec.template.spec.containers[0].image}'

        # apply: create, change, re-apply
        sed 's/name: webapp/name: applied/; s/value: blue/value: red/' "$DATA/deployment.yaml" >"$TMPROOT/applied.yaml"
        check_output "kubectl $v: apply creates" 'deployment.apps/applied created' k apply -f "$TMPROOT/applied.yaml"
        sed -i 's/value: red/value: yellow/; s/replicas: 3/replicas: 4/' "$TMPROOT/applied.yaml"
        check_output "kubectl $v: apply changes" 'deployment.apps/applied configured' k apply -f "$TMPROOT/applied.yaml"
        check_output "kubectl $v: apply result" '^yellow 4$' k get deploy applied -o jsonpath='{.spec.template.spec.containers[0].env[0].value} {.spec.replicas}'
        check_output "kubectl $v: re-apply unchanged" 'deployment.apps/applied unchanged' k apply -f "$TMPROOT/applied.yaml"
        check_output "kubectl $v: last-applied annotation" 'yellow' k get deploy applied -o jsonpath='{.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}'
        sed -i 's/replicas: 4/replicas: 6/' "$TMPROOT/applied.yaml"
        # kubectl diff exits 1 when it finds differences
        out=$(k diff -f "$TMPROOT/applied.yaml" 2>&1)
        rc=$?
        ok $([ $rc = 1 ] && printf '%s' "$out" | grep -q '^+  replicas: 6' && echo 0 || echo 1) "kubectl $v: diff shows the change (exit $rc)"

        # edit through KUBE_EDITOR
        printf '#!/bin/sh\nsed -i "s/value: yellow/value: edited/" "$1"\n' >"$TMPROOT/editor"
        chmod +x "$TMPROOT/editor"
        check "kubectl $v: edit" env KUBE_EDITOR="$TMPROOT/editor" "$(kubectl_bin "$v")" -n "$ns" edit deployment applied
        check_output "kubectl $v: edit applied" '^edited$' k get deploy applied -o jsonpath='{.spec.template.spec.containers[0].env[0].value}'

        # optimistic concurrency: a stale resourceVersion conflicts
        k get deploy applied -o json >"$TMPROOT/stale.json"
        check "kubectl $v: update once" k label deploy applied bump=1
        check_fails "kubectl $v: replace with a stale resourceVersion is a Conflict" k replace -f "$TMPROOT/stale.json"
        is "kubectl $v: Conflict message" "$(printf '%s' "$LAST_OUTPUT" | grep -c 'the object has been modified; please apply your changes to the latest version and try again')" 1

        # invalid objects: 422 with causes
        printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n' >"$TMPROOT/bad.yaml"
        check_fails "kubectl $v: an invalid name is rejected" k create -f "$TMPROOT/bad.yaml"
        is "kubectl $v: Invalid message names the field" "$(printf '%s' "$LAST_OUTPUT" | grep -c 'is invalid: metadata.name: Invalid value: "Bad_Name"')" 1

        # paging: list with a small chunk size still sees everything
        for i in 1 2 3 4 5 6 7; do k create configmap "page-$i" --from-literal=i=$i >/dev/null 2>&1; done
        check_output "kubectl $v: chunked list sees all (chunk size 2)" '^7$' sh -c "$(kubectl_bin "$v") -n $ns get configmaps --chunk-size=2 -o name | grep -c page-"

        # wait
        check "kubectl $v: wait --for=delete of a deleted object" sh -c "$(kubectl_bin "$v") -n $ns delete configmap page-1 --wait=false && $(kubectl_bin "$v") -n $ns wait --for=delete configmap/page-1 --timeout=10s"

        # delete with each propagation policy
        check_output "kubectl $v: delete (background)" 'deleted' k delete deployment webapp --cascade=background
        check_output "kubectl $v: delete (orphan) keeps it for the collector" 'deleted' k delete deployment applied --cascade=orphan --wait=false
        check_output "kubectl $v: orphan finalizer set" 'orphan' k get deploy applied -o jsonpath='{.metadata.finalizers}'
        check_output "kubectl $v: deletion timestamp set" '.+' k get deploy applied -o jsonpath='{.metadata.deletionTimestamp}'
        check_output "kubectl $v: delete collection by label" 'deleted' k delete configmap -l '!nosuchlabel'
        check_output "kubectl $v: nothing left" 'No resources found' k get configmaps -l '!nosuchlabel' --field-selector 'metadata.name!=kube-root-ca.crt'
done

check "server still alive" kill -0 "$APISERVER_PID"
done_testing
