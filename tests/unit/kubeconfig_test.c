/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kubeconfig.h"
#include "tests/tap.h"

static char *write_tmp(const char *text) {
        char *path = xstrdup("/tmp/kubeconfig-test.XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0 || write(fd, text, strlen(text)) < 0)
                abort();
        close(fd);
        return path;
}

int main(void) {
        _cleanup_error_ tm_error *err = NULL;
        _cleanup_free_ char *p = write_tmp("apiVersion: v1\nkind: Config\n"
                                           "clusters:\n"
                                           "- name: a\n  cluster: {server: http://127.0.0.1:1}\n"
                                           "- name: b\n  cluster: {server: http://127.0.0.1:2}\n"
                                           "contexts:\n"
                                           "- name: ca\n  context: {cluster: a, user: ua}\n"
                                           "- name: cb\n  context: {cluster: b, user: ub}\n"
                                           "current-context: cb\n"
                                           "users:\n- name: ua\n  user: {token: ta}\n"
                                           "- name: ub\n  user: {token: tb}\n");
        char *server = NULL, *token = NULL;
        is_int(kubeconfig_read(p, &server, &token, &err), 0, "reads a kubeconfig");
        is_str(server, "http://127.0.0.1:2", "the current context's cluster");
        is_str(token, "tb", "the current context's user's token");
        free(server);
        free(token);
        unlink(p);

        _cleanup_free_ char *q =
                write_tmp("clusters:\n- name: only\n  cluster: {server: http://x:3}\n");
        is_int(kubeconfig_read(q, &server, NULL, &err), 0, "no context: the first cluster");
        is_str(server, "http://x:3", "its server");
        free(server);
        unlink(q);

        is_int(kubeconfig_read("/nonexistent/kubeconfig", &server, NULL, &err), -ENOENT,
               "a missing file");
        ok(strstr(tm_error_msg(err), "/nonexistent/kubeconfig") != NULL, "the error names it");
        _cleanup_free_ char *r = write_tmp("clusters: [\n");
        ok(kubeconfig_read(r, &server, NULL, &err) < 0, "malformed YAML is an error");
        unlink(r);
        _cleanup_free_ char *s = write_tmp("kind: Config\n");
        is_int(kubeconfig_read(s, &server, NULL, &err), -EINVAL, "no server URL");
        unlink(s);
        return tap_done();
}
