/* SPDX-License-Identifier: Apache-2.0 */
/* JSON tree throughput against its floor: yajl's bare callback parse (empty
 * callbacks) of the same bytes. Generates a ~20 KB Pod and a ~1 MB PodList
 * (deterministically), then times, each for about a second:
 *   floor        yajl_parse with empty callbacks
 *   parse        json_parse (tree built)
 *   serialize    json_serialize of that tree
 *   yajl_gen     the same tree written with yajl_gen (why json_serialize
 *                does not use it)
 *   parse+ser    json_parse + json_serialize + json_free
 * and prints MB/s and parse+ser time / floor time (goal: within 2x).
 * Usage: bench_json [seconds-per-measure] */
#include "config.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "json.h"

static double seconds_per_measure = 1.0;

/* The thread's CPU time, not the wall clock: on a shared machine the time
 * spent waiting for a CPU is not ours. */
static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the documents ---------------------------------------------------------- */

static uint64_t rng_state = 42;
static unsigned rnd(unsigned n) {
        rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (unsigned)((rng_state >> 33) % n);
}

static json *make_container(unsigned pod, unsigned c) {
        json *ct = json_new_object();
        char buf[256];
        snprintf(buf, sizeof buf, "app-%u-%u", pod, c);
        json_object_set_string(ct, "name", buf);
        snprintf(buf, sizeof buf, "registry.example.com/team-%u/service:v1.%u.%u", pod % 7, c,
                 rnd(100));
        json_object_set_string(ct, "image", buf);
        json *cmd = json_new_array();
        json_array_append(cmd, json_new_string("/bin/server"));
        json_array_append(cmd, json_new_string("--config=/etc/app/config.yaml"));
        json_array_append(cmd, json_new_string("--log-level=info"));
        json_object_set(ct, "command", cmd);
        json *ports = json_new_array();
        for (unsigned i = 0; i < 2; i++) {
                json *p = json_new_object();
                json_object_set_string(p, "name", i ? "metrics" : "http");
                json_object_set_int(p, "containerPort", 8080 + i);
                json_object_set_string(p, "protocol", "TCP");
                json_array_append(ports, p);
        }
        json_object_set(ct, "ports", ports);
        json *env = json_new_array();
        for (unsigned i = 0; i < 12; i++) {
                json *e = json_new_object();
                snprintf(buf, sizeof buf, "APP_SETTING_%u", i);
                json_object_set_string(e, "name", buf);
                if (i % 4 == 3) {
                        json *from = json_object_ensure_object(e, "valueFrom");
                        json *ref = json_object_ensure_object(from, "secretKeyRef");
                        json_object_set_string(ref, "name", "app-secrets");
                        json_object_set_string(ref, "key", buf);
                } else {
                        snprintf(buf, sizeof buf, "value-%u with \"quotes\" and é %u", i,
                                 rnd(1000));
                        json_object_set_string(e, "value", buf);
                }
                json_array_append(env, e);
        }
        json_object_set(ct, "env", env);
        json *res = json_object_ensure_object(ct, "resources");
        json *lim = json_object_ensure_object(res, "limits");
        json_object_set_string(lim, "cpu", "500m");
        json_object_set_string(lim, "memory", "512Mi");
        json *req = json_object_ensure_object(res, "requests");
        json_object_set_string(req, "cpu", "250m");
        json_object_set_string(req, "memory", "256Mi");
        json *mounts = json_new_array();
        for (unsigned i = 0; i < 3; i++) {
                json *m = json_new_object();
                snprintf(buf, sizeof buf, "vol-%u", i);
                json_object_set_string(m, "name", buf);
                snprintf(buf, sizeof buf, "/var/lib/app/data-%u", i);
                json_object_set_string(m, "mountPath", buf);
                json_object_set_bool(m, "readOnly", i == 0);
                json_array_append(mounts, m);
        }
        json_object_set(ct, "volumeMounts", mounts);
        json *probe = json_object_ensure_object(ct, "livenessProbe");
        json *get = json_object_ensure_object(probe, "httpGet");
        json_object_set_string(get, "path", "/healthz");
        json_object_set_int(get, "port", 8080);
        json_object_set_string(get, "scheme", "HTTP");
        json_object_set_int(probe, "initialDelaySeconds", 10);
        json_object_set_int(probe, "periodSeconds", 10);
        json_object_set_int(probe, "timeoutSeconds", 1);
        json_object_set_int(probe, "successThreshold", 1);
        json_object_set_int(probe, "failureThreshold", 3);
        json_object_set(ct, "readinessProbe", json_copy(probe));
        json_object_set_string(ct, "terminationMessagePath", "/dev/termination-log");
        json_object_set_string(ct, "terminationMessagePolicy", "File");
        json_object_set_string(ct, "imagePullPolicy", "IfNotPresent");
        json *sc = json_object_ensure_object(ct, "securityContext");
        json_object_set_bool(sc, "runAsNonRoot", true);
        json_object_set_int(sc, "runAsUser", 1000 + pod);
        json_object_set_bool(sc, "readOnlyRootFilesystem", true);
        json_object_set_bool(sc, "allowPrivilegeEscalation", false);
        return ct;
}

