# SPDX-License-Identifier: Apache-2.0
# /openapi/v2 and /openapi/v3: the raw endpoints (index, hashes, caching
# headers, gzip, protobuf), then what kubectl 1.27 (OpenAPI v2, protobuf)
# and 1.33 (OpenAPI v3) do with them: explain, create with validation,
# unknown fields, apply.
. "$top_srcdir/tests/integration/lib.sh"

apiserver_start

# headers PATH [CURL ARGS...]: the status line and headers of a GET.
headers() {
        p=$1
        shift
        curl -sS -o /dev/null -D - "$@" "$APISERVER_URL$p" | tr -d '\r'
}

# --- raw endpoints ---------------------------------------------------------
check_output "/openapi/v3 index lists api/v1 with its hash" \
        '"api/v1":\{"serverRelativeURL":"/openapi/v3/api/v1\?hash=[0-9A-F]{16}"\}' raw GET /openapi/v3
check_output "/openapi/v3 index lists apis/apps/v1" '"apis/apps/v1":' raw GET /openapi/v3
url=$(curl -sS "$APISERVER_URL/openapi/v3" | sed -n 's|.*"apis/apps/v1":{"serverRelativeURL":"\([^"]*\)"}.*|\1|p')
hash=${url##*hash=}
check_output "apps/v1 document is OpenAPI 3.0.0 with paths" \
        '^200 \{.*"openapi":"3\.0\.0".*"/apis/apps/v1/namespaces/\{namespace\}/deployments/\{name\}"' \
        raw GET /openapi/v3/apis/apps/v1
check_output "without ?hash=: ETag and no-cache" "ETag: \"$hash\"" headers /openapi/v3/apis/apps/v1
check_output "without ?hash=: Cache-Control no-cache, private" '^Cache-Control: no-cache, private$' \
        headers /openapi/v3/apis/apps/v1
check_output "matching ?hash=: public, immutable" '^Cache-Control: public, immutable$' headers "$url"
check_output "matching ?hash=: Expires a year ahead" "^Expires: .* $(($(date -u +%Y) + 1)) " headers "$url"
check_output "stale ?hash=: 301 to the current hash" \
        "^Location: /openapi/v3/apis/apps/v1\\?hash=$hash\$" headers '/openapi/v3/apis/apps/v1?hash=0000'
check_output "If-None-Match with the ETag: 304" '^HTTP/1.1 304' \
        headers /openapi/v3/apis/apps/v1 -H "If-None-Match: \"$hash\""
check_output "unknown group-version: 404" '^404 404 page not found' raw GET /openapi/v3/apis/nope/v1
check_output "gzip when accepted" '^Content-Encoding: gzip$' \
        headers /openapi/v3/api/v1 -H 'Accept-Encoding: gzip'
plain=$(curl -sS "$APISERVER_URL/openapi/v3/api/v1" | cksum)
gz=$(curl -sS --compressed "$APISERVER_URL/openapi/v3/api/v1" | cksum)
is "gzip body inflates to the same document" "$gz" "$plain"
check_output "/openapi/v2 as JSON: swagger 2.0 with upstream definition names" \
        '^200 \{.*"io\.k8s\.api\.core\.v1\.Pod":\{' raw GET /openapi/v2
check_output "/openapi/v2 JSON has the pod patch operation" '"operationId":"patchCoreV1NamespacedPod"' \
        raw GET /openapi/v2
check_output "/openapi/v2 as protobuf when asked" \
        '^Content-Type: application/com\.github\.proto-openapi\.spec\.v2\.v1\.0\+protobuf$' \
        headers /openapi/v2 -H 'Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf'
check_output "/openapi/v2 protobuf has an ETag" '^ETag: "[0-9A-F]{16}"$' \
        headers /openapi/v2 -H 'Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf'
curl -sS -o "$TMPROOT/v2.pb" -H 'Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf' \
        "$APISERVER_URL/openapi/v2"
hexhead() { od -An -tx1 -N2 "$1" | tr -d ' \n'; }
check_output "/openapi/v2 protobuf starts with definitions (field 9, length-delimited)" '^4a' \
        hexhead "$TMPROOT/v2.pb"
check "/openapi/v2 protobuf holds the GVK extensions" grep -q 'x-kubernetes-group-version-kind' "$TMPROOT/v2.pb"

# --- kubectl -----------------------------------------------------------------
cat >"$TMPROOT/bad.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  containers:
  - name: web
    image: nginx:1.25
    imagePullPolice: Always
EOF

for v in 1.27 1.33; do
        KCTL_VERSION=$v
        n=web-${v#1.}
        check_output "kubectl $v: explain pod.spec.containers lists image <string>" \
                '^  image	<string>' kctl explain pod.spec.containers
        check_output "kubectl $v: explain pod.spec.containers lists ports <[]ContainerPort>" \
                '^  ports	<\[\]ContainerPort>' kctl explain pod.spec.containers
        check_output "kubectl $v: explain pod.spec.containers lists name" '^  name	<string>' \
                kctl explain pod.spec.containers
        check_output "kubectl $v: explain deployment.spec.strategy: rollingUpdate" \
                '^  rollingUpdate	<RollingUpdateDeployment>' kctl explain deployment.spec.strategy
        check_output "kubectl $v: explain deployment.spec.strategy: type <string>" \
                '^  type	<string>' kctl explain deployment.spec.strategy
        cat >"$TMPROOT/pod-$v.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $n
spec:
  containers:
  - name: web
    image: nginx:1.25
EOF
        check_output "kubectl $v: create -f with validation" "^pod/$n created" \
                kctl create --validate=strict -f "$TMPROOT/pod-$v.yaml"
        check_fails "kubectl $v: create -f with an unknown field fails" \
                kctl create --validate=strict -f "$TMPROOT/bad.yaml"
        if printf '%s\n' "$LAST_OUTPUT" | grep -q 'unknown field "spec.containers\[0\].imagePullPolice"'; then
                ok 0 "kubectl $v: the unknown field is reported"
        else
                ok 1 "kubectl $v: the unknown field is reported"
                diag "$LAST_OUTPUT"
        fi
done

KCTL_VERSION=1.27
check_output "kubectl 1.27 downloads /openapi/v2" 'GET http://[^ ]*/openapi/v2\?timeout=[^ ]* 200 OK' \
        kctl create --dry-run=client -f "$TMPROOT/pod-1.27.yaml" -v=6
KCTL_VERSION=1.33
check_output "kubectl 1.33 reads /openapi/v3 with ?hash=" \
        'url="http://[^"]*/openapi/v3/api/v1\?hash=[0-9A-F]+[^"]*" status="200 OK"' \
        kctl explain pods -v=6

# Client-side apply on 1.27: the strategic merge patch takes its merge keys
# from /openapi/v2.
KCTL_VERSION=1.27
cat >"$TMPROOT/dep.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
EOF
check_output "kubectl 1.27: apply creates" '^deployment.apps/web created' kctl apply -f "$TMPROOT/dep.yaml"
sed -i 's/replicas: 2/replicas: 3/; s/nginx:1.25/nginx:1.26/' "$TMPROOT/dep.yaml"
check_output "kubectl 1.27: apply again configures" '^deployment.apps/web configured' \
        kctl apply -f "$TMPROOT/dep.yaml"
check_output "kubectl 1.27: the change is stored" '^3 nginx:1\.26$' \
        kctl get deploy web -o 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}'

check "server still alive" kill -0 "$APISERVER_PID"
done_testing
