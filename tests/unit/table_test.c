/* SPDX-License-Identifier: Apache-2.0 */
/* meta.k8s.io Tables: every cell of realistic objects against what
 * kube-apiserver prints for the same object, column definitions, ages,
 * includeObject, Accept negotiation and watch tables. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/table.h"
#include "cleanup.h"
#include "strbuf.h"
#include "tests/tap.h"
#include "util.h"

/* All ages are relative to this instant. */
static tm_time NOW;

/* JSON written with ' for " to keep the fixtures readable. */
static json *parse(const char *text) {
        _cleanup_free_ char *s = xstrdup(text);
        for (char *p = s; *p; p++)
                if (*p == '\'')
                        *p = '"';
        json *v = NULL;
        tm_error *err = NULL;
        if (json_parse(s, strlen(s), NULL, &v, &err) < 0) {
                printf("# bad fixture: %s\n", tm_error_msg(err));
                tm_error_free(err);
                abort();
        }
        return v;
}

static const struct schema_resource *res(const char *group, const char *version,
                                         const char *plural) {
        const struct schema_resource *r = schema_resource_lookup(group, version, plural);
        if (!r) {
                printf("# no resource %s/%s/%s\n", group, version, plural);
                abort();
        }
        return r;
}

static json *convert(const struct schema_resource *r, const json *obj, enum table_include inc) {
        struct table_options o = TABLE_OPTIONS_INIT;
        o.include = inc;
        o.now_set = true;
        o.now = NOW;
        json *t = NULL;
        tm_error *err = NULL;
        if (table_convert(r, obj, &o, &t, &err) < 0) {
                printf("# convert: %s\n", tm_error_msg(err));
                tm_error_free(err);
                abort();
        }
        return t;
}

/* The Table of one object written as text. */
static json *table_of(const char *group, const char *version, const char *plural, const char *obj) {
        _cleanup_json_ json *o = parse(obj);
        return convert(res(group, version, plural), o, TABLE_INCLUDE_METADATA);
}

static const json *cell(const json *t, size_t row, const char *column) {
        const json *defs = json_object_get(t, "columnDefinitions");
        const json *cells =
                json_object_get(json_array_get(json_object_get(t, "rows"), row), "cells");
        for (size_t i = 0; i < json_array_len(defs); i++)
                if (streq_ptr(json_object_get_string(json_array_get(defs, i), "name"), column))
                        return json_array_get(cells, i);
        return NULL;
}

/* A cell as text: strings as they are, numbers and booleans as JSON. */
static char *cell_text(const json *t, size_t row, const char *column) {
        const json *c = cell(t, row, column);
        if (!c)
                return xstrdup("(no such column)");
        if (json_is_string(c))
                return xstrdup(json_string(c));
        return json_serialize(c, 0, NULL);
}

