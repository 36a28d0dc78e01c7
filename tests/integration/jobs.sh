# SPDX-License-Identifier: Apache-2.0
# The Job controller with the real kubectl: completions with parallelism
# (never more than parallelism pods at once), the job-tracking finalizer,
# backoffLimit, activeDeadlineSeconds, suspend and kubectl wait. No kubelet
# runs: the test plays its part by writing pods' phase through /status.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/cm-lib.sh"

[ -x "$CM_BIN" ] || bail "$CM_BIN not built"
[ -x "$(kubectl_bin "$KCTL_VERSION")" ] || bail "no kubectl"
apiserver_start
cm_start cm --leader-elect=false

job_yaml() { # job_yaml NAME SPEC-LINES...
        name=$1
        shift
        printf 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: %s\nspec:\n' "$name"
        for l in "$@"; do
                printf '  %s\n' "$l"
        done
        cat <<YAML
  template:
    metadata:
      labels: {app: $name}
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: registry.example/busybox:1
YAML
}
# Pods of job $1 still running (not finished, not being deleted).
running_of() {
        kctl get pods -l batch.kubernetes.io/job-name="$1" -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.metadata.deletionTimestamp}{"\n"}{end}' |
                awk 'NF == 2 && $2 != "Succeeded" && $2 != "Failed" { print $1 }'
}
set_phase() { # set_phase POD PHASE
        kctl patch pod "$1" --subresource=status --type=merge -p "{\"status\":{\"phase\":\"$2\"}}" >/dev/null
}
cond_of() { # cond_of JOB TYPE: that condition's status and reason
        kctl get job "$1" -o jsonpath="{.status.conditions[?(@.type==\"$2\")].status} {.status.conditions[?(@.type==\"$2\")].reason}"
}
# finish_pods JOB PHASE SECONDS: mark running pods PHASE one at a time until
# the Job has a Complete or Failed condition; MAXRUN is the most seen at once.
finish_pods() {
        MAXRUN=0
        end=$(($(date +%s) + $3))
        while [ "$(date +%s)" -lt "$end" ]; do
                c=$(kctl get job "$1" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
                case " $c " in *" Complete "* | *" Failed "*) return 0 ;; esac
                run=$(running_of "$1")
                k=$(echo "$run" | grep -c .)
                [ "$k" -gt "$MAXRUN" ] && MAXRUN=$k
                p=$(echo "$run" | head -1)
                [ -n "$p" ] && set_phase "$p" "$2"
                sleep 0.2
        done
        return 1
}

# --- completions and parallelism ----------------------------------------------
job_yaml five 'completions: 5' 'parallelism: 2' >"$TMPROOT/five.yaml"
check "create a Job with completions 5, parallelism 2" kctl apply -f "$TMPROOT/five.yaml"
wait_for "2 pods are started" 10 count_is 2 running_of five
p1=$(running_of five | head -1)
check_output "pods have a Job controller ownerReference" '^Job five true$' \
        kctl get pod "$p1" -o jsonpath='{.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller}'
check_output "pods carry the job-tracking finalizer" 'batch.kubernetes.io/job-tracking' \
        kctl get pod "$p1" -o jsonpath='{.metadata.finalizers}'
wait_for "status.active 2 and startTime" 10 sh -c "$(declare -f kctl kubectl_bin); KCTL_VERSION=$KCTL_VERSION; [ \"\$(kctl get job five -o jsonpath='{.status.active}')\" = 2 ] && [ -n \"\$(kctl get job five -o jsonpath='{.status.startTime}')\" ]"
finish_pods five Succeeded 40
ok $? "the Job runs to its end as pods succeed"
check_output "never more than 2 pods ran at once" '^[12]$' echo "$MAXRUN"
check "kubectl wait --for=condition=complete" kctl wait --for=condition=complete job/five --timeout=10s
check_output "status.succeeded 5, no active, completionTime set" '^5  [0-9T:Z-]+$' \
        kctl get job five -o jsonpath='{.status.succeeded} {.status.active} {.status.completionTime}'
check_output "SuccessCriteriaMet then Complete, reason CompletionsReached" '^True CompletionsReached$' cond_of five SuccessCriteriaMet
check_output "exactly 5 pods were made" '^5$' sh -c "$(declare -f kctl kubectl_bin); KCTL_VERSION=$KCTL_VERSION; kctl get pods -l batch.kubernetes.io/job-name=five --no-headers | wc -l | tr -d ' '"
wait_for "no pod keeps the finalizer once counted" 10 field_is "" \
        kctl get pods -l batch.kubernetes.io/job-name=five -o jsonpath='{.items[*].metadata.finalizers}'
check_output "kubectl get job shows Complete 5/5" '^five +Complete +5/5 ' kctl get job five --no-headers

