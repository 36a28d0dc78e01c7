# SPDX-License-Identifier: Apache-2.0
# kubectl 1.33 sends its typed create commands as Kubernetes protobuf
# (application/vnd.kubernetes.protobuf): each is created, and reads back as
# the object it described (doc/protobuf.md).
. "$top_srcdir/tests/integration/lib.sh"

command -v jq >/dev/null || bail "jq not found: install the Debian package jq"
apiserver_start
KCTL_VERSION=1.33

# get KIND/NAME JQ-FILTER: the object's JSON through jq -c.
getj() {
        kctl get "$1" -o json | jq -c "$2"
}

# The request really is protobuf (else this test proves nothing).
check_output "kubectl 1.33 sends protobuf bodies" 'Content-Type: application/vnd.kubernetes.protobuf' \
        kctl create configmap probe --from-literal=x=y -v=9

check_output "create configmap" 'configmap/foo created' \
        kctl create configmap foo --from-literal=a=b --from-literal=empty=
is "configmap data" "$(getj configmap/foo .data)" '{"a":"b","empty":""}'

check_output "create secret (bytes)" 'secret/s1 created' \
        kctl create secret generic s1 --from-literal=password=s3cr3t
is "secret data is base64 of the bytes" "$(getj secret/s1 .data.password)" '"czNjcjN0"'
is "secret type defaulted" "$(getj secret/s1 .type)" '"Opaque"'

check_output "create deployment --replicas=3" 'deployment.apps/web created' \
        kctl create deployment web --image=nginx:1.25 --replicas=3
is "deployment replicas" "$(getj deployment/web .spec.replicas)" 3
is "deployment image" "$(getj deployment/web '.spec.template.spec.containers[0].image')" '"nginx:1.25"'
is "deployment selector" "$(getj deployment/web .spec.selector.matchLabels)" '{"app":"web"}'

check_output "create deployment --replicas=0 (a pointer zero is kept)" 'deployment.apps/zero created' \
        kctl create deployment zero --image=nginx --replicas=0
is "deployment replicas 0" "$(getj deployment/zero .spec.replicas)" 0

check_output "create service clusterip" 'service/svc1 created' \
        kctl create service clusterip svc1 --tcp=80:8080 --tcp=443:https
is "service int targetPort" "$(getj service/svc1 '.spec.ports[0].targetPort')" 8080
is "service string targetPort" "$(getj service/svc1 '.spec.ports[1].targetPort')" '"https"'
is "service ports" "$(getj service/svc1 '[.spec.ports[].port]')" '[80,443]'

check_output "create namespace" 'namespace/ns1 created' kctl create namespace ns1
is "namespace phase" "$(getj namespace/ns1 .status.phase)" '"Active"'

check_output "create job" 'job.batch/job1 created' kctl create job job1 --image=busybox -- echo hi
is "job command" "$(getj job/job1 '.spec.template.spec.containers[0].command')" '["echo","hi"]'
is "job restartPolicy" "$(getj job/job1 .spec.template.spec.restartPolicy)" '"Never"'

check_output "create cronjob" 'cronjob.batch/cj1 created' \
        kctl create cronjob cj1 --image=busybox --schedule='*/5 * * * *' -- date
is "cronjob schedule" "$(getj cronjob/cj1 .spec.schedule)" '"*/5 * * * *"'

check_output "create quota (quantities)" 'resourcequota/q1 created' \
        kctl create quota q1 --hard=cpu=1500m,memory=1Gi,pods=10
is "quota hard" "$(getj resourcequota/q1 .spec.hard)" '{"cpu":"1500m","memory":"1Gi","pods":"10"}'

check_output "create poddisruptionbudget (IntOrString percent)" 'poddisruptionbudget.policy/pdb1 created' \
        kctl create poddisruptionbudget pdb1 --selector=app=web --min-available=50%
is "pdb minAvailable" "$(getj pdb/pdb1 .spec.minAvailable)" '"50%"'

check_output "create ingress" 'ingress.networking.k8s.io/ing1 created' \
        kctl create ingress ing1 --rule='foo.com/bar=svc1:8080'
is "ingress backend port" "$(getj ingress/ing1 '.spec.rules[0].http.paths[0].backend.service.port.number')" 8080

check_output "create serviceaccount" 'serviceaccount/sa1 created' kctl create serviceaccount sa1
check_output "create role" 'role.rbac.authorization.k8s.io/r1 created' \
        kctl create role r1 --verb=get --verb=list --resource=pods