static json *make_pod(unsigned pod) {
        char buf[512];
        json *p = json_new_object();
        json_object_set_string(p, "apiVersion", "v1");
        json_object_set_string(p, "kind", "Pod");
        json *md = json_object_ensure_object(p, "metadata");
        snprintf(buf, sizeof buf, "web-%u-7d9f8c6b5-%05u", pod, rnd(100000));
        json_object_set_string(md, "name", buf);
        json_object_set_string(md, "generateName", "web-7d9f8c6b5-");
        json_object_set_string(md, "namespace", "production");
        snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012x", rnd(1u << 30), rnd(65536),
                 rnd(65536), rnd(65536), rnd(1u << 30));
        json_object_set_string(md, "uid", buf);
        snprintf(buf, sizeof buf, "%u", 100000 + rnd(900000));
        json_object_set_string(md, "resourceVersion", buf);
        json_object_set_string(md, "creationTimestamp", "2026-11-28T16:52:00Z");
        json *labels = json_object_ensure_object(md, "labels");
        json_object_set_string(labels, "app.kubernetes.io/name", "web");
        json_object_set_string(labels, "app.kubernetes.io/instance", "web-production");
        json_object_set_string(labels, "pod-template-hash", "7d9f8c6b5");
        json *ann = json_object_ensure_object(md, "annotations");
        json_object_set_string(ann, "prometheus.io/scrape", "true");
        json_object_set_string(ann, "prometheus.io/port", "8081");
        json *owners = json_new_array();
        json *o = json_new_object();
        json_object_set_string(o, "apiVersion", "apps/v1");
        json_object_set_string(o, "kind", "ReplicaSet");
        json_object_set_string(o, "name", "web-7d9f8c6b5");
        json_object_set_bool(o, "controller", true);
        json_object_set_bool(o, "blockOwnerDeletion", true);
        json_array_append(owners, o);
        json_object_set(md, "ownerReferences", owners);

        json *spec = json_object_ensure_object(p, "spec");
        json *cts = json_new_array();
        for (unsigned c = 0; c < 8; c++)
                json_array_append(cts, make_container(pod, c));
        json_object_set(spec, "containers", cts);
        json *vols = json_new_array();
        for (unsigned i = 0; i < 3; i++) {
                json *v = json_new_object();
                snprintf(buf, sizeof buf, "vol-%u", i);
                json_object_set_string(v, "name", buf);
                json *cm = json_object_ensure_object(v, "configMap");
                json_object_set_string(cm, "name", "app-config");
                json_object_set_int(cm, "defaultMode", 420);
                json_array_append(vols, v);
        }
        json_object_set(spec, "volumes", vols);
        json_object_set_string(spec, "restartPolicy", "Always");
        json_object_set_int(spec, "terminationGracePeriodSeconds", 30);
        json_object_set_string(spec, "dnsPolicy", "ClusterFirst");
        json_object_set_string(spec, "serviceAccountName", "default");
        snprintf(buf, sizeof buf, "node-%02u.cluster.example.com", pod % 40);
        json_object_set_string(spec, "nodeName", buf);
        json *tol = json_new_array();
        json *t = json_new_object();
        json_object_set_string(t, "key", "node.kubernetes.io/not-ready");
        json_object_set_string(t, "operator", "Exists");
        json_object_set_string(t, "effect", "NoExecute");
        json_object_set_int(t, "tolerationSeconds", 300);
        json_array_append(tol, t);
        json_object_set(spec, "tolerations", tol);

        json *st = json_object_ensure_object(p, "status");
        json_object_set_string(st, "phase", "Running");
        json *conds = json_new_array();
        static const char *const ctypes[] = { "Initialized", "Ready", "ContainersReady",
                                              "PodScheduled" };
        for (unsigned i = 0; i < 4; i++) {
                json *c = json_new_object();
                json_object_set_string(c, "type", ctypes[i]);
                json_object_set_string(c, "status", "True");
                json_object_set(c, "lastProbeTime", json_new_null());
                json_object_set_string(c, "lastTransitionTime", "2026-11-28T16:52:03Z");
                json_array_append(conds, c);
        }
        json_object_set(st, "conditions", conds);
        snprintf(buf, sizeof buf, "10.%u.%u.%u", pod % 256, rnd(256), rnd(256));
        json_object_set_string(st, "podIP", buf);
        json_object_set_string(st, "hostIP", "192.168.1.20");
        json_object_set_string(st, "qosClass", "Burstable");
        json *css = json_new_array();
        for (unsigned c = 0; c < 8; c++) {
                json *cs = json_new_object();
                snprintf(buf, sizeof buf, "app-%u-%u", pod, c);
                json_object_set_string(cs, "name", buf);
                json_object_set_bool(cs, "ready", true);
                json_object_set_int(cs, "restartCount", rnd(3));
                json_object_set_bool(cs, "started", true);
                json *run = json_object_ensure_object(json_object_ensure_object(cs, "state"),
                                                      "running");
                json_object_set_string(run, "startedAt", "2026-11-28T16:52:02Z");
                snprintf(buf, sizeof buf, "containerd://%016" PRIx64 "%016" PRIx64,
                         (uint64_t)rnd(1u << 31) * 7919u, (uint64_t)rnd(1u << 31) * 104729u);
                json_object_set_string(cs, "containerID", buf);
                json_object_set(cs, "load", json_new_double(0.25 + rnd(1000) / 1000.0));
                json_array_append(css, cs);
        }
        json_object_set(st, "containerStatuses", css);
        return p;
}