# --- backoffLimit -------------------------------------------------------------
job_yaml flaky 'backoffLimit: 2' >"$TMPROOT/flaky.yaml"
check "create a Job with backoffLimit 2" kctl apply -f "$TMPROOT/flaky.yaml"
finish_pods flaky Failed 40
ok $? "the Job stops while its pods keep failing"
check "kubectl wait --for=condition=failed" kctl wait --for=condition=failed job/flaky --timeout=10s
check_output "Failed with reason BackoffLimitExceeded" '^True BackoffLimitExceeded$' cond_of flaky Failed
check_output "status.failed 3 (backoffLimit + 1), no completionTime" '^3 $' \
        kctl get job flaky -o jsonpath='{.status.failed} {.status.completionTime}'
check_output "3 pods in all" '^3$' sh -c "$(declare -f kctl kubectl_bin); KCTL_VERSION=$KCTL_VERSION; kctl get pods -l batch.kubernetes.io/job-name=flaky --no-headers | wc -l | tr -d ' '"

# --- activeDeadlineSeconds ----------------------------------------------------
job_yaml slow 'activeDeadlineSeconds: 2' >"$TMPROOT/slow.yaml"
check "create a Job with activeDeadlineSeconds 2" kctl apply -f "$TMPROOT/slow.yaml"
wait_for "Failed DeadlineExceeded after 2 s" 15 field_is "True DeadlineExceeded" cond_of slow Failed
wait_for "its running pod is deleted" 10 count_is 0 kctl get pods -l batch.kubernetes.io/job-name=slow -o name

# --- suspend ------------------------------------------------------------------
job_yaml later 'suspend: true' >"$TMPROOT/later.yaml"
check "create a suspended Job" kctl apply -f "$TMPROOT/later.yaml"
wait_for "Suspended condition" 10 field_is "True JobSuspended" cond_of later Suspended
check "no pod while suspended" count_is 0 kctl get pods -l batch.kubernetes.io/job-name=later -o name
check "resume it" kctl patch job later --type=merge -p '{"spec":{"suspend":false}}'
wait_for "a pod is started on resume" 10 count_is 1 running_of later
check_output "Suspended False JobResumed" '^False JobResumed$' cond_of later Suspended

# --- CronJob ------------------------------------------------------------------
cat >"$TMPROOT/tick.yaml" <<'YAML'
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
spec:
  schedule: "*/1 * * * *"
  startingDeadlineSeconds: 120
  jobTemplate:
    metadata:
      labels: {app: tick}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: registry.example/busybox:1
YAML
check "create a CronJob every minute" kctl apply -f "$TMPROOT/tick.yaml"
# Its first time would be the next minute: say instead it last ran 5
# minutes ago, so the time at the start of this minute is due (and the
# older ones are past startingDeadlineSeconds).
ago=$(date -u -d @$(($(date +%s) - 300)) +%Y-%m-%dT%H:%M:%SZ)
check "set status.lastScheduleTime 5 minutes back" \
        kctl patch cronjob tick --subresource=status --type=merge -p "{\"status\":{\"lastScheduleTime\":\"$ago\"}}"
tick_jobs() { kctl get jobs -l app=tick -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'; }
wait_for "the due Job is created at once" 10 count_is 1 tick_jobs
tj=$(tick_jobs | head -1)
mins=$(($(date +%s) / 60))
check_output "named tick-<scheduled minutes since the epoch>" "^tick-($((mins - 1))|$mins)\$" echo "$tj"
check_output "with a CronJob controller ownerReference" '^CronJob tick true$' \
        kctl get job "$tj" -o jsonpath='{.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller}'
check_output "and the scheduled-timestamp annotation" ':00Z$' \
        kctl get job "$tj" -o jsonpath='{.metadata.annotations.batch\.kubernetes\.io/cronjob-scheduled-timestamp}'
wait_for "status.active lists it, lastScheduleTime is its minute" 10 sh -c "$(declare -f kctl kubectl_bin); KCTL_VERSION=$KCTL_VERSION; [ \"\$(kctl get cronjob tick -o jsonpath='{.status.active[0].name} {.status.lastScheduleTime}')\" = \"$tj \$(date -u -d @\$((${tj#tick-} * 60)) +%Y-%m-%dT%H:%M:%SZ)\" ]"
wait_for "the Job controller starts its pod" 10 count_is 1 running_of "$tj"
set_phase "$(running_of "$tj")" Succeeded
wait_for "once the Job completes it leaves status.active" 15 field_is "" kctl get cronjob tick -o jsonpath='{.status.active}'
check_output "and lastSuccessfulTime is set" 'Z$' kctl get cronjob tick -o jsonpath='{.status.lastSuccessfulTime}'

done_testing
