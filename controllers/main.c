/* SPDX-License-Identifier: Apache-2.0 */
/* timonier-controller-manager: options, leader election and the life of the
 * controllers (doc/controllers.md). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "controllers/controller.h"
#include "leaderelection.h"
#include "kubeconfig.h"
#include "log.h"
#include "util.h"
#include "yaml.h"

static void usage(FILE *f) {
        fprintf(f, "Usage: timonier-controller-manager [OPTIONS]\n\n"
                   "Run the control loops: namespaces, garbage collection, ReplicaSets,\n"
                   "Deployments, ServiceAccounts.\n\n"
                   "  --kubeconfig FILE       read the API server's URL (and token) from FILE\n"
                   "  --master URL            the API server's URL (overrides the kubeconfig)\n"
                   "  --controllers LIST      comma-separated controllers; '*' for all (default),\n"
                   "                          'name' to enable, '-name' to disable\n"
                   "  --leader-elect[=BOOL]   take the kube-system/kube-controller-manager Lease\n"
                   "                          before running (default true)\n"
                   "  --leader-elect-lease-duration SECONDS (default 15)\n"
                   "  --leader-elect-renew-deadline SECONDS (default 10)\n"
                   "  --leader-elect-retry-period SECONDS   (default 2)\n"
                   "  --log-level LEVEL       error, warning, notice, info, debug (default info)\n"
                   "  -h, --help              show this help\n"
                   "  --version               show the version\n\n"
                   "See timonier-controller-manager(8).\n");
}

/* Is controller `name` enabled by the --controllers list? */
static bool controller_enabled(const char *list, const char *name) {
        bool star = false, on = false, off = false;
        _cleanup_free_ char *copy = xstrdup(list);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (streq(t, "*"))
                        star = true;
                else if (t[0] == '-' && streq(t + 1, name))
                        off = true;
                else if (streq(t, name))
                        on = true;
        }
        return on || (star && !off);
}

/* The first name of the --controllers list that is no controller, or NULL. */
static char *controllers_unknown(const char *list) {
        _cleanup_free_ char *copy = xstrdup(list);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                const char *n = t[0] == '-' ? t + 1 : t;
                bool known = streq(n, "*");
                for (size_t i = 0; cm_controllers[i]; i++)
                        known = known || streq(n, cm_controllers[i]->name);
                if (!known)
                        return xstrdup(n);
        }
        return NULL;
}

static int parse_bool(const char *s, bool *ret) {
        if (!s || streq(s, "true") || streq(s, "1")) {
                *ret = true;
                return 0;
        }
        if (streq(s, "false") || streq(s, "0")) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}

static int parse_seconds(const char *s, long *ret_ms) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || !*s || *end || v <= 0 || v > 86400)
                return -EINVAL;
        *ret_ms = v * 1000;
        return 0;
}

/* What the elector tells the main thread. */
static atomic_int leading = 0; /* 1: start, -1: lost */

static void started_leading(leaderelection *le _unused_, void *userdata _unused_) {
        leading = 1;
}

static void stopped_leading(leaderelection *le _unused_, void *userdata _unused_) {
        leading = -1;
}

static void new_leader(leaderelection *le, const char *id, void *userdata _unused_) {
        if (id && *id && !streq(id, leaderelection_identity(le)))
                log_info("the leader is %s", id);
}

typedef struct running {
        const controller *c;
        void *state;
} running;

