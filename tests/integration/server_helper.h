/* SPDX-License-Identifier: Apache-2.0 */
/* Start and stop timonier-apiserver from a C integration test: a free
 * loopback port (--port 0), its URL read back from the kubeconfig it
 * writes. */
#ifndef TIMONIER_TESTS_SERVER_HELPER_H
#define TIMONIER_TESTS_SERVER_HELPER_H

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "httpclient.h"

extern char **environ;

static bool test_server_read_url(const char *kubeconfig, char *url, size_t n) {
        _cleanup_fclose_ FILE *f = fopen(kubeconfig, "re");
        char line[256];
        while (f && fgets(line, sizeof line, f)) {
                char *p = strstr(line, "server: ");
                if (p) {
                        p += strlen("server: ");
                        p[strcspn(p, "\n")] = '\0';
                        snprintf(url, n, "%s", p);
                        return true;
                }
        }
        return false;
}

/* Start the server on `dir`; fills url (e.g. http://127.0.0.1:41234) and
 * returns its pid once /healthz answers, or -1. */
static pid_t test_server_start_with(const char *dir, const char *extra, char *url, size_t n) {
        const char *top = getenv("top_builddir");
        _cleanup_free_ char *bin = xasprintf("%s/apiserver/timonier-apiserver", top ? top : ".");
        char *argv[] = { bin,           "--data-dir", (char *)dir,   "--port", "0",
                         "--log-level", "error",      (char *)extra, NULL };
        _cleanup_free_ char *kc = xasprintf("%s/admin.kubeconfig", dir);
        unlink(kc);
        pid_t pid;
        if (posix_spawn(&pid, bin, NULL, NULL, argv, environ) != 0)
                return -1;
        for (int i = 0; i < 200 && !test_server_read_url(kc, url, n); i++)
                usleep(50000);
        http_client_options o = { .max_attempts = 1, .timeout_ms = 1000 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        if (http_client_new(url, &o, &c, NULL) >= 0)
                for (int i = 0; i < 200; i++) {
                        http_response resp = { 0 };
                        int r = http_request(c, "GET", "/healthz", NULL, &resp, NULL);
                        http_response_done(&resp);
                        if (r >= 0)
                                return pid;
                        usleep(50000);
                }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
}

static pid_t test_server_start(const char *dir, char *url, size_t n) {
        return test_server_start_with(dir, NULL, url, n);
}

static void test_server_stop(pid_t pid) {
        if (pid > 0) {
                kill(pid, SIGTERM);
                waitpid(pid, NULL, 0);
        }
}

static void test_rmdir(const char *dir) {
        _cleanup_free_ char *rm = xasprintf("rm -rf '%s'", dir);
        if (system(rm) != 0)
                fprintf(stderr, "could not remove %s\n", dir);
}

#endif