static char *make_pod_json(size_t *len) {
        json *p = make_pod(0);
        char *s = json_serialize(p, 0, len);
        json_free(p);
        return s;
}

static char *make_podlist_json(size_t *len) {
        json *l = json_new_object();
        json_object_set_string(l, "apiVersion", "v1");
        json_object_set_string(l, "kind", "PodList");
        json_object_set_string(json_object_ensure_object(l, "metadata"), "resourceVersion",
                               "123456");
        json *items = json_new_array();
        json_object_set(l, "items", items);
        size_t n = 0;
        for (unsigned i = 1; n < 1000 * 1000; i++) {
                json *p = make_pod(i);
                char *s = json_serialize(p, 0, NULL);
                n += strlen(s) + 1;
                free(s);
                json_array_append(items, p);
        }
        char *s = json_serialize(l, 0, len);
        json_free(l);
        return s;
}

/* --- the measures ------------------------------------------------------------ */

static int cb_null(void *c) {
        return 1;
}
static int cb_bool(void *c, int b) {
        return 1;
}
static int cb_num(void *c, const char *s, size_t n) {
        return 1;
}
static int cb_str(void *c, const unsigned char *s, size_t n) {
        return 1;
}
static int cb_none(void *c) {
        return 1;
}
static const yajl_callbacks empty_callbacks = {
        .yajl_null = cb_null,
        .yajl_boolean = cb_bool,
        .yajl_number = cb_num,
        .yajl_string = cb_str,
        .yajl_start_map = cb_none,
        .yajl_map_key = cb_str,
        .yajl_end_map = cb_none,
        .yajl_start_array = cb_none,
        .yajl_end_array = cb_none,
};

typedef struct input {
        const char *doc;
        size_t len;
        json *tree;
} input;

static void run_floor(const input *in) {
        yajl_handle h = yajl_alloc(&empty_callbacks, NULL, NULL);
        if (yajl_parse(h, (const unsigned char *)in->doc, in->len) != yajl_status_ok ||
            yajl_complete_parse(h) != yajl_status_ok)
                abort();
        yajl_free(h);
}

static void run_parse(const input *in) {
        json *v;
        if (json_parse(in->doc, in->len, NULL, &v, NULL) < 0)
                abort();
        json_free(v);
}

static void run_serialize(const input *in) {
        free(json_serialize(in->tree, 0, NULL));
}

static void gen_yajl(yajl_gen g, const json *v) {
        switch (json_get_type(v)) {
        case JSON_NULL:
                yajl_gen_null(g);
                break;
        case JSON_BOOL:
                yajl_gen_bool(g, json_bool(v));
                break;
        case JSON_INT:
                yajl_gen_integer(g, json_int(v));
                break;
        case JSON_DOUBLE: {
                char buf[32];
                size_t n = json_format_double(json_double(v), buf);
                yajl_gen_number(g, buf, n);
                break;
        }
        case JSON_STRING:
                yajl_gen_string(g, (const unsigned char *)json_string(v), json_string_len(v));
                break;
        case JSON_ARRAY:
                yajl_gen_array_open(g);
                for (size_t i = 0; i < json_array_len(v); i++)
                        gen_yajl(g, json_array_get(v, i));
                yajl_gen_array_close(g);
                break;
        case JSON_OBJECT:
                yajl_gen_map_open(g);
                for (size_t i = 0; i < json_object_len(v); i++) {
                        const char *k = json_object_key_at(v, i);
                        yajl_gen_string(g, (const unsigned char *)k, strlen(k));
                        gen_yajl(g, json_object_value_at(v, i));
                }
                yajl_gen_map_close(g);
                break;
        default:
                abort();
        }
}

