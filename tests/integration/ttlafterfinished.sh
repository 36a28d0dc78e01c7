# SPDX-License-Identifier: Apache-2.0
# The TTL-after-finished controller against the real API server: a Job
# whose status the test marks Complete (or Failed) is deleted once
# spec.ttlSecondsAfterFinished has passed, its pods with it (Background);
# unfinished Jobs and Jobs without a TTL stay.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/cm-lib.sh"

[ -x "$CM_BIN" ] || bail "$CM_BIN not built"
[ -x "$(kubectl_bin "$KCTL_VERSION")" ] || bail "no kubectl"
apiserver_start
cm_start cm --leader-elect=false

job_yaml() { # job_yaml NAME [TTL]
        cat <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
spec:
${2:+  ttlSecondsAfterFinished: $2}
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: registry.example/busybox:1
YAML
}
finish() { # finish JOB TYPE: what the Job controller writes when it is done
        now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        extra=
        [ "$2" = Complete ] && extra=",\"completionTime\":\"$now\",\"succeeded\":1"
        kctl patch job "$1" --subresource=status --type=merge -p \
                "{\"status\":{\"startTime\":\"$now\"$extra,\"conditions\":[{\"type\":\"$2\",\"status\":\"True\",\"lastProbeTime\":\"$now\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
}

job_yaml done 1 >"$TMPROOT/done.yaml"
check "create a Job with ttlSecondsAfterFinished 1" kctl create -f "$TMPROOT/done.yaml"
uid=$(kctl get job done -o jsonpath='{.metadata.uid}')
cat >"$TMPROOT/pod.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: done-pod
  ownerReferences:
  - {apiVersion: batch/v1, kind: Job, name: done, uid: $uid, controller: true}
spec:
  containers:
  - name: c
    image: registry.example/busybox:1
YAML
check "create a pod it owns" kctl create -f "$TMPROOT/pod.yaml"
job_yaml running 1 | kctl create -f - >/dev/null
job_yaml nottl | kctl create -f - >/dev/null
job_yaml failed 1 | kctl create -f - >/dev/null
job_yaml later 600 | kctl create -f - >/dev/null
sleep 1.5
check "an unfinished Job stays" kctl get job done
check "mark it Complete through /status" finish done Complete
check "mark a Job without a TTL Complete" finish nottl Complete
check "mark another Failed" finish failed Failed
check "mark one with a TTL of 600 s Complete" finish later Complete
wait_for "the Complete Job is deleted once its TTL has passed" 10 gone get job done
wait_for "the Failed Job too" 10 gone get job failed
wait_for "its pod is collected (Background)" 10 gone get pod done-pod
check "the Job that has not finished stays" kctl get job running
check "the finished Job without a TTL stays" kctl get job nottl
check "the Job whose TTL has not passed stays" kctl get job later

done_testing
