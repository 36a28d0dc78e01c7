/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "kubeconfig.h"
#include <yaml.h>

/* The server URL (and bearer token, if any) of the kubeconfig's current
 * context, or of its first cluster. */
int kubeconfig_read(const char *path, char **ret_url, char **ret_token, tm_error **err) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return tm_error_set_errno(err, -errno, "open %s", path);
        _cleanup_free_ char *buf = xmalloc(KUBECONFIG_MAX_SIZE + 1);
        size_t len = fread(buf, 1, KUBECONFIG_MAX_SIZE + 1, f);
        if (ferror(f))
                return tm_error_set_errno(err, -EIO, "read %s", path);
        if (len > KUBECONFIG_MAX_SIZE)
                return tm_error_set(err, -E2BIG, "%s: larger than 1 MiB", path);
        _cleanup_json_ json *kc = NULL;
        int r = tm_yaml_parse(buf, len, NULL, &kc, err);
        if (r < 0)
                return tm_error_wrap(err, r, "%s", path);
        const char *cur = json_object_get_string(kc, "current-context");
        const char *cluster = NULL, *user = NULL;
        const json *ctxs = json_object_get(kc, "contexts");
        for (size_t i = 0; cur && i < json_array_len(ctxs); i++)
                if (streq_ptr(json_object_get_string(json_array_get(ctxs, i), "name"), cur)) {
                        cluster = json_get_str(json_array_get(ctxs, i), "context", "cluster", NULL);
                        user = json_get_str(json_array_get(ctxs, i), "context", "user", NULL);
                }
        const json *clusters = json_object_get(kc, "clusters");
        const char *server = NULL;
        for (size_t i = 0; i < json_array_len(clusters); i++) {
                const json *cl = json_array_get(clusters, i);
                if (!cluster || streq_ptr(json_object_get_string(cl, "name"), cluster)) {
                        server = json_get_str(cl, "cluster", "server", NULL);
                        break;
                }
        }
        if (!server)
                return tm_error_set(err, -EINVAL, "%s: no cluster server URL", path);
        const char *token = NULL;
        const json *users = json_object_get(kc, "users");
        for (size_t i = 0; user && i < json_array_len(users); i++)
                if (streq_ptr(json_object_get_string(json_array_get(users, i), "name"), user))
                        token = json_get_str(json_array_get(users, i), "user", "token", NULL);
        *ret_url = xstrdup(server);
        if (ret_token)
                *ret_token = token ? xstrdup(token) : NULL;
        return 0;
}