is "role rules" "$(getj role/r1 '.rules[0].verbs')" '["get","list"]'
check_output "create rolebinding" 'rolebinding.rbac.authorization.k8s.io/rb1 created' \
        kctl create rolebinding rb1 --role=r1 --serviceaccount=default:sa1
is "rolebinding subject" "$(getj rolebinding/rb1 '.subjects[0].name')" '"sa1"'
check_output "create priorityclass" 'priorityclass.scheduling.k8s.io/pc1 created' \
        kctl create priorityclass pc1 --value=1000
is "priorityclass value" "$(getj priorityclass/pc1 .value)" 1000

check_output "autoscale (autoscaling/v2 metrics)" 'horizontalpodautoscaler.autoscaling/web autoscaled' \
        kctl autoscale deployment web --max=5 --cpu-percent=80
is "hpa metric target" "$(getj hpa/web '.spec.metrics[0].resource.target')" '{"averageUtilization":80,"type":"Utilization"}'
is "hpa maxReplicas" "$(getj hpa/web .spec.maxReplicas)" 5
check_output "expose deployment" 'service/web exposed' \
        kctl expose deployment web --port=80 --target-port=8080
is "exposed service ports" "$(getj service/web .spec.ports)" '[{"port":80,"protocol":"TCP","targetPort":8080}]'
check_output "create secret docker-registry" 'secret/d1 created' \
        kctl create secret docker-registry d1 --docker-server=r --docker-username=u --docker-password=p
is "docker-registry secret type" "$(getj secret/d1 .type)" '"kubernetes.io/dockerconfigjson"'

# A Pod with resource quantities: kubectl debug creates it with the typed
# client (kubectl run sends JSON).
printf '%s\n' '{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}' >"$TMPROOT/node.json"
check "create a node (JSON)" kctl create --validate=false -f "$TMPROOT/node.json"
printf '%s\n' '{"resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"250m"}}}' \
        >"$TMPROOT/custom.json"
check_output "debug node: pod created" 'Creating debugging pod' \
        kctl debug node/n1 --image=busybox --profile=general --custom="$TMPROOT/custom.json"
pod=$(kctl get pods -o name | head -1)
is "pod limits" "$(getj "$pod" '.spec.containers[0].resources.limits')" '{"cpu":"500m","memory":"128Mi"}'
is "pod requests" "$(getj "$pod" '.spec.containers[0].resources.requests')" '{"cpu":"250m"}'
is "pod hostPath volume (inlined volumeSource)" "$(getj "$pod" '.spec.volumes[0].hostPath.path')" '"/"'
is "pod nodeName" "$(getj "$pod" .spec.nodeName)" '"n1"'

# The same bytes by hand; malformed protobuf is a 400 naming the byte.
PB=$top_srcdir/tests/data/protobuf
check_output "raw protobuf POST: 201" '^201 .*"name":"foo"' \
        raw POST /api/v1/namespaces/ns1/configmaps -H 'Content-Type: application/vnd.kubernetes.protobuf' \
        --data-binary @"$PB/configmap.pb"
kctl create namespace upd >/dev/null
kctl -n upd create configmap foo --from-literal=old=1 >/dev/null
check_output "protobuf PUT (update): 200" '^200 .*"name":"foo"' \
        raw PUT /api/v1/namespaces/upd/configmaps/foo -H 'Content-Type: application/vnd.kubernetes.protobuf' \
        --data-binary @"$PB/configmap.pb"
is "updated configmap data" "$(kctl -n upd get configmap foo -o json | jq -c .data)" '{"a":"b","empty":""}'
head -c 40 "$PB/configmap.pb" >"$TMPROOT/cut.pb"
check_output "truncated protobuf: 400 naming the byte" '^400 .*couldn.t decode body: .* at byte [0-9]+.*"reason":"BadRequest"' \
        raw POST /api/v1/namespaces/ns1/configmaps -H 'Content-Type: application/vnd.kubernetes.protobuf' \
        --data-binary @"$TMPROOT/cut.pb"
check_output "protobuf of another kind: 400" '^400 .*ConfigMap' \
        raw POST /api/v1/namespaces/ns1/secrets -H 'Content-Type: application/vnd.kubernetes.protobuf' \
        --data-binary @"$PB/configmap.pb"

# Older kubectl still sends JSON, and still works.
KCTL_VERSION=1.27
check_output "kubectl 1.27 create configmap (JSON)" 'configmap/old created' \
        kctl create configmap old --from-literal=a=b
KCTL_VERSION=1.33
is "kubectl 1.33 reads it" "$(getj configmap/old .data.a)" '"b"'

check "server still alive" kill -0 "$APISERVER_PID"
done_testing
