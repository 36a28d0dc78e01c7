/* SPDX-License-Identifier: Apache-2.0 */
/* Leader election against the real timonier-apiserver: candidates in one
 * process, exactly one leader, takeover after a release (at the next try)
 * and after a leader that vanished without releasing (once the lease
 * duration passed), a leader whose Lease is taken stops leading, and the
 * Lease fields as upstream writes them. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpclient.h"
#include "leaderelection.h"
#include "tests/integration/server_helper.h"
#include "tests/tap.h"
#include "timeutil.h"

#define LEASE_PATH "/apis/coordination.k8s.io/v1/namespaces/default/leases/test-lock"

static char url[128];
static http_client *api;

typedef struct cand {
        leaderelection *le;
        atomic_int started, stopped;
} cand;

static void on_started(_unused_ leaderelection *le, void *ud) {
        atomic_fetch_add(&((cand *)ud)->started, 1);
}

static void on_stopped(_unused_ leaderelection *le, void *ud) {
        atomic_fetch_add(&((cand *)ud)->stopped, 1);
}

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Lease timings for the test: 3 s lease, 2 s renew deadline, 0.5 s retry. */
static int cand_new(cand *c, const char *id, bool no_release) {
        memset(c, 0, sizeof *c);
        leaderelection_config cfg = {
                .lease_namespace = "default",
                .lease_name = "test-lock",
                .identity = id,
                .lease_duration_ms = 3000,
                .renew_deadline_ms = 2000,
                .retry_period_ms = 500,
                .no_release_on_stop = no_release,
                .on_started_leading = on_started,
                .on_stopped_leading = on_stopped,
                .userdata = c,
        };
        int r = leaderelection_new(api, &cfg, &c->le, NULL);
        if (r < 0)
                return r;
        return leaderelection_start(c->le, NULL);
}

static int leaders(cand **cs, size_t n) {
        int k = 0;
        for (size_t i = 0; i < n; i++)
                if (cs[i] && cs[i]->le && leaderelection_is_leader(cs[i]->le))
                        k++;
        return k;
}

/* Wait until one of cs leads; returns its index or -1. */
static int wait_leader(cand **cs, size_t n, int ms) {
        for (int t = 0; t < ms / 10; t++) {
                for (size_t i = 0; i < n; i++)
                        if (cs[i] && cs[i]->le && leaderelection_is_leader(cs[i]->le))
                                return (int)i;
                usleep(10000);
        }
        return -1;
}

static json *get_lease(void) {
        json *l = NULL;
        if (http_get_json(api, LEASE_PATH, &l, NULL) < 0)
                return NULL;
        return l;
}

static bool is_micro_time(const char *s) {
        tm_time t;
        return s && strlen(s) == 27 && s[19] == '.' && s[26] == 'Z' &&
               time_parse_rfc3339(s, &t, NULL) >= 0;
}

static void test_config(void) {
        leaderelection *le = NULL;
        leaderelection_config bad = { .lease_namespace = "default",
                                      .lease_name = "x",
                                      .identity = "a",
                                      .lease_duration_ms = 5000,
                                      .renew_deadline_ms = 6000 };
        is_int(leaderelection_new(api, &bad, &le, NULL), -EINVAL,
               "lease duration must exceed the renew deadline");
        bad.renew_deadline_ms = 2000;
        bad.retry_period_ms = 1700;
        is_int(leaderelection_new(api, &bad, &le, NULL), -EINVAL,
               "renew deadline must exceed 1.2 * retry period");
        bad.retry_period_ms = 1000;
        bad.identity = "";
        is_int(leaderelection_new(api, &bad, &le, NULL), -EINVAL, "identity required");
        bad.identity = "a";
        bad.lease_name = "a/b";
        is_int(leaderelection_new(api, &bad, &le, NULL), -EINVAL, "lease name checked");
        leaderelection_config dflt = { .lease_namespace = "default",
                                       .lease_name = "x",
                                       .identity = "a" };
        ok(leaderelection_new(api, &dflt, &le, NULL) >= 0, "upstream defaults are consistent");
        is_str(leaderelection_identity(le), "a", "identity");
        ok(!leaderelection_is_leader(le), "not leader before start");
        leaderelection_free(le);
}