#define CELL(t, row, column, want)                                   \
        do {                                                         \
                _cleanup_free_ char *_s = cell_text(t, row, column); \
                is_str(_s, want, "%s: %s", #t, column);              \
        } while (0)

/* A cell that must be a JSON integer of that value (upstream int64 cells). */
#define CELL_INT(t, row, column, want)                                                            \
        do {                                                                                      \
                const json *_c = cell(t, row, column);                                            \
                ok(json_is_int(_c) && json_int(_c) == (want), "%s: %s is integer %d", #t, column, \
                   (int)(want));                                                                  \
        } while (0)

/* ---- ages ---------------------------------------------------------------- */

static void test_human_duration(void) {
        static const struct {
                int64_t s;
                const char *want;
        } cases[] = {
                { 0, "0s" },
                { 1, "1s" },
                { 59, "59s" },
                { 60, "60s" },
                { 119, "119s" },
                { 120, "2m" },
                { 125, "2m5s" },
                { 599, "9m59s" },
                { 600, "10m" },
                { 3 * 3600 - 1, "179m" },
                { 3 * 3600, "3h" },
                { 3 * 3600 + 600, "3h10m" },
                { 8 * 3600 - 60, "7h59m" },
                { 8 * 3600, "8h" },
                { 47 * 3600 + 3599, "47h" },
                { 48 * 3600, "2d" },
                { 3 * 86400 + 4 * 3600, "3d4h" },
                { 7 * 86400 + 23 * 3600, "7d23h" },
                { 8 * 86400, "8d" },
                { 729 * 86400, "729d" },
                { 730 * 86400, "2y" },
                { 733 * 86400, "2y3d" },
                { 365 * 3 * 86400, "3y" },
                { 365 * 8 * 86400, "8y" },
                { 365 * 20 * 86400 + 5 * 86400, "20y" },
                { -1, "0s" },
                { -2, "<invalid>" },
        };
        char buf[32];
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                is_str(table_human_duration(cases[i].s * INT64_C(1000000000), buf), cases[i].want,
                       "HumanDuration(%llds)", (long long)cases[i].s);
        is_str(table_human_duration(-INT64_C(1500000000), buf), "0s", "-1.5s is 0s");
        is_str(table_human_duration(INT64_C(59999999999), buf), "59s", "59.99s truncates");

        is_str(table_age("2024-06-01T11:59:30Z", NOW, buf), "30s", "age of 30s");
        is_str(table_age("2024-06-01T12:00:00Z", NOW, buf), "0s", "age of now");
        is_str(table_age("2024-05-29T08:00:00Z", NOW, buf), "3d4h", "age 3d4h");
        is_str(table_age("2021-06-01T12:00:00Z", NOW, buf), "3y1d", "age over a leap year");
        is_str(table_age(NULL, NOW, buf), "<unknown>", "missing timestamp");
        is_str(table_age("0001-01-01T00:00:00Z", NOW, buf), "<unknown>", "Go's zero time is unset");
        is_str(table_age("0001-01-01T00:00:01Z", NOW, buf), "292y",
               "older than 292 years saturates");
        is_str(table_age("1970-01-01T00:00:00Z", NOW, buf), "54y", "the Unix epoch is a real time");
        is_str(table_age("9999-12-31T23:59:59Z", NOW, buf), "<invalid>", "far future");
        is_str(table_human_duration(INT64_MAX, buf), "292y", "max duration");
        is_str(table_age("yesterday", NOW, buf), "<unknown>", "unparsable timestamp");
        is_str(table_age("2024-06-01T13:00:00Z", NOW, buf), "<invalid>", "a future timestamp");
}

/* ---- pods ---------------------------------------------------------------- */

#define POD_META(name)                                                                            \
        "'metadata':{'name':'" name "','namespace':'default','creationTimestamp':'2024-06-01T11:" \
        "55:00Z','resourceVersion':'42'}"

static void test_pods(void) {
        const char *running = "{'apiVersion':'v1','kind':'Pod'," POD_META(
                "web-1") ","
                         "'spec':{'nodeName':'node-1','containers':[{'name':'web','image':'nginx'},"
                         "{'name':'log','image':'busybox'}]},"
                         "'status':{'phase':'Running','podIP':'10.244.0.5','podIPs':[{'ip':'10.244."
                         "0.5'}],"
                         "'conditions':[{'type':'Ready','status':'True'}],"
                         "'containerStatuses':[{'name':'web','ready':true,'restartCount':0,'state':"
                         "{'running':{'startedAt':'2024-06-01T11:55:10Z'}}},"
                         "{'name':'log','ready':true,'restartCount':0,'state':{'running':{}}}]}}";
        _cleanup_json_ json *t = table_of("", "v1", "pods", running);
        CELL(t, 0, "Name", "web-1");
        CELL(t, 0, "Ready", "2/2");
        CELL(t, 0, "Status", "Running");
        CELL(t, 0, "Restarts", "0");
        CELL(t, 0, "Age", "5m");
        CELL(t, 0, "IP", "10.244.0.5");
        CELL(t, 0, "Node", "node-1");
        CELL(t, 0, "Nominated Node", "<none>");
        CELL(t, 0, "Readiness Gates", "<none>");
        ok(!json_object_get(json_array_get(json_object_get(t, "rows"), 0), "conditions"),
           "a running pod has no row conditions");

        _cleanup_json_ json *pending =
                table_of("", "v1", "pods",
                         "{" POD_META("queued") ",'spec':{'containers':[{'name':'a','image':'x'}]},"
                                                "'status':{'phase':'Pending'}}");
        CELL(pending, 0, "Ready", "0/1");
        CELL(pending, 0, "Status", "Pending");
        CELL(pending, 0, "Restarts", "0");
        CELL(pending, 0, "IP", "<none>");
        CELL(pending, 0, "Node", "<none>");

        _cleanup_json_ json *gated =
                table_of("", "v1", "pods",
                         "{" POD_META("gated") ",'spec':{'containers':[{'name':'a','image':'x'}]},'"
                                               "status':{'phase':'Pending',"
                                               "'conditions':[{'type':'PodScheduled','status':'"
                                               "False','reason':'SchedulingGated'}]}}");
        CELL(gated, 0, "Status", "SchedulingGated");

        _cleanup_json_ json *crash =
                table_of("", "v1", "pods",
                         "{" POD_META("crashy") ",'spec':{'nodeName':'node-2','containers':[{'name'"
                                                ":'app','image':'app:1'}]},"
                                                "'status':{'phase':'Running','podIP':'10.244.1.7',"
                                                "'containerStatuses':[{'name':'app','ready':false,'"
                                                "restartCount':5,"
                                                "'state':{'waiting':{'reason':'CrashLoopBackOff','"
                                                "message':'back-off 5m0s'}},"
                                                "'lastState':{'terminated':{'exitCode':1,'reason':'"
                                                "Error','finishedAt':'2024-06-01T11:58:00Z'}}}]}}");
        CELL(crash, 0, "Ready", "0/1");
        CELL(crash, 0, "Status", "CrashLoopBackOff");
        CELL(crash, 0, "Restarts", "5 (2m ago)");

        _cleanup_json_ json *term =
                table_of("", "v1", "pods",
                         "{'metadata':{'name':'going','creationTimestamp':'2024-05-31T12:00:00Z','"
                         "deletionTimestamp':'2024-06-01T11:59:50Z'},"
                         "'spec':{'containers':[{'name':'a','image':'x'}]},"
                         "'status':{'phase':'Running','containerStatuses':[{'name':'a','ready':"
                         "true,'restartCount':1,'state':{'running':{}}}]}}");
        CELL(term, 0, "Status", "Terminating");
        CELL(term, 0, "Ready", "1/1");
        CELL(term, 0, "Restarts", "1");
        CELL(term, 0, "Age", "24h");

        _cleanup_json_ json *lost =
                table_of("", "v1", "pods",
                         "{'metadata':{'name':'lost','creationTimestamp':'2024-06-01T10:00:00Z','"
                         "deletionTimestamp':'2024-06-01T11:00:00Z'},"
                         "'spec':{'containers':[{'name':'a','image':'x'}]},'status':{'phase':'"
                         "Running','reason':'NodeLost'}}");
        CELL(lost, 0, "Status", "Unknown");
        CELL(lost, 0, "Age", "120m"); /* minutes up to 3h */

        _cleanup_json_ json *init = table_of(
                "", "v1", "pods",
                "{" POD_META("init") ",'spec':{'initContainers':[{'name':'i1','image':'x'},{'name':"
                                     "'i2','image':'x'}],"
                                     "'containers':[{'name':'a','image':'x'}]},'status':{'phase':'"
                                     "Pending',"
                                     "'initContainerStatuses':[{'name':'i1','restartCount':0,'"
                                     "state':{'terminated':{'exitCode':0,'reason':'Completed'}}},"
                                     "{'name':'i2','restartCount':0,'state':{'running':{}}}],"
                                     "'containerStatuses':[{'name':'a','ready':false,'restartCount'"
                                     ":0,'state':{'waiting':{'reason':'PodInitializing'}}}]}}");
        CELL(init, 0, "Status", "Init:1/2");
        CELL(init, 0, "Ready", "0/1");

        _cleanup_json_ json *initpull = table_of(
                "", "v1", "pods",
                "{" POD_META("initpull") ",'spec':{'initContainers':[{'name':'i1','image':'x'}],'"
                                         "containers':[{'name':'a','image':'x'}]},"
                                         "'status':{'phase':'Pending','initContainerStatuses':[{'"
                                         "name':'i1','restartCount':0,"
                                         "'state':{'waiting':{'reason':'ImagePullBackOff'}}}]}}");
        CELL(initpull, 0, "Status", "Init:ImagePullBackOff");

        _cleanup_json_ json *initfail = table_of(
                "", "v1", "pods",
                "{" POD_META("initfail") ",'spec':{'initContainers':[{'name':'i1','image':'x'}],'"
                                         "containers':[{'name':'a','image':'x'}]},"
                                         "'status':{'phase':'Pending','initContainerStatuses':[{'"
                                         "name':'i1','restartCount':3,"
                                         "'lastState':{'terminated':{'exitCode':1,'finishedAt':'"
                                         "2024-06-01T11:59:00Z'}},"
                                         "'state':{'terminated':{'exitCode':1}}}]}}");
        CELL(initfail, 0, "Status", "Init:ExitCode:1");
        CELL(initfail, 0, "Restarts", "3 (60s ago)");
        _cleanup_json_ json *epoch =
                table_of("", "v1", "pods",
                         "{" POD_META("epoch") ",'spec':{'containers':[{'name':'a','image':'x'}]},'"
                                               "status':{'phase':'Running',"
                                               "'containerStatuses':[{'name':'a','restartCount':1,'"
                                               "state':{'running':{}},"
                                               "'lastState':{'terminated':{'exitCode':1,'"
                                               "finishedAt':'1970-01-01T00:00:00Z'}}}]}}");
        CELL(epoch, 0, "Restarts", "1 (54y ago)");
        _cleanup_json_ json *huge = table_of(
                "", "v1", "pods",
                "{" POD_META(
                        "huge") ",'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','"
                                "image':'x'}]},'status':{'phase':'Running',"
                                "'containerStatuses':[{'name':'a','restartCount':"
                                "9223372036854775807,'state':{'running':{}}},"
                                "{'name':'b','restartCount':2147483648,'state':{'running':{}}}]}}");
        CELL(huge, 0, "Restarts", "4294967294");

        _cleanup_json_ json *initerr = table_of(
                "", "v1", "pods",
                "{" POD_META("initerr") ",'spec':{'initContainers':[{'name':'i1','image':'x'}],'"
                                        "containers':[{'name':'a','image':'x'}]},"
                                        "'status':{'phase':'Pending','initContainerStatuses':[{'"
                                        "name':'i1','state':{'terminated':{'exitCode':2,'reason':'"
                                        "Error'}}}]}}");
        CELL(initerr, 0, "Status", "Init:Error");

        _cleanup_json_ json *done =
                table_of("", "v1", "pods",
                         "{" POD_META("batch-x") ",'spec':{'containers':[{'name':'a','image':'x'}]}"
                                                 ",'status':{'phase':'Succeeded',"
                                                 "'containerStatuses':[{'name':'a','ready':false,'"
                                                 "restartCount':0,'state':{'terminated':{'exitCode'"
                                                 ":0,'reason':'Completed'}}}]}}");
        CELL(done, 0, "Status", "Completed");
        CELL(done, 0, "Ready", "0/1");
        const json *cond = json_array_get(
                json_object_get(json_array_get(json_object_get(done, "rows"), 0), "conditions"), 0);
        is_str(json_object_get_string(cond, "type"), "Completed",
               "succeeded pod: row condition Completed");
        is_str(json_object_get_string(cond, "reason"), "Succeeded",
               "succeeded pod: reason Succeeded");

        _cleanup_json_ json *sidecar = table_of(
                "", "v1", "pods",
                "{" POD_META("sidecar") ",'spec':{'initContainers':[{'name':'proxy','image':'envoy'"
                                        ",'restartPolicy':'Always'}],"
                                        "'containers':[{'name':'a','image':'x'}]},'status':{'phase'"
                                        ":'Running',"
                                        "'conditions':[{'type':'Initialized','status':'True'},{'"
                                        "type':'Ready','status':'True'}],"
                                        "'initContainerStatuses':[{'name':'proxy','ready':true,'"
                                        "started':true,'restartCount':2,"
                                        "'lastState':{'terminated':{'exitCode':137,'finishedAt':'"
                                        "2024-06-01T11:50:00Z'}},'state':{'running':{}}}],"
                                        "'containerStatuses':[{'name':'a','ready':true,'"
                                        "restartCount':0,'state':{'running':{}}}]}}");
        CELL(sidecar, 0, "Ready", "2/2");
        CELL(sidecar, 0, "Status", "Running");
        CELL(sidecar, 0, "Restarts", "2 (10m ago)");

#define HALF(ready)                                                                                \
        "{" POD_META(                                                                              \
                "half") ",'spec':{'containers':[{'name':'app','image':'x'},{'name':'job','image':" \
                        "'y'}]},"                                                                  \
                        "'status':{'phase':'Running','conditions':[{'type':'Ready','status':"      \
                        "'" ready "'}],"                                                           \
                        "'containerStatuses':[{'name':'app','ready':true,'state':{'running':{}}}," \
                        "{'name':'job','ready':false,'state':{'terminated':{'exitCode':0,'reason'" \
                        ":'Completed'}}}]}}"
        const char *h1 = HALF("True");
        const char *h2 = HALF("False");
        _cleanup_json_ json *halfready = table_of("", "v1", "pods", h1);
        _cleanup_json_ json *halfnot = table_of("", "v1", "pods", h2);
        CELL(halfready, 0, "Status", "Running");
        CELL(halfready, 0, "Ready", "1/2");
        CELL(halfnot, 0, "Status", "NotReady");

        _cleanup_json_ json *sig =
                table_of("", "v1", "pods",
                         "{" POD_META("killed") ",'spec':{'containers':[{'name':'a','image':'x'}]},"
                                                "'status':{'phase':'Failed',"
                                                "'containerStatuses':[{'name':'a','state':{'"
                                                "terminated':{'exitCode':137,'signal':9}}}]}}");
        CELL(sig, 0, "Status", "Signal:9");
        _cleanup_json_ json *code =
                table_of("", "v1", "pods",
                         "{" POD_META("exited") ",'spec':{'containers':[{'name':'a','image':'x'}]},"
                                                "'status':{'phase':'Failed',"
                                                "'containerStatuses':[{'name':'a','state':{'"
                                                "terminated':{'exitCode':2}}}]}}");
        CELL(code, 0, "Status", "ExitCode:2");
        _cleanup_json_ json *evicted = table_of(
                "", "v1", "pods",
                "{" POD_META("evicted") ",'spec':{'containers':[{'name':'a','image':'x'}]},'status'"
                                        ":{'phase':'Failed','reason':'Evicted'}}");
        CELL(evicted, 0, "Status", "Evicted");

        _cleanup_json_ json *gates = table_of(
                "", "v1", "pods",
                "{" POD_META("gates") ",'spec':{'containers':[{'name':'a','image':'x'}],"
                                      "'readinessGates':[{'conditionType':'example.com/"
                                      "lb'},{'conditionType':'example.com/dns'}]},"
                                      "'status':{'phase':'Running','nominatedNodeName':'node-9',"
                                      "'conditions':[{'type':'example.com/"
                                      "lb','status':'True'},{'type':'example.com/"
                                      "dns','status':'False'}]}}");
        CELL(gates, 0, "Readiness Gates", "1/2");
        CELL(gates, 0, "Nominated Node", "node-9");
}

/* ---- nodes ---------------------------------------------------------------- */

static void test_nodes(void) {
        _cleanup_json_ json *cp = table_of(
                "", "v1", "nodes",
                "{'metadata':{'name':'cp-1','creationTimestamp':'2024-05-01T12:00:00Z','labels':{"
                "'kubernetes.io/hostname':'cp-1','node-role.kubernetes.io/"
                "master':'','node-role.kubernetes.io/control-plane':''}},"
                "'status':{'conditions':[{'type':'MemoryPressure','status':'False'},{'type':'Ready'"
                ",'status':'True'}],"
                "'addresses':[{'type':'Hostname','address':'cp-1'},{'type':'InternalIP','address':'"
                "192.168.1.10'}],"
                "'nodeInfo':{'kubeletVersion':'v1.31.2','osImage':'Debian GNU/Linux 12 (bookworm)',"
                "'kernelVersion':'6.1.0-18-amd64','containerRuntimeVersion':'containerd://"
                "1.7.13'}}}");
        CELL(cp, 0, "Name", "cp-1");
        CELL(cp, 0, "Status", "Ready");
        CELL(cp, 0, "Roles", "control-plane,master");
        CELL(cp, 0, "Age", "31d");
        CELL(cp, 0, "Version", "v1.31.2");
        CELL(cp, 0, "Internal-IP", "192.168.1.10");
        CELL(cp, 0, "External-IP", "<none>");
        CELL(cp, 0, "OS-Image", "Debian GNU/Linux 12 (bookworm)");
        CELL(cp, 0, "Kernel-Version", "6.1.0-18-amd64");
        CELL(cp, 0, "Container-Runtime", "containerd://1.7.13");

        _cleanup_json_ json *cordoned =
                table_of("", "v1", "nodes",
                         "{'metadata':{'name':'w-1','creationTimestamp':'2024-06-01T08:00:00Z','"
                         "labels':{'kubernetes.io/role':'worker'}},"
                         "'spec':{'unschedulable':true},'status':{'conditions':[{'type':'Ready','"
                         "status':'True'}],"
                         "'addresses':[{'type':'ExternalIP','address':'203.0.113.5'}]}}");
        CELL(cordoned, 0, "Status", "Ready,SchedulingDisabled");
        CELL(cordoned, 0, "Roles", "worker");
        CELL(cordoned, 0, "External-IP", "203.0.113.5");
        CELL(cordoned, 0, "Internal-IP", "<none>");
        CELL(cordoned, 0, "OS-Image", "<unknown>");
        CELL(cordoned, 0, "Age", "4h");

        _cleanup_json_ json *down =
                table_of("", "v1", "nodes",
                         "{'metadata':{'name':'w-2','creationTimestamp':'2024-06-01T11:00:00Z'},"
                         "'status':{'conditions':[{'type':'Ready','status':'Unknown'}]}}");
        CELL(down, 0, "Status", "NotReady");
        CELL(down, 0, "Roles", "<none>");
        _cleanup_json_ json *fresh = table_of("", "v1", "nodes",
                                              "{'metadata':{'name':'w-3','creationTimestamp':'2024-"
                                              "06-01T11:59:58Z'},'spec':{'unschedulable':true}}");
        CELL(fresh, 0, "Status", "Unknown,SchedulingDisabled");
        CELL(fresh, 0, "Age", "2s");
}

/* ---- services, endpoints, ingresses --------------------------------------- */

static void test_services(void) {
        _cleanup_json_ json *dns =
                table_of("", "v1", "services",
                         "{'metadata':{'name':'kube-dns','namespace':'kube-system','"
                         "creationTimestamp':'2024-05-01T12:00:00Z'},"
                         "'spec':{'type':'ClusterIP','clusterIP':'10.96.0.10','clusterIPs':['10.96."
                         "0.10','fd00:10:96::a'],'selector':{'k8s-app':'kube-dns'},"
                         "'ports':[{'name':'dns','port':53,'protocol':'UDP'},{'name':'dns-tcp','"
                         "port':53,'protocol':'TCP'},"
                         "{'name':'metrics','port':9153,'protocol':'TCP'}]}}");
        CELL(dns, 0, "Type", "ClusterIP");
        CELL(dns, 0, "Cluster-IP", "10.96.0.10");
        CELL(dns, 0, "External-IP", "<none>");
        CELL(dns, 0, "Port(s)", "53/UDP,53/TCP,9153/TCP");
        CELL(dns, 0, "Selector", "k8s-app=kube-dns");

        _cleanup_json_ json *np =
                table_of("", "v1", "services",
                         "{'metadata':{'name':'web','creationTimestamp':'2024-06-01T11:00:00Z'},"
                         "'spec':{'type':'NodePort','clusterIP':'10.96.12.7','externalIPs':['198."
                         "51.100.1','198.51.100.2'],"
                         "'selector':{'tier':'front','app':'web'},'ports':[{'port':80,'nodePort':"
                         "30080,'protocol':'TCP'}]}}");
        CELL(np, 0, "Port(s)", "80:30080/TCP");
        CELL(np, 0, "External-IP", "198.51.100.1,198.51.100.2");
        CELL(np, 0, "Selector", "app=web,tier=front");
        CELL(np, 0, "Age", "60m");

        _cleanup_json_ json *lbp =
                table_of("", "v1", "services",
                         "{'metadata':{'name':'lb','creationTimestamp':'2024-06-01T11:59:00Z'},"
                         "'spec':{'type':'LoadBalancer','clusterIP':'10.96.3.3','ports':[{'port':"
                         "443,'nodePort':31443,'protocol':'TCP'}]},"
                         "'status':{'loadBalancer':{}}}");
        CELL(lbp, 0, "External-IP", "<pending>");
        CELL(lbp, 0, "Port(s)", "443:31443/TCP");
        CELL(lbp, 0, "Selector", "<none>");

        _cleanup_json_ json *lb =
                table_of("", "v1", "services",
                         "{'metadata':{'name':'lb2','creationTimestamp':'2024-06-01T11:59:00Z'},"
                         "'spec':{'type':'LoadBalancer','clusterIP':'10.96.3.4','externalIPs':['"
                         "198.51.100.9'],'ports':[{'port':80,'protocol':'TCP'}]},"
                         "'status':{'loadBalancer':{'ingress':[{'ip':'203.0.113.20'},{'hostname':'"
                         "lb.example.com'},{'ip':'203.0.113.20'}]}}}");
        CELL(lb, 0, "External-IP", "203.0.113.20,lb.example.com,198.51.100.9");

        _cleanup_json_ json *ext =
                table_of("", "v1", "services",
                         "{'metadata':{'name':'db','creationTimestamp':'2024-06-01T11:59:00Z'},"
                         "'spec':{'type':'ExternalName','externalName':'db.example.com'}}");
        CELL(ext, 0, "External-IP", "db.example.com");
        CELL(ext, 0, "Cluster-IP", "<none>");
        CELL(ext, 0, "Port(s)", "<none>");
        _cleanup_json_ json *headless =
                table_of("", "v1", "services",
                         "{'metadata':{'name':'h'},'spec':{'type':'ClusterIP','clusterIP':'None','"
                         "ports':[{'port':5432,'protocol':'TCP'}]}}");
        CELL(headless, 0, "Cluster-IP", "None");
        CELL(headless, 0, "Age", "<unknown>");

        _cleanup_json_ json *ep = table_of(
                "", "v1", "endpoints",
                "{'metadata':{'name':'web','creationTimestamp':'2024-06-01T11:00:00Z'},'subsets':["
                "{'addresses':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'}],'ports':[{'port':80},{'port':"
                "443}]},"
                "{'addresses':[{'ip':'fd00::5'}],'ports':[{'port':8080}]}]}");
        CELL(ep, 0, "Endpoints", "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...");
        _cleanup_json_ json *ep6 = table_of("", "v1", "endpoints",
                                            "{'metadata':{'name':'v6'},'subsets':[{'addresses':[{'"
                                            "ip':'fd00::5'}],'ports':[{'port':8080}]}]}");
        CELL(ep6, 0, "Endpoints", "[fd00::5]:8080");
        _cleanup_json_ json *ep0 = table_of("", "v1", "endpoints", "{'metadata':{'name':'none'}}");
        CELL(ep0, 0, "Endpoints", "<none>");
        _cleanup_json_ json *eph =
                table_of("", "v1", "endpoints",
                         "{'metadata':{'name':'headless'},'subsets':[{'addresses':[{'ip':'10.0.0.1'"
                         "},{'ip':'10.0.0.2'},{'ip':'10.0.0.3'},{'ip':'10.0.0.4'}]}]}");
        CELL(eph, 0, "Endpoints", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...");

        _cleanup_json_ json *es =
                table_of("discovery.k8s.io", "v1", "endpointslices",
                         "{'metadata':{'name':'web-abc12'},'addressType':'IPv4','ports':[{'name':'"
                         "http','port':80},{'name':'x'}],"
                         "'endpoints':[{'addresses':['10.0.0.1']},{'addresses':['10.0.0.2']},{'"
                         "addresses':['10.0.0.3']},{'addresses':['10.0.0.4']}]}");
        CELL(es, 0, "AddressType", "IPv4");
        CELL(es, 0, "Ports", "80,x");
        CELL(es, 0, "Endpoints", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...");
        _cleanup_json_ json *es0 = table_of("discovery.k8s.io", "v1", "endpointslices",
                                            "{'metadata':{'name':'empty'},'addressType':'IPv4'}");
        CELL(es0, 0, "Ports", "<unset>");
        CELL(es0, 0, "Endpoints", "<unset>");

        _cleanup_json_ json *ing =
                table_of("networking.k8s.io", "v1", "ingresses",
                         "{'metadata':{'name':'site','creationTimestamp':'2024-06-01T11:00:00Z'},'"
                         "spec':{'ingressClassName':'nginx',"
                         "'tls':[{'hosts':['a.example.com']}],'rules':[{'host':'a.example.com'},{'"
                         "host':'b.example.com'},{},"
                         "{'host':'c.example.com'},{'host':'d.example.com'}]},"
                         "'status':{'loadBalancer':{'ingress':[{'ip':'203.0.113.7'}]}}}");
        CELL(ing, 0, "Class", "nginx");
        CELL(ing, 0, "Hosts", "a.example.com,b.example.com,c.example.com + 2 more...");
        CELL(ing, 0, "Address", "203.0.113.7");
        CELL(ing, 0, "Ports", "80, 443");
        _cleanup_json_ json *ing2 = table_of("networking.k8s.io", "v1", "ingresses",
                                             "{'metadata':{'name':'any'},'spec':{'defaultBackend':{"
                                             "'service':{'name':'web','port':{'number':80}}}}}");
        CELL(ing2, 0, "Class", "<none>");
        CELL(ing2, 0, "Hosts", "*");
        CELL(ing2, 0, "Address", "");
        CELL(ing2, 0, "Ports", "80");

        _cleanup_json_ json *ic =
                table_of("networking.k8s.io", "v1", "ingressclasses",
                         "{'metadata':{'name':'nginx'},'spec':{'controller':'k8s.io/ingress-nginx',"
                         "'parameters':{'apiGroup':'k8s.example.com','kind':'IngressParameters','"
                         "name':'external-lb'}}}");
        CELL(ic, 0, "Controller", "k8s.io/ingress-nginx");
        CELL(ic, 0, "Parameters", "IngressParameters.k8s.example.com/external-lb");

        _cleanup_json_ json *np2 =
                table_of("networking.k8s.io", "v1", "networkpolicies",
                         "{'metadata':{'name':'deny'},'spec':{'podSelector':{}}}");
        CELL(np2, 0, "Pod-Selector", "<none>");
}

/* ---- workloads ------------------------------------------------------------ */

static void test_workloads(void) {
        _cleanup_json_ json *d =
                table_of("apps", "v1", "deployments",
                         "{'metadata':{'name':'web','creationTimestamp':'2024-06-01T09:00:00Z'},"
                         "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'},"
                         "'matchExpressions':[{'key':'tier','operator':'In','values':['front','"
                         "back']},{'key':'canary','operator':'DoesNotExist'}]},"
                         "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'"
                         "name':'nginx','image':'nginx:1.25'},"
                         "{'name':'exporter','image':'nginx/exporter:0.11'}]}}},"
                         "'status':{'replicas':3,'updatedReplicas':3,'readyReplicas':2,'"
                         "availableReplicas':2}}");
        CELL(d, 0, "Ready", "2/3");
        CELL_INT(d, 0, "Up-to-date", 3);
        CELL_INT(d, 0, "Available", 2);
        CELL(d, 0, "Age", "3h");
        CELL(d, 0, "Containers", "nginx,exporter");
        CELL(d, 0, "Images", "nginx:1.25,nginx/exporter:0.11");
        CELL(d, 0, "Selector", "app=web,!canary,tier in (back,front)");
        _cleanup_json_ json *d0 = table_of("apps", "v1", "deployments",
                                           "{'metadata':{'name':'new'},'spec':{'replicas':1,'"
                                           "selector':{'matchLabels':{'app':'new'}}}}");
        CELL(d0, 0, "Ready", "0/1");
        CELL_INT(d0, 0, "Up-to-date", 0);
        CELL_INT(d0, 0, "Available", 0);

        _cleanup_json_ json *rs = table_of(
                "apps", "v1", "replicasets",
                "{'metadata':{'name':'web-5d4f','creationTimestamp':'2024-06-01T09:00:00Z'},"
                "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web','pod-template-hash':'"
                "5d4f'}},"
                "'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1.25'}]}}},"
                "'status':{'replicas':3,'readyReplicas':1}}");
        CELL_INT(rs, 0, "Desired", 3);
        CELL_INT(rs, 0, "Current", 3);
        CELL_INT(rs, 0, "Ready", 1);
        CELL(rs, 0, "Selector", "app=web,pod-template-hash=5d4f");

        _cleanup_json_ json *ds =
                table_of("apps", "v1", "daemonsets",
                         "{'metadata':{'name':'fluentd'},'spec':{'selector':{'matchLabels':{'name':"
                         "'fluentd'}},"
                         "'template':{'spec':{'nodeSelector':{'kubernetes.io/"
                         "os':'linux'},'containers':[{'name':'f','image':'fluentd:v1'}]}}},"
                         "'status':{'desiredNumberScheduled':4,'currentNumberScheduled':4,'"
                         "numberReady':3,'updatedNumberScheduled':4,'numberAvailable':3}}");
        CELL_INT(ds, 0, "Desired", 4);
        CELL_INT(ds, 0, "Ready", 3);
        CELL_INT(ds, 0, "Up-to-date", 4);
        CELL_INT(ds, 0, "Available", 3);
        CELL(ds, 0, "Node Selector", "kubernetes.io/os=linux");
        CELL(ds, 0, "Selector", "name=fluentd");

        _cleanup_json_ json *ss =
                table_of("apps", "v1", "statefulsets",
                         "{'metadata':{'name':'db'},'spec':{'replicas':3,'template':{'spec':{'"
                         "containers':[{'name':'pg','image':'postgres:16'}]}}},"
                         "'status':{'replicas':2,'readyReplicas':2}}");
        CELL(ss, 0, "Ready", "2/3");
        CELL(ss, 0, "Images", "postgres:16");

        _cleanup_json_ json *cr = table_of(
                "apps", "v1", "controllerrevisions",
                "{'metadata':{'name':'fluentd-7b9','ownerReferences':[{'apiVersion':'apps/"
                "v1','kind':'DaemonSet','name':'fluentd','controller':true}]},'revision':2}");
        CELL(cr, 0, "Controller", "daemonset.apps/fluentd");
        CELL_INT(cr, 0, "Revision", 2);

        _cleanup_json_ json *rc =
                table_of("", "v1", "replicationcontrollers",
                         "{'metadata':{'name':'old'},'spec':{'replicas':2,'selector':{'app':'old'},"
                         "'template':{'spec':{'containers':[{'name':'c','image':'i'}]}}},'status':{"
                         "'replicas':2}}");
        CELL(rc, 0, "Selector", "app=old");
        CELL_INT(rc, 0, "Ready", 0);

        _cleanup_json_ json *job =
                table_of("batch", "v1", "jobs",
                         "{'metadata':{'name':'pi','creationTimestamp':'2024-06-01T11:50:00Z'},'"
                         "spec':{'completions':1,'parallelism':1,"
                         "'selector':{'matchLabels':{'batch.kubernetes.io/controller-uid':'abc'}},"
                         "'template':{'spec':{'containers':[{'name':'pi','image':'perl:5.34'}]}}},"
                         "'status':{'succeeded':1,'startTime':'2024-06-01T11:50:00Z','"
                         "completionTime':'2024-06-01T11:50:30Z',"
                         "'conditions':[{'type':'SuccessCriteriaMet','status':'True'},{'type':'"
                         "Complete','status':'True'}]}}");
        CELL(job, 0, "Status", "Complete");
        CELL(job, 0, "Completions", "1/1");
        CELL(job, 0, "Duration", "30s");
        CELL(job, 0, "Age", "10m");
        CELL(job, 0, "Selector", "batch.kubernetes.io/controller-uid=abc");

        _cleanup_json_ json *par =
                table_of("batch", "v1", "jobs",
                         "{'metadata':{'name':'work'},'spec':{'parallelism':3},'status':{'"
                         "startTime':'2024-06-01T11:00:00Z','active':3}}");
        CELL(par, 0, "Status", "Running");
        CELL(par, 0, "Completions", "0/1 of 3");
        CELL(par, 0, "Duration", "60m");
        _cleanup_json_ json *failed =
                table_of("batch", "v1", "jobs",
                         "{'metadata':{'name':'bad'},'status':{'conditions':[{'type':'"
                         "FailureTarget','status':'True'},{'type':'Failed','status':'True'}]}}");
        CELL(failed, 0, "Status", "Failed");
        CELL(failed, 0, "Completions", "0/1");
        CELL(failed, 0, "Duration", "");
        _cleanup_json_ json *susp =
                table_of("batch", "v1", "jobs",
                         "{'metadata':{'name':'s'},'spec':{'completions':5,'suspend':true},'status'"
                         ":{'succeeded':2,"
                         "'conditions':[{'type':'Suspended','status':'True'}]}}");
        CELL(susp, 0, "Status", "Suspended");
        CELL(susp, 0, "Completions", "2/5");
        _cleanup_json_ json *met = table_of("batch", "v1", "jobs",
                                            "{'metadata':{'name':'m'},'status':{'conditions':[{'"
                                            "type':'SuccessCriteriaMet','status':'True'}]}}");
        CELL(met, 0, "Status", "Running");

        _cleanup_json_ json *cj =
                table_of("batch", "v1", "cronjobs",
                         "{'metadata':{'name':'hello','creationTimestamp':'2024-05-30T12:00:00Z'},'"
                         "spec':{'schedule':'*/5 * * * *',"
                         "'timeZone':'Etc/"
                         "UTC','suspend':false,'jobTemplate':{'spec':{'template':{'spec':{'"
                         "containers':[{'name':'hello','image':'busybox:1.36'}]}}}}},"
                         "'status':{'active':[{'name':'hello-1'}],'lastScheduleTime':'2024-06-"
                         "01T11:55:00Z'}}");
        CELL(cj, 0, "Schedule", "*/5 * * * *");
        CELL(cj, 0, "Timezone", "Etc/UTC");
        CELL(cj, 0, "Suspend", "False");
        CELL_INT(cj, 0, "Active", 1);
        CELL(cj, 0, "Last Schedule", "5m");
        CELL(cj, 0, "Age", "2d");
        CELL(cj, 0, "Containers", "hello");
        CELL(cj, 0, "Selector", "<none>");
        _cleanup_json_ json *cj2 =
                table_of("batch", "v1", "cronjobs",
                         "{'metadata':{'name':'never'},'spec':{'schedule':'@daily'}}");
        CELL(cj2, 0, "Timezone", "<none>");
        CELL(cj2, 0, "Suspend", "<unset>");
        CELL(cj2, 0, "Last Schedule", "<none>");
        CELL_INT(cj2, 0, "Active", 0);

        _cleanup_json_ json *pt =
                table_of("", "v1", "podtemplates",
                         "{'metadata':{'name':'tpl'},'template':{'metadata':{'labels':{'b':'2','a':"
                         "'1'}},'spec':{'containers':[{'name':'c','image':'i:1'}]}}}");
        CELL(pt, 0, "Containers", "c");
        CELL(pt, 0, "Images", "i:1");
        CELL(pt, 0, "Pod Labels", "a=1,b=2");
}

static void test_autoscaling(void) {
        _cleanup_json_ json *h2 = table_of(
                "autoscaling", "v2", "horizontalpodautoscalers",
                "{'metadata':{'name':'web'},'spec':{'scaleTargetRef':{'apiVersion':'apps/"
                "v1','kind':'Deployment','name':'web'},"
                "'minReplicas':2,'maxReplicas':10,'metrics':["
                "{'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization','"
                "averageUtilization':80}}},"
                "{'type':'Pods','pods':{'metric':{'name':'rps'},'target':{'type':'AverageValue','"
                "averageValue':'1k'}}},"
                "{'type':'Resource','resource':{'name':'memory','target':{'type':'AverageValue','"
                "averageValue':'500Mi'}}}]},"
                "'status':{'currentReplicas':3,'currentMetrics':[{'type':'Resource','resource':{'"
                "name':'cpu','current':{'averageUtilization':45,'averageValue':'90m'}}}]}}");
        CELL(h2, 0, "Reference", "Deployment/web");
        CELL(h2, 0, "Targets", "cpu: 45%/80%, <unknown>/1k + 1 more...");
        _cleanup_json_ json *hm =
                table_of("autoscaling", "v2", "horizontalpodautoscalers",
                         "{'metadata':{'name':'m'},'spec':{'scaleTargetRef':{'kind':'Deployment','"
                         "name':'web'},'maxReplicas':3,'metrics':["
                         "{'type':'Resource','resource':{'name':'memory','target':{'type':'"
                         "AverageValue','averageValue':'500Mi'}}},"
                         "{'type':'External','external':{'metric':{'name':'queue'},'target':{'type'"
                         ":'AverageValue','averageValue':'30'}}}]},"
                         "'status':{'currentMetrics':[{'type':'Resource','resource':{'name':'"
                         "memory','current':{'averageValue':'212Mi'}}},"
                         "{'type':'External','external':{'current':{'averageValue':'12'}}}]}}");
        CELL(hm, 0, "Targets", "memory: 212Mi/500Mi, 12/30 (avg)");
        CELL(h2, 0, "MinPods", "2");
        CELL_INT(h2, 0, "MaxPods", 10);
        CELL_INT(h2, 0, "Replicas", 3);
        _cleanup_json_ json *h0 =
                table_of("autoscaling", "v2", "horizontalpodautoscalers",
                         "{'metadata':{'name':'x'},'spec':{'scaleTargetRef':{'kind':'StatefulSet','"
                         "name':'db'},'maxReplicas':3,"
                         "'metrics':[{'type':'Resource','resource':{'name':'cpu','target':{'type':'"
                         "Utilization','averageUtilization':50}}}]}}");
        CELL(h0, 0, "Targets", "cpu: <unknown>/50%");
        CELL(h0, 0, "MinPods", "<unset>");
        _cleanup_json_ json *h1 =
                table_of("autoscaling", "v1", "horizontalpodautoscalers",
                         "{'metadata':{'name':'v1'},'spec':{'scaleTargetRef':{'kind':'Deployment','"
                         "name':'web'},'minReplicas':1,'maxReplicas':5,"
                         "'targetCPUUtilizationPercentage':70},'status':{'currentReplicas':1,'"
                         "currentCPUUtilizationPercentage':12}}");
        CELL(h1, 0, "Targets", "cpu: 12%/70%");
}

/* ---- events --------------------------------------------------------------- */

static void test_events(void) {
        _cleanup_json_ json *ev = table_of(
                "", "v1", "events",
                "{'metadata':{'name':'web-1.17d','namespace':'default','creationTimestamp':'2024-"
                "06-01T11:50:00Z'},"
                "'involvedObject':{'kind':'Pod','name':'web-1','namespace':'default','fieldPath':'"
                "spec.containers{web}'},"
                "'reason':'Pulled','message':'  Successfully pulled image "
                "\\'nginx\\'\\n','type':'Normal',"
                "'source':{'component':'kubelet','host':'node-1'},'count':3,"
                "'firstTimestamp':'2024-06-01T11:50:00Z','lastTimestamp':'2024-06-01T11:58:00Z'}");
        CELL(ev, 0, "Last Seen", "2m");
        CELL(ev, 0, "Type", "Normal");
        CELL(ev, 0, "Reason", "Pulled");
        CELL(ev, 0, "Object", "pod/web-1");
        CELL(ev, 0, "Subobject", "spec.containers{web}");
        CELL(ev, 0, "Source", "kubelet, node-1");
        CELL(ev, 0, "Message", "Successfully pulled image \"nginx\"");
        CELL(ev, 0, "First Seen", "10m");
        CELL_INT(ev, 0, "Count", 3);
        CELL(ev, 0, "Name", "web-1.17d");

        _cleanup_json_ json *ev2 =
                table_of("", "v1", "events",
                         "{'metadata':{'name':'n.1'},'involvedObject':{'kind':'Node'},'reason':'"
                         "Starting','type':'Normal',"
                         "'eventTime':'2024-06-01T11:59:00.123456Z','reportingComponent':'kube-"
                         "proxy','reportingInstance':'node-1'}");
        CELL(ev2, 0, "Last Seen", "59s"); /* 59.88s, truncated */
        CELL(ev2, 0, "First Seen", "59s");
        CELL(ev2, 0, "Object", "node");
        CELL(ev2, 0, "Source", "kube-proxy, node-1");
        CELL_INT(ev2, 0, "Count", 1);
        CELL(ev2, 0, "Subobject", "");

        _cleanup_json_ json *ev3 =
                table_of("events.k8s.io", "v1", "events",
                         "{'metadata':{'name':'e.2'},'regarding':{'kind':'Deployment','name':'web'}"
                         ",'reason':'ScalingReplicaSet',"
                         "'note':'Scaled up replica set web-5d4f to "
                         "3','type':'Normal','reportingController':'deployment-controller',"
                         "'eventTime':'2024-06-01T11:00:00.000000Z','series':{'count':4,'"
                         "lastObservedTime':'2024-06-01T11:59:30.000000Z'}}");
        CELL(ev3, 0, "Last Seen", "30s");
        CELL(ev3, 0, "First Seen", "60m");
        CELL(ev3, 0, "Object", "deployment/web");
        CELL(ev3, 0, "Message", "Scaled up replica set web-5d4f to 3");
        CELL(ev3, 0, "Source", "deployment-controller");
        CELL_INT(ev3, 0, "Count", 4);
        _cleanup_json_ json *ev4 =
                table_of("", "v1", "events", "{'metadata':{'name':'bare'},'involvedObject':{}}");
        CELL(ev4, 0, "Last Seen", "<unknown>");
        CELL(ev4, 0, "Source", "");
        _cleanup_json_ json *ev5 = table_of("", "v1", "events",
                                            "{'metadata':{'name':'mix'},'involvedObject':{'kind':'"
                                            "Pod','name':'p'},'source':{'component':'kubelet'},"
                                            "'reportingInstance':'node-7'}");
        CELL(ev5, 0, "Source", "kubelet, node-7");
}

/* ---- config, storage, policy, rbac ---------------------------------------- */

static void test_misc(void) {
        _cleanup_json_ json *cm =
                table_of("", "v1", "configmaps",
                         "{'metadata':{'name':'cfg','creationTimestamp':'2024-06-01T11:59:00Z'},'"
                         "data':{'a':'1','b':'2'},'binaryData':{'c':'AA=='}}");
        CELL(cm, 0, "Name", "cfg");
        CELL_INT(cm, 0, "Data", 3);
        CELL(cm, 0, "Age", "60s");
        _cleanup_json_ json *sec = table_of("", "v1", "secrets",
                                            "{'metadata':{'name':'tls'},'type':'kubernetes.io/"
                                            "tls','data':{'tls.crt':'AA==','tls.key':'AA=='}}");
        CELL(sec, 0, "Type", "kubernetes.io/tls");
        CELL_INT(sec, 0, "Data", 2);
        _cleanup_json_ json *sa =
                table_of("", "v1", "serviceaccounts", "{'metadata':{'name':'default'}}");
        CELL_INT(sa, 0, "Secrets", 0);
        _cleanup_json_ json *ns = table_of("", "v1", "namespaces",
                                           "{'metadata':{'name':'kube-system','creationTimestamp':'"
                                           "2024-01-01T00:00:00Z'},'status':{'phase':'Active'}}");
        CELL(ns, 0, "Status", "Active");
        CELL(ns, 0, "Age", "152d");
        _cleanup_json_ json *lr = table_of(
                "", "v1", "limitranges",
                "{'metadata':{'name':'limits','creationTimestamp':'2024-01-01T00:00:00Z'}}");
        CELL(lr, 0, "Created At", "2024-01-01T00:00:00Z");
        _cleanup_json_ json *cr0 = table_of(
                "rbac.authorization.k8s.io", "v1", "clusterroles",
                "{'metadata':{'name':'admin','creationTimestamp':'2024-03-04T05:06:07+02:00'}}");
        CELL(cr0, 0, "Created At", "2024-03-04T03:06:07Z");

        _cleanup_json_ json *rq =
                table_of("", "v1", "resourcequotas",
                         "{'metadata':{'name':'q'},'status':{'hard':{'pods':'10','requests.cpu':'4'"
                         ",'limits.memory':'8Gi','limits.cpu':'8'},"
                         "'used':{'pods':'3','requests.cpu':'500m','limits.cpu':'1'}}}");
        CELL(rq, 0, "Request", "pods: 3/10, requests.cpu: 500m/4");
        CELL(rq, 0, "Limit", "limits.cpu: 1/8, limits.memory: 0/8Gi");

        _cleanup_json_ json *pv =
                table_of("", "v1", "persistentvolumes",
                         "{'metadata':{'name':'pv-1','creationTimestamp':'2024-06-01T10:00:00Z'},'"
                         "spec':{'capacity':{'storage':'10Gi'},"
                         "'accessModes':['ReadWriteMany','ReadWriteOnce'],'"
                         "persistentVolumeReclaimPolicy':'Retain','storageClassName':'fast',"
                         "'claimRef':{'namespace':'default','name':'data'},'volumeMode':'"
                         "Filesystem'},'status':{'phase':'Bound'}}");
        CELL(pv, 0, "Capacity", "10Gi");
        CELL(pv, 0, "Access Modes", "RWO,RWX");
        CELL(pv, 0, "Reclaim Policy", "Retain");
        CELL(pv, 0, "Status", "Bound");
        CELL(pv, 0, "Claim", "default/data");
        CELL(pv, 0, "StorageClass", "fast");
        CELL(pv, 0, "VolumeAttributesClass", "<unset>");
        CELL(pv, 0, "Reason", "");
        CELL(pv, 0, "VolumeMode", "Filesystem");

        _cleanup_json_ json *pvc =
                table_of("", "v1", "persistentvolumeclaims",
                         "{'metadata':{'name':'data','annotations':{'volume.beta.kubernetes.io/"
                         "storage-class':'legacy'}},"
                         "'spec':{'volumeName':'pv-1','storageClassName':'fast','accessModes':['"
                         "ReadWriteOnce'],'resources':{'requests':{'storage':'5Gi'}}},"
                         "'status':{'phase':'Bound','accessModes':['ReadWriteOncePod'],'capacity':{"
                         "'storage':'10Gi'}}}");
        CELL(pvc, 0, "Status", "Bound");
        CELL(pvc, 0, "Volume", "pv-1");
        CELL(pvc, 0, "Capacity", "10Gi");
        CELL(pvc, 0, "Access Modes", "RWOP");
        CELL(pvc, 0, "StorageClass", "legacy");
        CELL(pvc, 0, "VolumeMode", "<unset>");
        CELL(pvc, 0, "VolumeAttributesClass", "<unset>");
        _cleanup_json_ json *pvcv =
                table_of("", "v1", "persistentvolumeclaims",
                         "{'metadata':{'name':'v'},'spec':{'volumeAttributesClassName':'gold','"
                         "volumeMode':'Block'},"
                         "'status':{'currentVolumeAttributesClassName':'silver'}}");
        CELL(pvcv, 0, "VolumeAttributesClass", "gold");
        CELL(pvcv, 0, "VolumeMode", "Block");
        _cleanup_json_ json *pvc2 = table_of(
                "", "v1", "persistentvolumeclaims",
                "{'metadata':{'name':'wait','deletionTimestamp':'2024-06-01T11:00:00Z'},'spec':{'"
                "accessModes':['ReadWriteOnce'],"
                "'resources':{'requests':{'storage':'5Gi'}}},'status':{'phase':'Pending'}}");
        CELL(pvc2, 0, "Status", "Terminating");
        CELL(pvc2, 0, "Capacity", "");
        CELL(pvc2, 0, "Access Modes", "");

        _cleanup_json_ json *sc =
                table_of("storage.k8s.io", "v1", "storageclasses",
                         "{'metadata':{'name':'standard','annotations':{'storageclass.kubernetes."
                         "io/is-default-class':'true'}},"
                         "'provisioner':'rancher.io/"
                         "local-path','volumeBindingMode':'WaitForFirstConsumer'}");
        CELL(sc, 0, "Name", "standard (default)");
        CELL(sc, 0, "Provisioner", "rancher.io/local-path");
        CELL(sc, 0, "ReclaimPolicy", "Delete");
        CELL(sc, 0, "VolumeBindingMode", "WaitForFirstConsumer");
        CELL(sc, 0, "AllowVolumeExpansion", "false");

        _cleanup_json_ json *csi =
                table_of("storage.k8s.io", "v1", "csidrivers",
                         "{'metadata':{'name':'hostpath.csi.k8s.io'},'spec':{'podInfoOnMount':true,"
                         "'volumeLifecycleModes':['Persistent','Ephemeral'],'tokenRequests':[{'"
                         "audience':'vault'},{'audience':'gcp'}]}}");
        CELL(csi, 0, "AttachRequired", "true");
        CELL(csi, 0, "PodInfoOnMount", "true");
        CELL(csi, 0, "StorageCapacity", "false");
        CELL(csi, 0, "TokenRequests", "vault,gcp");
        CELL(csi, 0, "Modes", "Persistent,Ephemeral");
        _cleanup_json_ json *csn = table_of(
                "storage.k8s.io", "v1", "csinodes",
                "{'metadata':{'name':'node-1'},'spec':{'drivers':[{'name':'a','nodeID':'n'}]}}");
        CELL_INT(csn, 0, "Drivers", 1);

        _cleanup_json_ json *pdb = table_of("policy", "v1", "poddisruptionbudgets",
                                            "{'metadata':{'name':'web'},'spec':{'minAvailable':'50%"
                                            "'},'status':{'disruptionsAllowed':1}}");
        CELL(pdb, 0, "Min Available", "50%");
        CELL(pdb, 0, "Max Unavailable", "N/A");
        CELL_INT(pdb, 0, "Allowed Disruptions", 1);
        _cleanup_json_ json *pdb2 =
                table_of("policy", "v1", "poddisruptionbudgets",
                         "{'metadata':{'name':'db'},'spec':{'maxUnavailable':1}}");
        CELL(pdb2, 0, "Max Unavailable", "1");

        _cleanup_json_ json *rb =
                table_of("rbac.authorization.k8s.io", "v1", "clusterrolebindings",
                         "{'metadata':{'name':'admins'},'roleRef':{'apiGroup':'rbac.authorization."
                         "k8s.io','kind':'ClusterRole','name':'cluster-admin'},"
                         "'subjects':[{'kind':'Group','name':'system:masters'},{'kind':'User','"
                         "name':'alice'},{'kind':'User','name':'bob'},"
                         "{'kind':'ServiceAccount','name':'ci','namespace':'tools'}]}");
        CELL(rb, 0, "Role", "ClusterRole/cluster-admin");
        CELL(rb, 0, "Users", "alice, bob");
        CELL(rb, 0, "Groups", "system:masters");
        CELL(rb, 0, "ServiceAccounts", "tools/ci");

        _cleanup_json_ json *pc =
                table_of("scheduling.k8s.io", "v1", "priorityclasses",
                         "{'metadata':{'name':'system-node-critical'},'value':2000001000}");
        CELL_INT(pc, 0, "Value", 2000001000);
        CELL(pc, 0, "Global-Default", "false");
        CELL(pc, 0, "Preemption Policy", "");

        _cleanup_json_ json *cs = table_of("", "v1", "componentstatuses",
                                           "{'metadata':{'name':'etcd-0'},'conditions':[{'type':'"
                                           "Healthy','status':'True','message':'ok'}]}");
        CELL(cs, 0, "Status", "Healthy");
        CELL(cs, 0, "Message", "ok");
        CELL(cs, 0, "Error", "");

        _cleanup_json_ json *va = table_of("storage.k8s.io", "v1", "volumeattachments",
                                           "{'metadata':{'name':'csi-1'},'spec':{'attacher':'"
                                           "hostpath.csi.k8s.io','nodeName':'n1','source':{}}}");
        CELL(va, 0, "Attached", "false");
        CELL(va, 0, "PV", "");
        CELL(va, 0, "Node", "n1");
        _cleanup_json_ json *le =
                table_of("coordination.k8s.io", "v1", "leases", "{'metadata':{'name':'l'}}");
        CELL(le, 0, "Holder", "");

        /* no printer columns: upstream's default convertor */
        _cleanup_json_ json *bd = table_of("", "v1", "bindings",
                                           "{'metadata':{'name':'b','creationTimestamp':'2024-05-"
                                           "01T10:00:00Z'},'target':{'kind':'Node','name':'n'}}");
        is_int(json_array_len(json_object_get(bd, "columnDefinitions")), 2,
               "default table: two columns");
        CELL(bd, 0, "Name", "b");
        CELL(bd, 0, "Created At", "2024-05-01T10:00:00Z");
        is_str(json_object_get_string(json_array_get(json_object_get(bd, "columnDefinitions"), 1),
                                      "type"),
               "date", "default table: Created At is a date");
        _cleanup_json_ json *bd0 = table_of("", "v1", "bindings", "{'metadata':{'name':'b'}}");
        CELL(bd0, 0, "Created At", "0001-01-01T00:00:00Z");
}

/* ---- the Table document --------------------------------------------------- */

static void test_shape(void) {
        const struct schema_resource *cm = res("", "v1", "configmaps");
        _cleanup_json_ json *obj = parse("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':"
                                         "'cfg','namespace':'default',"
                                         "'resourceVersion':'7','creationTimestamp':'2024-06-01T11:"
                                         "59:00Z'},'data':{'k':'v'}}");
        _cleanup_json_ json *t = convert(cm, obj, TABLE_INCLUDE_NONE);
        _cleanup_free_ char *text = json_serialize(t, 0, NULL);
        is_str(text,
               "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/"
               "v1\",\"metadata\":{\"resourceVersion\":\"7\"},"
               "\"columnDefinitions\":[{\"name\":\"Name\",\"type\":\"string\",\"format\":\"name\","
               "\"description\":\"Name of the "
               "object.\",\"priority\":0},{\"name\":\"Data\",\"type\":\"string\","
               "\"format\":\"\",\"description\":\"Number of data and binaryData "
               "keys.\",\"priority\":0},"
               "{\"name\":\"Age\",\"type\":\"string\",\"format\":\"\",\"description\":\"Time since "
               "the object was created.\","
               "\"priority\":0}],\"rows\":[{\"cells\":[\"cfg\",1,\"60s\"],\"object\":null}]}",
               "a ConfigMap Table, byte for byte (includeObject=None)");

        _cleanup_json_ json *meta = convert(cm, obj, TABLE_INCLUDE_METADATA);
        const json *mo =
                json_object_get(json_array_get(json_object_get(meta, "rows"), 0), "object");
        is_str(json_object_get_string(mo, "kind"), "PartialObjectMetadata",
               "Metadata: PartialObjectMetadata");
        is_str(json_object_get_string(mo, "apiVersion"), "meta.k8s.io/v1",
               "Metadata: meta.k8s.io/v1");
        is_str(json_get_str(mo, "metadata", "namespace", NULL), "default",
               "Metadata: namespace kept");
        ok(!json_object_get(mo, "data"), "Metadata: no data");

        _cleanup_json_ json *full = convert(cm, obj, TABLE_INCLUDE_OBJECT);
        const json *fo =
                json_object_get(json_array_get(json_object_get(full, "rows"), 0), "object");
        ok(json_equal(fo, obj), "Object: the whole object");

        /* v1beta1: the Table and its PartialObjectMetadata follow */
        struct table_options o = TABLE_OPTIONS_INIT;
        o.api_version = TABLE_API_VERSION_V1BETA1;
        o.now_set = true;
        o.now = NOW;
        json *b = NULL;
        ok(table_convert(cm, obj, &o, &b, NULL) == 0, "v1beta1 table converts");
        is_str(json_object_get_string(b, "apiVersion"), "meta.k8s.io/v1beta1", "v1beta1 Table");
        is_str(json_get_str(
                       json_object_get(json_array_get(json_object_get(b, "rows"), 0), "object"),
                       "apiVersion", NULL),
               "meta.k8s.io/v1beta1", "v1beta1 PartialObjectMetadata");
        json_free(b);
        o.api_version = "meta.k8s.io/v2";
        b = NULL;
        tm_error *err = NULL;
        is_int(table_convert(cm, obj, &o, &b, &err), -ENOTSUP, "no Table in meta.k8s.io/v2");
        is_str(tm_error_msg(err), "no Table exists in group version meta.k8s.io/v2", "its message");
        tm_error_free(err);
        ok(!b, "nothing returned on error");

        /* a list: rows in order, list metadata, typed objects */
        _cleanup_json_ json *list = parse(
                "{'apiVersion':'v1','kind':'ConfigMapList','metadata':{'resourceVersion':'99','"
                "continue':'tok','remainingItemCount':5},"
                "'items':[{'metadata':{'name':'a'}},{'metadata':{'name':'b'},'data':{'x':'y'}}]}");
        _cleanup_json_ json *lt = convert(cm, list, TABLE_INCLUDE_OBJECT);
        is_str(json_get_str(lt, "metadata", "resourceVersion", NULL), "99", "list resourceVersion");
        is_str(json_get_str(lt, "metadata", "continue", NULL), "tok", "list continue");
        is_int(json_object_get_int(json_object_get(lt, "metadata"), "remainingItemCount", -1), 5,
               "list remainingItemCount");
        is_int(json_array_len(json_object_get(lt, "rows")), 2, "two rows");
        CELL(lt, 1, "Name", "b");
        CELL_INT(lt, 1, "Data", 1);
        const json *lo = json_object_get(json_array_get(json_object_get(lt, "rows"), 0), "object");
        is_str(json_object_get_string(lo, "kind"), "ConfigMap", "list item gets its kind");
        is_str(json_object_get_string(lo, "apiVersion"), "v1", "list item gets its apiVersion");
        _cleanup_json_ json *empty = parse("{'kind':'ConfigMapList','metadata':{},'items':[]}");
        _cleanup_json_ json *et = convert(cm, empty, TABLE_INCLUDE_METADATA);
        ok(json_is_array(json_object_get(et, "rows")) &&
                   json_array_len(json_object_get(et, "rows")) == 0,
           "an empty list: rows is []");
        ok(json_is_object(json_object_get(et, "metadata")) &&
                   json_object_len(json_object_get(et, "metadata")) == 0,
           "an empty list: metadata is {}");

        _cleanup_json_ json *bad = parse("{'items':[1]}");
        b = NULL;
        is_int(table_convert(cm, bad, NULL, &b, NULL), -EINVAL, "a list of non-objects is refused");
        _cleanup_json_ json *arr = parse("[]");
        is_int(table_convert(cm, arr, NULL, &b, NULL), -EINVAL, "an array is refused");
}

static void test_include_object(void) {
        enum table_include inc = _TABLE_INCLUDE_INVALID;
        tm_error *err = NULL;
        ok(table_parse_include_object(NULL, &inc, NULL) == 0 && inc == TABLE_INCLUDE_METADATA,
           "no includeObject: Metadata");
        ok(table_parse_include_object("", &inc, NULL) == 0 && inc == TABLE_INCLUDE_METADATA,
           "empty includeObject: Metadata");
        ok(table_parse_include_object("None", &inc, NULL) == 0 && inc == TABLE_INCLUDE_NONE,
           "None");
        ok(table_parse_include_object("Object", &inc, NULL) == 0 && inc == TABLE_INCLUDE_OBJECT,
           "Object");
        ok(table_parse_include_object("Metadata", &inc, NULL) == 0 && inc == TABLE_INCLUDE_METADATA,
           "Metadata");
        is_int(table_parse_include_object("object", &inc, &err), -EINVAL,
               "values are case-sensitive");
        is_str(tm_error_msg(err),
               "Unable to convert to Table as requested: includeObject: Invalid value: \"object\": "
               "must be 'Metadata', 'Object', 'None', or empty",
               "upstream's 400 message");
        tm_error_free(err);
        is_str(table_include_to_string(TABLE_INCLUDE_OBJECT), "Object", "to string");
}

static void test_negotiate(void) {
        struct table_accept a;
        tm_error *err = NULL;
        const char *kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,"
                              "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

        ok(table_negotiate(NULL, &a, NULL) == 0 && !a.table &&
                   streq(a.media_type, "application/json"),
           "no Accept: plain JSON");
        ok(table_negotiate("application/json", &a, NULL) == 0 && !a.table,
           "application/json: plain");
        ok(table_negotiate(kubectl, &a, NULL) == 0 && a.table &&
                   streq(a.api_version, TABLE_API_VERSION_V1) &&
                   streq(a.media_type, "application/json"),
           "kubectl's header: Table v1");
        ok(table_negotiate("application/json;as=Table;v=v1beta1;g=meta.k8s.io", &a, NULL) == 0 &&
                   a.table && streq(a.api_version, TABLE_API_VERSION_V1BETA1),
           "only v1beta1: still served");
        ok(table_negotiate("application/json;as=Table;v=v2;g=meta.k8s.io, application/json", &a,
                           NULL) == 0 &&
                   !a.table,
           "unknown Table version falls back to plain JSON");
        is_int(table_negotiate("application/json;as=Table;v=v2;g=meta.k8s.io", &a, &err), -ENOTSUP,
               "only an unknown Table version: 406");
        is_str(tm_error_msg(err),
               "only the following media types are accepted: application/json, application/yaml",
               "406 message");
        tm_error_free(err);
        err = NULL;
        is_int(table_negotiate("application/json;as=Table", &a, NULL), -ENOTSUP,
               "as=Table without g/v: 406");
        is_int(table_negotiate("application/json;as=Table;g=example.com;v=v1", &a, NULL), -ENOTSUP,
               "Table of another group: 406");
        ok(table_negotiate(
                   "application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io;q=0.9", &a,
                   NULL) == 0 &&
                   a.table,
           "higher q wins");
        ok(table_negotiate("application/json;as=Table;v=v1;g=meta.k8s.io;q=0.1, application/yaml",
                           &a, NULL) == 0 &&
                   !a.table && streq(a.media_type, "application/yaml"),
           "q=0.1 Table loses to YAML");
        ok(table_negotiate("application/yaml;as=Table;v=v1;g=meta.k8s.io", &a, NULL) == 0 &&
                   a.table && streq(a.media_type, "application/yaml"),
           "Table as YAML");
        ok(table_negotiate("*/*", &a, NULL) == 0 && !a.table &&
                   streq(a.media_type, "application/json"),
           "*/*: JSON");
        ok(table_negotiate("*/*;q=0.8,application/yaml", &a, NULL) == 0 &&
                   streq(a.media_type, "application/yaml"),
           "specific type with higher q wins over */*");
        ok(table_negotiate("*/*, application/yaml", &a, NULL) == 0 &&
                   streq(a.media_type, "application/yaml"),
           "at equal q a specific type beats */*");
        ok(table_negotiate("*/*;q=1, application/yaml;q=0.5", &a, NULL) == 0 &&
                   streq(a.media_type, "application/yaml"),
           "goautoneg: a concrete type sorts before */* even at a lower q");
        ok(table_negotiate("application/yaml;q=0.5, application/json", &a, NULL) == 0 &&
                   streq(a.media_type, "application/json"),
           "equal specificity: higher q first");
        ok(table_negotiate("application/*;as=Table;g=meta.k8s.io;v=v1", &a, NULL) == 0 && a.table &&
                   streq(a.media_type, "application/json"),
           "application/* with as=Table: JSON Table");
        is_int(table_negotiate("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io",
                               &a, NULL),
               -ENOTSUP, "protobuf Table: 406");
        ok(table_negotiate("application/vnd.kubernetes.protobuf, application/json", &a, NULL) ==
                           0 &&
                   !a.table,
           "protobuf first, JSON fallback");
        is_int(table_negotiate("text/html", &a, NULL), -ENOTSUP, "text/html: 406");
        is_int(table_negotiate("application/json;q=0", &a, NULL), -ENOTSUP,
               "q=0 is not acceptable");
        ok(table_negotiate("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1", &a,
                           NULL) == 0 &&
                   a.conversion == TABLE_CONVERT_PARTIAL_OBJECT_METADATA_LIST && !a.table,
           "PartialObjectMetadataList conversion reported");
        ok(table_negotiate("application/json;as=Table;v=v1;g=meta.k8s.io;pretty=1", &a, NULL) ==
                           0 &&
                   a.pretty,
           "pretty=1");
        ok(table_negotiate("application/json;stream=watch", &a, NULL) == 0 && a.stream_watch,
           "stream=watch");
        ok(table_negotiate(" application/json ; as=Table ; g=meta.k8s.io ; v=v1 ; foo=bar", &a,
                           NULL) == 0 &&
                   a.table,
           "spaces and unknown parameters are tolerated");
        ok(table_negotiate("APPLICATION/JSON", &a, NULL) == 0 && !a.table,
           "type names are case-insensitive");
}

static void test_watch(void) {
        const struct schema_resource *pods = res("", "v1", "pods");
        struct table_watch w = { 0 };
        struct table_options o = TABLE_OPTIONS_INIT;
        o.now_set = true;
        o.now = NOW;
        _cleanup_json_ json *pod = parse(
                "{'kind':'Pod','apiVersion':'v1','metadata':{'name':'p','resourceVersion':'11'},"
                "'spec':{'containers':[{'name':'a','image':'x'}]},'status':{'phase':'Pending'}}");
        json *e1 = NULL, *e2 = NULL, *st = NULL;
        ok(table_watch_convert(&w, pods, pod, &o, &e1, NULL) == 0, "first watch event converts");
        ok(json_is_array(json_object_get(e1, "columnDefinitions")) &&
                   json_array_len(json_object_get(e1, "columnDefinitions")) == pods->n_columns,
           "first event carries the column definitions");
        is_int(json_array_len(json_object_get(e1, "rows")), 1, "one row per event");
        is_str(json_get_str(e1, "metadata", "resourceVersion", NULL), "11",
               "event Table has the object's resourceVersion");
        ok(table_watch_convert(&w, pods, pod, &o, &e2, NULL) == 0, "second watch event converts");
        ok(json_is_null(json_object_get(e2, "columnDefinitions")),
           "later events: columnDefinitions null");
        CELL(e2, 0, "Status", "(no such column)"); /* no headers to find it by */
        is_str(json_string(json_array_get(
                       json_object_get(json_array_get(json_object_get(e2, "rows"), 0), "cells"),
                       2)),
               "Pending", "later events still carry cells");
        json_free(e1);
        json_free(e2);

        struct table_watch w2 = { 0 };
        _cleanup_json_ json *status =
                parse("{'kind':'Status','apiVersion':'v1','status':'Failure','code':410}");
        ok(table_watch_convert(&w2, pods, status, &o, &st, NULL) == 0 && json_equal(st, status),
           "a Status passes through");
        ok(w2.headers_sent, "a Status still counts as the first event");
        json_free(st);
}

/* ---- every column of every resource --------------------------------------- */

static void test_schema_coverage(void) {
        size_t ngv, n_res = 0, n_cols = 0, missing = 0, bad = 0, defs_bad = 0;
        const struct schema_group_version *gvs = schema_group_versions(&ngv);
        _cleanup_json_ json *obj = parse("{'metadata':{'name':'x','namespace':'default','"
                                         "creationTimestamp':'2024-06-01T11:00:00Z'}}");
        for (size_t g = 0; g < ngv; g++)
                for (size_t i = 0; i < gvs[g].n_resources; i++) {
                        const struct schema_resource *r = &gvs[g].resources[i];
                        if (r->n_columns == 0)
                                continue;
                        n_res++;
                        for (size_t c = 0; c < r->n_columns; c++) {
                                const struct schema_printer_column *col = &r->columns[c];
                                n_cols++;
                                if (col->computed && !table_computed_lookup(col->computed)) {
                                        printf("# no implementation of computed column '%s' (%s)\n",
                                               col->computed, r->plural);
                                        missing++;
                                }
                                if (!col->computed && !col->json_path) {
                                        printf("# column %s of %s has neither path nor function\n",
                                               col->name, r->plural);
                                        missing++;
                                }
                        }
                        _cleanup_json_ json *t = convert(r, obj, TABLE_INCLUDE_METADATA);
                        const json *cells = json_object_get(
                                json_array_get(json_object_get(t, "rows"), 0), "cells");
                        const json *defs = json_object_get(t, "columnDefinitions");
                        if (json_array_len(cells) != r->n_columns ||
                            json_array_len(defs) != r->n_columns)
                                bad++;
                        for (size_t c = 0; c < json_array_len(cells); c++) {
                                const json *v = json_array_get(cells, c);
                                const json *d = json_array_get(defs, c);
                                const struct schema_printer_column *col = &r->columns[c];
                                if (json_is_null(v)) {
                                        printf("# %s/%s column %s is null\n", gvs[g].group,
                                               r->plural, col->name);
                                        bad++;
                                }
                                if (!streq_ptr(json_object_get_string(d, "name"), col->name) ||
                                    json_object_get_int(d, "priority", -1) != col->priority ||
                                    !streq_ptr(json_object_get_string(d, "type"),
                                               col->type ? col->type : "string"))
                                        defs_bad++;
                        }
                }
        ok(n_res >= 40, "schema has printer columns for %zu resources", n_res);
        is_int(missing, 0, "every computed column of the schema is implemented (%zu columns)",
               n_cols);
        is_int(bad, 0, "every column of every resource yields a value");
        is_int(defs_bad, 0, "column definitions follow the schema (name, type, priority)");

        for (size_t i = 0; table_computed_table[i].name; i++)
                if (table_computed_table[i + 1].name &&
                    strcmp(table_computed_table[i].name, table_computed_table[i + 1].name) >= 0) {
                        ok(false, "computed table sorted at %s", table_computed_table[i].name);
                        return;
                }
        ok(true, "computed table is sorted (bsearch)");
        ok(table_computed_lookup("pod-status") && !table_computed_lookup("no-such-column") &&
                   !table_computed_lookup(NULL),
           "lookup by name");
}

static void test_wide(void) {
        const struct schema_resource *pods = res("", "v1", "pods");
        _cleanup_json_ json *defs = table_column_definitions(pods);
        static const char *const wide[] = { "IP", "Node", "Nominated Node", "Readiness Gates" };
        size_t n_wide = 0;
        for (size_t i = 0; i < json_array_len(defs); i++) {
                const json *d = json_array_get(defs, i);
                const char *name = json_object_get_string(d, "name");
                bool want = false;
                for (size_t k = 0; k < ELEMENTSOF(wide); k++)
                        want = want || streq(name, wide[k]);
                if (json_object_get_int(d, "priority", -1) == (want ? 1 : 0))
                        n_wide += want;
                else
                        ok(false, "pod column %s priority", name);
        }
        is_int(n_wide, 4,
               "pods: IP, Node, Nominated Node, Readiness Gates are -o wide (priority 1)");
        is_str(json_object_get_string(json_array_get(defs, 0), "format"), "name",
               "pods: Name has format name");
        const struct schema_resource *deploy = res("apps", "v1", "deployments");
        size_t p1 = 0;
        for (size_t i = 0; i < deploy->n_columns; i++)
                p1 += deploy->columns[i].priority == 1;
        is_int(p1, 3, "deployments: Containers, Images, Selector are wide");
        const struct schema_resource *ev = res("", "v1", "events");
        is_str(ev->columns[0].name, "Last Seen",
               "events start with Last Seen (no Name column first)");
}

static void test_jsonpath(void) {
        _cleanup_json_ json *o =
                parse("{'spec':{'ports':[{'port':80},{'port':443}],'a.b':{'c':1}},'n':null}");
        ok(json_int(table_jsonpath(o, ".spec.ports[1].port")) == 443, ".a[1].b");
        ok(json_int(table_jsonpath(o, "{.spec.ports[0].port}")) == 80, "{.a[0].b}");
        ok(json_int(table_jsonpath(o, ".spec['a.b'].c")) == 1, "['dotted.key']");
        ok(!table_jsonpath(o, ".spec.ports[2].port"), "index out of range");
        ok(!table_jsonpath(o, ".spec.missing.x"), "missing member");
        ok(!table_jsonpath(o, ".spec.ports[x]"), "bad index");
        ok(!table_jsonpath(o, "spec..ports") && !table_jsonpath(o, "{.spec"), "malformed paths");
        ok(json_is_null(table_jsonpath(o, ".n")), "null member");
}

int main(void) {
        time_parse_rfc3339("2024-06-01T12:00:00Z", &NOW, NULL);
        test_human_duration();
        test_pods();
        test_nodes();
        test_services();
        test_workloads();
        test_autoscaling();
        test_events();
        test_misc();
        test_shape();
        test_include_object();
        test_negotiate();
        test_watch();
        test_schema_coverage();
        test_wide();
        test_jsonpath();
        return tap_done();
}
