/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kubeconfig.h"

int kubeconfig_write(const char *path, const char *server, tm_error **err) {
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
        _cleanup_free_ char *text = xasprintf("apiVersion: v1\n"
                                              "kind: Config\n"
                                              "clusters:\n"
                                              "- name: timonier\n"
                                              "  cluster:\n"
                                              "    server: %s\n"
                                              "contexts:\n"
                                              "- name: timonier\n"
                                              "  context:\n"
                                              "    cluster: timonier\n"
                                              "    user: admin\n"
                                              "    namespace: default\n"
                                              "current-context: timonier\n"
                                              "preferences: {}\n"
                                              "users:\n"
                                              "- name: admin\n"
                                              "  user: {}\n",
                                              server);
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return tm_error_set_errno(err, -errno, "write kubeconfig %s", tmp);
        size_t len = strlen(text);
        if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
                int r = -errno;
                unlink(tmp);
                return tm_error_set_errno(err, r ? r : -EIO, "write kubeconfig %s", tmp);
        }
        if (rename(tmp, path) < 0) {
                int r = -errno;
                unlink(tmp);
                return tm_error_set_errno(err, r, "rename %s to %s", tmp, path);
        }
        return 0;
}
