/* SPDX-License-Identifier: Apache-2.0 */
/* timonier-apiserver: option parsing and the process's life; the work is in
 * libtimonier-apiserver. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#if HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "apiserver.h"
#include "kubeconfig.h"
#include "log.h"

static void usage(FILE *f) {
        fprintf(f,
                "Usage: timonier-apiserver [OPTIONS]\n\n"
                "Serve the Kubernetes API on an embedded store.\n\n"
                "  --data-dir DIR          state directory (default /var/lib/timonier/apiserver)\n"
                "  --bind-address ADDR     address to listen on (default 127.0.0.1)\n"
                "  --port PORT             port to listen on (default 6443; 0 = any free port)\n"
                "  --kubeconfig FILE       where to write the admin kubeconfig\n"
                "                          (default DATA_DIR/admin.kubeconfig)\n"
                "  --max-requests-inflight N           (default 400)\n"
                "  --max-mutating-requests-inflight N  (default 200)\n"
                "  --history-seconds N     events kept for watch resume and paging (default 150)\n"
                "  --log-level LEVEL       error, warning, notice, info, debug (default info)\n"
                "  -h, --help              show this help\n"
                "  --version               show the version\n\n"
                "See timonier-apiserver(8).\n");
}

static int parse_uint(const char *s, unsigned long max, unsigned long *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || !*s || *end || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int main(int argc, char **argv) {
        enum {
                OPT_DATA_DIR = 256,
                OPT_BIND,
                OPT_PORT,
                OPT_KUBECONFIG,
                OPT_MAXREQ,
                OPT_MAXMUT,
                OPT_LOGLEVEL,
                OPT_VERSION,
                OPT_HISTORY
        };
        static const struct option opts[] = {
                { "data-dir", required_argument, NULL, OPT_DATA_DIR },
                { "bind-address", required_argument, NULL, OPT_BIND },
                { "port", required_argument, NULL, OPT_PORT },
                { "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
                { "max-requests-inflight", required_argument, NULL, OPT_MAXREQ },
                { "max-mutating-requests-inflight", required_argument, NULL, OPT_MAXMUT },
                { "log-level", required_argument, NULL, OPT_LOGLEVEL },
                { "history-seconds", required_argument, NULL, OPT_HISTORY },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                {},
        };
        apiserver_config cfg;
        apiserver_config_defaults(&cfg);
        const char *kubeconfig = NULL;
        unsigned long v;
        int c, r;

        log_set_ident("timonier-apiserver");
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (c) {
                case OPT_DATA_DIR:
                        cfg.data_dir = optarg;
                        break;
                case OPT_BIND:
                        cfg.bind_address = optarg;
                        break;
                case OPT_PORT:
                        if (parse_uint(optarg, 65535, &v) < 0)
                                return log_error("--port: \"%s\" is not a port number", optarg), 2;
                        cfg.port = (uint16_t)v;
                        break;
                case OPT_KUBECONFIG:
                        kubeconfig = optarg;
                        break;
                case OPT_MAXREQ:
                case OPT_MAXMUT:
                        if (parse_uint(optarg, 1000000, &v) < 0 || v == 0)
                                return log_error("--%s: \"%s\" is not a positive number",
                                                 opts[c - OPT_DATA_DIR].name, optarg),
                                       2;
                        if (c == OPT_MAXREQ)
                                cfg.max_requests_inflight = (unsigned)v;
                        else
                                cfg.max_mutating_requests_inflight = (unsigned)v;
                        break;
                case OPT_HISTORY:
                        if (parse_uint(optarg, 86400, &v) < 0 || v == 0)
                                return log_error("--history-seconds: \"%s\" is not a number of "
                                                 "seconds from 1 to 86400",
                                                 optarg),
                                       2;
                        cfg.history_ms = (int64_t)v * 1000;
                        break;
                case OPT_LOGLEVEL:
                        r = log_level_from_string(optarg);
                        if (r < 0)
                                return log_error("--log-level: unknown level \"%s\"", optarg), 2;
                        log_set_level(r);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case OPT_VERSION:
                        printf("timonier-apiserver %s (Kubernetes API %s)\n", PACKAGE_VERSION,
                               KUBE_GIT_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                log_error("unexpected argument \"%s\"", argv[optind]);
                return 2;
        }

        if (mkdir(cfg.data_dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "create data directory %s", cfg.data_dir), 1;

        /* Block the stop signals before threads start, then wait for them. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        _cleanup_error_ tm_error *err = NULL;
        apiserver *srv = NULL;
        r = apiserver_new(&cfg, &srv, &err);
        if (r >= 0)
                r = apiserver_start(srv, &err);
        if (r < 0) {
                log_error("%s", tm_error_msg(err));
                apiserver_free(srv);
                return 1;
        }

        _cleanup_free_ char *kc_path =
                kubeconfig ? xstrdup(kubeconfig) : xasprintf("%s/admin.kubeconfig", cfg.data_dir);
        _cleanup_free_ char *server_url = xasprintf("http://%s:%u", cfg.bind_address, srv->port);
        r = kubeconfig_write(kc_path, server_url, &err);
        if (r < 0)
                log_warning("%s", tm_error_msg(err));
        log_notice("serving the Kubernetes API on %s (store in %s)", server_url, cfg.data_dir);
        log_notice("kubectl: export KUBECONFIG=%s", kc_path);
#if HAVE_SYSTEMD
        /* Under systemd (Type=notify): ready once listening and bootstrapped. */
        sd_notifyf(0, "READY=1\nSTATUS=Serving the Kubernetes API on %s\nMAINPID=%lu", server_url,
                   (unsigned long)getpid());
#endif

        int sig;
        sigwait(&mask, &sig);
        log_notice("received %s, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
#if HAVE_SYSTEMD
        sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
#endif
        apiserver_free(srv);
        return 0;
}