int main(void) {
        (void)test_server_start_with;
        char dir[] = "/tmp/timonier-le-XXXXXX";
        if (!mkdtemp(dir)) {
                perror("mkdtemp");
                return 1;
        }
        pid_t pid = test_server_start(dir, url, sizeof url);
        if (pid < 0) {
                tap_skip("timonier-apiserver did not start");
                test_rmdir(dir);
                return tap_done();
        }
        http_client_options o = { .timeout_ms = 5000, .max_attempts = 2 };
        if (http_client_new(url, &o, &api, NULL) < 0) {
                test_server_stop(pid);
                test_rmdir(dir);
                return 1;
        }
        test_config();

        cand a, b, c, d;
        cand *all[4] = { &a, &b, NULL, NULL };
        ok(cand_new(&a, "cand-a", false) >= 0 && cand_new(&b, "cand-b", false) >= 0,
           "two candidates start");
        int first = wait_leader(all, 2, 5000);
        ok(first >= 0, "a leader within 5 s");
        cand *lead = first == 0 ? &a : &b, *other = first == 0 ? &b : &a;
        const char *lead_id = first == 0 ? "cand-a" : "cand-b";
        const char *other_id = first == 0 ? "cand-b" : "cand-a";
        _cleanup_json_ json *l1 = get_lease();
        ok(l1 != NULL, "the Lease exists");
        is_str(json_get_str(l1, "spec", "holderIdentity", NULL), lead_id, "holderIdentity");
        is_int(json_object_get_int(json_object_get(l1, "spec"), "leaseDurationSeconds", 0), 3,
               "leaseDurationSeconds");
        is_int(json_object_get_int(json_object_get(l1, "spec"), "leaseTransitions", -1), 0,
               "leaseTransitions 0 on creation");
        ok(is_micro_time(json_get_str(l1, "spec", "acquireTime", NULL)),
           "acquireTime is a MicroTime: %s", json_get_str(l1, "spec", "acquireTime", NULL));
        ok(is_micro_time(json_get_str(l1, "spec", "renewTime", NULL)), "renewTime is a MicroTime");

        /* Watch for 2.5 s: always exactly one leader, the Lease renewed. */
        int worst_many = 0, worst_none = 0;
        for (int i = 0; i < 50; i++) {
                int k = leaders(all, 2);
                if (k > 1)
                        worst_many++;
                if (k == 0)
                        worst_none++;
                usleep(50000);
        }
        is_int(worst_many, 0, "never two leaders");
        is_int(worst_none, 0, "never none while the leader runs");
        is_int(atomic_load(&lead->started), 1, "on_started_leading called once");
        is_int(atomic_load(&other->started), 0, "the other never started leading");
        _cleanup_json_ json *l2 = get_lease();
        ok(!streq_ptr(json_get_str(l2, "spec", "renewTime", NULL),
                      json_get_str(l1, "spec", "renewTime", NULL)),
           "renewTime advances");
        is_str(json_get_str(l2, "spec", "acquireTime", NULL),
               json_get_str(l1, "spec", "acquireTime", NULL), "acquireTime kept on renewals");
        _cleanup_free_ char *seen = leaderelection_leader(other->le);
        is_str(seen, lead_id, "the other candidate observes the leader");

        /* Clean stop: the Lease is released, the other takes over at its next try. */
        long long t0 = now_ms();
        leaderelection_stop(lead->le);
        is_int(atomic_load(&lead->stopped), 1, "on_stopped_leading on stop");
        ok(!leaderelection_is_leader(lead->le), "stopped: not leader");
        _cleanup_json_ json *l3 = get_lease();
        const char *h3 = json_get_str(l3, "spec", "holderIdentity", NULL);
        ok(h3 && (streq(h3, "") || streq(h3, other_id)), "released: holder now \"%s\"",
           h3 ? h3 : "(null)");
        cand *one[1] = { other };
        ok(wait_leader(one, 1, 3000) == 0, "the other takes over within the lease duration");
        long long took = now_ms() - t0;
        ok(took < 2000, "after a release: at the next try (%lld ms)", took);
        _cleanup_json_ json *l4 = get_lease();
        is_str(json_get_str(l4, "spec", "holderIdentity", NULL), other_id, "new holder");
        is_int(json_object_get_int(json_object_get(l4, "spec"), "leaseTransitions", -1), 1,
               "leaseTransitions 1");
        ok(!streq_ptr(json_get_str(l4, "spec", "acquireTime", NULL),
                      json_get_str(l1, "spec", "acquireTime", NULL)),
           "new acquireTime");
        is_int(json_object_get_int(json_object_get(l4, "spec"), "leaseDurationSeconds", 0), 3,
               "leaseDurationSeconds back to 3");
        leaderelection_free(lead->le);
        lead->le = NULL;

        /* A leader that vanishes without releasing: others wait the lease out. */
        ok(cand_new(&c, "cand-c", true) >= 0, "a third candidate that keeps the Lease on stop");
        usleep(1200000);
        ok(!leaderelection_is_leader(c.le), "the third does not take a held Lease");
        leaderelection_stop(other->le);
        leaderelection_free(other->le);
        other->le = NULL;
        cand *third[1] = { &c };
        ok(wait_leader(third, 1, 3000) == 0, "the third leads after the release");
        t0 = now_ms();
        leaderelection_stop(c.le);
        _cleanup_json_ json *l5 = get_lease();
        is_str(json_get_str(l5, "spec", "holderIdentity", NULL), "cand-c",
               "no release: the Lease still names the stopped leader");
        ok(cand_new(&d, "cand-d", false) >= 0, "a fourth candidate");
        cand *fourth[1] = { &d };
        int w = wait_leader(fourth, 1, 6000);
        took = now_ms() - t0;
        ok(w == 0, "the fourth takes over an abandoned Lease");
        ok(took >= 2900 && took < 5500, "once the lease duration (3 s) passed: %lld ms", took);
        _cleanup_json_ json *l6 = get_lease();
        is_int(json_object_get_int(json_object_get(l6, "spec"), "leaseTransitions", -1), 3,
               "leaseTransitions 3");

        /* Someone else takes the Lease: the leader stops leading within the renew deadline. */
        json *spec = json_object_get(l6, "spec");
        json_object_set_string(spec, "holderIdentity", "intruder");
        _cleanup_free_ char *now = time_now_rfc3339_micro();
        json_object_set_string(spec, "renewTime", now);
        json_object_set_int(spec, "leaseDurationSeconds", 30);
        t0 = now_ms();
        ok(http_put_json(api, LEASE_PATH, l6, NULL, NULL) >= 0, "an intruder takes the Lease");
        for (int i = 0; i < 400 && atomic_load(&d.stopped) == 0; i++)
                usleep(10000);
        took = now_ms() - t0;
        is_int(atomic_load(&d.stopped), 1, "the leader stopped leading");
        ok(took < 3000, "within the renew deadline (%lld ms)", took);
        ok(!leaderelection_is_leader(d.le), "not leader any more");
        _cleanup_json_ json *l7 = get_lease();
        is_str(json_get_str(l7, "spec", "holderIdentity", NULL), "intruder",
               "it did not overwrite a held Lease");
        leaderelection_free(d.le);
        leaderelection_free(c.le);
        is_int(atomic_load(&c.stopped), 1, "the third got on_stopped_leading on its stop");

        http_client_free(api);
        test_server_stop(pid);
        test_rmdir(dir);
        return tap_done();
}