int main(int argc, char **argv) {
        enum {
                OPT_KUBECONFIG = 256,
                OPT_MASTER,
                OPT_CONTROLLERS,
                OPT_LEADER_ELECT,
                OPT_LEASE_DURATION,
                OPT_RENEW_DEADLINE,
                OPT_RETRY_PERIOD,
                OPT_LOGLEVEL,
                OPT_VERSION,
        };
        static const struct option opts[] = {
                { "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
                { "master", required_argument, NULL, OPT_MASTER },
                { "controllers", required_argument, NULL, OPT_CONTROLLERS },
                { "leader-elect", optional_argument, NULL, OPT_LEADER_ELECT },
                { "leader-elect-lease-duration", required_argument, NULL, OPT_LEASE_DURATION },
                { "leader-elect-renew-deadline", required_argument, NULL, OPT_RENEW_DEADLINE },
                { "leader-elect-retry-period", required_argument, NULL, OPT_RETRY_PERIOD },
                { "log-level", required_argument, NULL, OPT_LOGLEVEL },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                {},
        };
        const char *kubeconfig = NULL, *master = NULL, *list = "*";
        bool elect = true;
        long lease_ms = 0, renew_ms = 0, retry_ms = 0;
        int c, r;

        log_set_ident("timonier-controller-manager");
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (c) {
                case OPT_KUBECONFIG:
                        kubeconfig = optarg;
                        break;
                case OPT_MASTER:
                        master = optarg;
                        break;
                case OPT_CONTROLLERS:
                        list = optarg;
                        break;
                case OPT_LEADER_ELECT:
                        if (parse_bool(optarg, &elect) < 0) {
                                fprintf(stderr, "invalid --leader-elect: %s\n", optarg);
                                return 2;
                        }
                        break;
                case OPT_LEASE_DURATION:
                case OPT_RENEW_DEADLINE:
                case OPT_RETRY_PERIOD:
                        if (parse_seconds(optarg, c == OPT_LEASE_DURATION   ? &lease_ms
                                                  : c == OPT_RENEW_DEADLINE ? &renew_ms
                                                                            : &retry_ms) < 0) {
                                fprintf(stderr, "invalid %s: %s\n", argv[optind - 1], optarg);
                                return 2;
                        }
                        break;
                case OPT_LOGLEVEL:
                        r = log_level_from_string(optarg);
                        if (r < 0) {
                                fprintf(stderr, "invalid --log-level: %s\n", optarg);
                                return 2;
                        }
                        log_set_level(r);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case OPT_VERSION:
                        printf("timonier-controller-manager %s\n", PACKAGE_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "unexpected argument: %s\n", argv[optind]);
                return 2;
        }
        _cleanup_free_ char *bad = controllers_unknown(list);
        if (bad) {
                fprintf(stderr, "unknown controller in --controllers: %s\n", bad);
                return 2;
        }

        _cleanup_free_ char *url = NULL, *token = NULL;
        _cleanup_error_ tm_error *err = NULL;
        if (kubeconfig) {
                r = kubeconfig_read(kubeconfig, &url, &token, &err);
                if (r < 0) {
                        log_error("%s", tm_error_msg(err));
                        return 1;
                }
        }
        if (master) {
                free(url);
                url = xstrdup(master);
        }
        if (!url) {
                fprintf(stderr, "--kubeconfig or --master is required\n");
                return 2;
        }

        /* Signals are taken by sigtimedwait() below, in this thread only. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &mask, NULL);

        http_client_options copts = { .bearer_token = token,
                                      .user_agent = "timonier-controller-manager" };
        _cleanup_(informer_factory_freep) informer_factory *factory = NULL;
        r = informer_factory_new(url, &copts, &factory, &err);
        if (r < 0) {
                log_error("%s", tm_error_msg(err));
                return 1;
        }
        cm_ctx ctx = { .factory = factory,
                       .client = informer_factory_client(factory),
                       .informers = strmap_new() };

        _cleanup_(leaderelection_freep) leaderelection *le = NULL;
        if (elect) {
                char host[256] = "localhost";
                gethostname(host, sizeof host - 1);
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                _cleanup_free_ char *id = xasprintf("%s_%ld%09ld_%d", host, (long)ts.tv_sec,
                                                    ts.tv_nsec, (int)getpid());
                leaderelection_config lc = { .lease_namespace = "kube-system",
                                             .lease_name = "kube-controller-manager",
                                             .identity = id,
                                             .lease_duration_ms = lease_ms,
                                             .renew_deadline_ms = renew_ms,
                                             .retry_period_ms = retry_ms,
                                             .on_started_leading = started_leading,
                                             .on_stopped_leading = stopped_leading,
                                             .on_new_leader = new_leader };
                r = leaderelection_new(ctx.client, &lc, &le, &err);
                if (r >= 0)
                        r = leaderelection_start(le, &err);
                if (r < 0) {
                        log_error("leader election: %s", tm_error_msg(err));
                        strmap_free(ctx.informers);
                        return 1;
                }
                log_info("waiting for the kube-system/kube-controller-manager Lease as %s", id);
        } else
                leading = 1;

        running run[16] = {};
        size_t nrun = 0;
        bool started = false;
        int exit_code = 0;
        for (;;) {
                if (leading == 1 && !started) {
                        started = true;
                        log_info("starting controllers");
                        for (size_t i = 0; cm_controllers[i] && r >= 0; i++) {
                                const controller *ct = cm_controllers[i];
                                if (!controller_enabled(list, ct->name) || nrun >= ELEMENTSOF(run))
                                        continue;
                                void *state = NULL;
                                r = ct->setup(&ctx, &state, &err);
                                if (r >= 0)
                                        run[nrun++] = (running){ ct, state };
                        }
                        if (r >= 0)
                                r = informer_factory_start(factory, &err);
                        /* Waiting for the API server, still answering signals. */
                        bool stop = false;
                        while (r >= 0 && !stop &&
                               (r = informer_factory_wait_for_sync(factory, 200)) == -ETIMEDOUT) {
                                r = 0;
                                struct timespec zero = { 0, 0 };
                                int sig = sigtimedwait(&mask, NULL, &zero);
                                stop = sig == SIGINT || sig == SIGTERM;
                        }
                        if (stop) {
                                log_info("stopping");
                                break;
                        }
                        if (r < 0 && !err)
                                tm_error_set(&err, r, "the informers did not sync");
                        for (size_t i = 0; i < nrun && r >= 0; i++) {
                                r = run[i].c->start(run[i].state, &err);
                                if (r >= 0)
                                        log_info("started %s", run[i].c->name);
                        }
                        if (r < 0) {
                                log_error("%s", tm_error_msg(err));
                                exit_code = 1;
                                break;
                        }
                }
                if (leading == -1) {
                        /* As upstream: a manager that lost the lease exits. */
                        log_error("leader election lost");
                        exit_code = 1;
                        break;
                }
                struct timespec tmo = { 0, 200 * 1000 * 1000 };
                int sig = sigtimedwait(&mask, NULL, &tmo);
                if (sig == SIGINT || sig == SIGTERM) {
                        log_info("stopping");
                        break;
                }
        }
        informer_factory_stop(factory);
        for (size_t i = nrun; i > 0; i--)
                run[i - 1].c->stop(run[i - 1].state);
        if (le)
                leaderelection_stop(le);
        strmap_free(ctx.informers);
        return exit_code;
}