static void run_yajl_gen(const input *in) {
        yajl_gen g = yajl_gen_alloc(NULL);
        gen_yajl(g, in->tree);
        const unsigned char *buf;
        size_t len;
        yajl_gen_get_buf(g, &buf, &len);
        char *copy = malloc(len + 1); /* the same work as json_serialize's result */
        memcpy(copy, buf, len);
        free(copy);
        yajl_gen_free(g);
}

static void run_parse_serialize(const input *in) {
        json *v;
        if (json_parse(in->doc, in->len, NULL, &v, NULL) < 0)
                abort();
        free(json_serialize(v, 0, NULL));
        json_free(v);
}

/* CPU seconds per run of each measure. The machine may be shared, so the
 * measures take turns in short slices (rounds): MB/s come from each
 * measure's best slice, and the ratio is the median over the rounds of the
 * ratio within a round, where interference touches both sides alike. */
#define ROUNDS 25
#define NFNS   5

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static void bench(const char *name, const input *in) {
        static void (*const fns[NFNS])(const input *) = {
                run_floor, run_parse, run_serialize, run_yajl_gen, run_parse_serialize,
        };
        double best[NFNS], t[NFNS], ratios[ROUNDS];
        for (size_t f = 0; f < NFNS; f++) {
                fns[f](in); /* warm up */
                best[f] = 1e30;
        }
        for (unsigned r = 0; r < ROUNDS; r++) {
                for (size_t f = 0; f < NFNS; f++) {
                        unsigned long n = 0;
                        double start = now(), el;
                        do {
                                fns[f](in);
                                n++;
                                el = now() - start;
                        } while (el < seconds_per_measure / ROUNDS);
                        t[f] = el / (double)n;
                        if (t[f] < best[f])
                                best[f] = t[f];
                }
                ratios[r] = t[4] / t[0];
        }
        qsort(ratios, ROUNDS, sizeof(double), cmp_double);
        double ratio = ratios[ROUNDS / 2];
        double mb = (double)in->len / 1e6;
        printf("%-22s %8zu B | floor %6.1f MB/s | parse %6.1f | serialize %6.1f (yajl_gen %6.1f) "
               "| parse+ser %6.1f MB/s | ratio %.2fx (goal: within 2x) %s\n",
               name, in->len, mb / best[0], mb / best[1], mb / best[2], mb / best[3], mb / best[4],
               ratio, ratio <= 2.0 ? "ok" : "MISSED");
}

int main(int argc, char **argv) {
        if (argc > 1)
                seconds_per_measure = atof(argv[1]);
        if (seconds_per_measure <= 0)
                seconds_per_measure = 1.0;
        input pod = { 0 }, list = { 0 };
        char *p = make_pod_json(&pod.len), *l = make_podlist_json(&list.len);
        pod.doc = p;
        list.doc = l;
        if (json_parse(pod.doc, pod.len, NULL, &pod.tree, NULL) < 0 ||
            json_parse(list.doc, list.len, NULL, &list.tree, NULL) < 0)
                abort();
        const char *dump = getenv("BENCH_JSON_DUMP"); /* a directory: keep the inputs */
        if (dump) {
                char path[4096];
                snprintf(path, sizeof path, "%s/pod.json", dump);
                FILE *f = fopen(path, "we");
                if (f)
                        fwrite(pod.doc, 1, pod.len, f), fclose(f);
                snprintf(path, sizeof path, "%s/podlist.json", dump);
                f = fopen(path, "we");
                if (f)
                        fwrite(list.doc, 1, list.len, f), fclose(f);
        }
        printf("bench_json: %.1f s per measure; MB/s of input bytes; ratio = "
               "(json_parse + json_serialize) / yajl bare parse\n",
               seconds_per_measure);
        /* glibc gives the top of the heap back to the kernel once 128 KiB of
         * it is free, so a loop that builds and frees a 5 MB tree pays page
         * faults for fresh memory on every run: that measures the kernel,
         * and a daemon's busy heap seldom shrinks like that. First one row
         * with glibc's defaults, then the heap kept (as a long-running
         * process sees it). */
        bench("PodList/default-malloc", &list);
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        bench("Pod", &pod);
        bench("PodList", &list);
        json_free(pod.tree);
        json_free(list.tree);
        free(p);
        free(l);
        return 0;
}
