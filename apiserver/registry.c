/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/schema.h"
#include "base64.h"
#include "objmeta.h"
#include "protobuf.h"
#include "registry.h"
#include "selector.h"
#include "status.h"
#include "storage/store.h"
#include "strategy.h"
#include "table.h"
#include "patch.h"
#include "watch.h"
#include "yaml.h"

/* No answer queued yet (MHD_NO is 0, MHD_YES 1). */
#define MHD_NO_ANSWER (-1000)

typedef struct reg {
        api_request *r;
        const request_info *ri;
        const struct schema_resource *res;
        store *st;
        char **duplicates; /* duplicate fields of the body, for fieldValidation */
} reg;

/* ---- keys ------------------------------------------------------------------ */

/* /registry/<resource>[.<group>]/[<namespace>/]<name> */
static char *key_prefix(const struct schema_resource *res, const char *ns) {
        if (*res->group)
                return ns ? xasprintf("/registry/%s.%s/%s/", res->plural, res->group, ns)
                          : xasprintf("/registry/%s.%s/", res->plural, res->group);
        return ns ? xasprintf("/registry/%s/%s/", res->plural, ns)
                  : xasprintf("/registry/%s/", res->plural);
}

static char *object_key(const struct schema_resource *res, const char *ns, const char *name) {
        _cleanup_free_ char *p = key_prefix(res, res->namespaced ? ns : NULL);
        return xasprintf("%s%s", p, name);
}

/* ---- objects in and out -------------------------------------------------- */

static void set_resource_version(json *obj, int64_t rev) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64, rev);
        json_object_set_string(json_object_ensure_object(obj, "metadata"), "resourceVersion", buf);
}

/* A stored value as an object with its resourceVersion. */
static int object_from_kv(const void *value, size_t len, int64_t rev, json **ret) {
        json *obj;
        int r = json_parse(value, len, NULL, &obj, NULL);
        if (r < 0)
                return r;
        set_resource_version(obj, rev);
        *ret = obj;
        return 0;
}

static char *object_to_stored(const json *obj, size_t *ret_len) {
        /* The resourceVersion is the store's revision: not stored in the value. */
        _cleanup_json_ json *c = json_copy(obj);
        json *md = json_object_get(c, "metadata");
        if (md)
                json_object_remove(md, "resourceVersion");
        return json_serialize(c, 0, ret_len);
}

static char *api_version_of(const struct schema_resource *res) {
        return *res->group ? xasprintf("%s/%s", res->group, res->version) : xstrdup(res->version);
}

static bool media_type_is(const char *ct, const char *want) {
        size_t n = strlen(want);
        return ct && strncasecmp(ct, want, n) == 0 &&
               (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Decode a request body (JSON, YAML or protobuf) into an object. A failure answers
 * the request and returns < 0. */
static int decode_body(reg *g, json **ret, int *ret_answer) {
        api_request *r = g->r;
        const char *ct = api_request_header(r, "Content-Type");
        _cleanup_error_ tm_error *err = NULL;
        json *obj = NULL;
        int q;
        if (!r->body.len) {
                *ret_answer = api_respond_status(
                        r, status_bad_request("the body of the request was empty"));
                return -EINVAL;
        }
        if (!ct || media_type_is(ct, "application/json"))
                q = json_parse_ex(r->body.data, r->body.len, NULL, &obj, &g->duplicates, &err);
        else if (media_type_is(ct, "application/yaml"))
                q = tm_yaml_parse(r->body.data, r->body.len, NULL, &obj, &err);
        else if (media_type_is(ct, PB_CONTENT_TYPE)) /* kubectl >= 1.32's typed clients */
                q = pb_decode_object(r->body.data, r->body.len, &obj, &err);
        else {
                *ret_answer = api_respond_status(r, status_unsupported_media_type(ct));
                return -EOPNOTSUPP;
        }
        if (q < 0) {
                _cleanup_free_ char *m =
                        xasprintf("the object provided is unrecognized: couldn't decode body: %s",
                                  tm_error_msg(err));
                *ret_answer = api_respond_status(r, status_bad_request(m));
                return q;
        }
        if (!json_is_object(obj)) {
                json_free(obj);
                *ret_answer = api_respond_status(
                        r, status_bad_request("the body of the request must be a JSON object"));
                return -EINVAL;
        }
        *ret = obj;
        return 0;
}

/* Check kind/apiVersion of a body against the resource; fill them if absent. */
static int check_type_meta(reg *g, json *obj, const char *kind, int *ret_answer) {
        _cleanup_free_ char *want_av = api_version_of(g->res);
        const char *av = json_object_get_string(obj, "apiVersion");
        const char *k = json_object_get_string(obj, "kind");
        _cleanup_free_ char *m = NULL;
        if (k && !streq(k, kind))
                m = xasprintf("%s in version \"%s\" cannot be handled as a %s: the kind in the "
                              "data (%s) does not match the expected kind (%s)",
                              kind, g->res->version, kind, k, kind);
        else if (av && !streq(av, want_av))
                m = xasprintf("the API version in the data (%s) does not match the expected API "
                              "version (%s)",
                              av, want_av);
        if (m) {
                *ret_answer = api_respond_status(g->r, status_bad_request(m));
                return -EINVAL;
        }
        json_object_set_string(obj, "apiVersion", want_av);
        json_object_set_string(obj, "kind", kind);
        return 0;
}

/* fieldValidation=Strict|Warn|Ignore (default Warn, as upstream): unknown
 * and duplicate fields fail, warn, or pass; unknown fields are dropped. A
 * value of the wrong type is always a 400. */
static int validate_fields(reg *g, json *obj, int *ret_answer) {
        const char *fv = api_request_query(g->r, "fieldValidation");
        if (fv && !streq(fv, "Strict") && !streq(fv, "Warn") && !streq(fv, "Ignore")) {
                _cleanup_free_ char *m = xasprintf(
                        "fieldValidation parameter unsupported: %s. Supported values are: Ignore, "
                        "Warn, Strict",
                        fv);
                *ret_answer = api_respond_status(g->r, status_bad_request(m));
                return -EINVAL;
        }
        _cleanup_json_ json *unknown = NULL;
        _cleanup_free_ char *type_err = strategy_check_types(g->res, obj, &unknown);
        if (type_err) {
                _cleanup_free_ char *m =
                        xasprintf("%s in version \"%s\" cannot be handled as a %s: %s",
                                  g->res->kind, g->res->version, g->res->kind, type_err);
                *ret_answer = api_respond_status(g->r, status_bad_request(m));
                return -EINVAL;
        }
        if (fv && streq(fv, "Ignore"))
                return 0;
        _cleanup_strbuf_ strbuf m = STRBUF_INIT;
        size_t problems = 0;
        for (char **d = g->duplicates; d && *d; d++, problems++) {
                _cleanup_free_ char *w = xasprintf("duplicate field \"%s\"", *d);
                if (fv && streq(fv, "Strict"))
                        strbuf_printf(&m, "%s%s", problems ? ", " : "", w);
                else
                        api_request_warn(g->r, w);
        }
        for (size_t i = 0; i < json_array_len(unknown); i++, problems++) {
                _cleanup_free_ char *w =
                        xasprintf("unknown field \"%s\"", json_string(json_array_get(unknown, i)));
                if (fv && streq(fv, "Strict"))
                        strbuf_printf(&m, "%s%s", problems ? ", " : "", w);
                else
                        api_request_warn(g->r, w);
        }
        if (m.len) {
                _cleanup_free_ char *msg = xasprintf(
                        "%s in version \"%s\" cannot be handled as a %s: strict decoding error: %s",
                        g->res->kind, g->res->version, g->res->kind, m.data);
                *ret_answer = api_respond_status(g->r, status_bad_request(msg));
                return -EINVAL;
        }
        return 0;
}

/* Answer with the object, or the Table or PartialObjectMetadata the
 * Accept header asks for (kubectl get asks for a Table). */
static int respond_object(reg *g, unsigned code, json *obj) {
        const char *accept = api_request_header(g->r, "Accept");
        if (!accept || !strstr(accept, "as="))
                return api_respond_json(g->r, code, obj);
        struct table_accept ta;
        _cleanup_error_ tm_error *err = NULL;
        if (table_negotiate(accept, &ta, &err) < 0)
                return api_respond_status(
                        g->r, status_failure(406, "NotAcceptable", tm_error_msg(err), NULL));
        if (!ta.table || streq_ptr(json_object_get_string(obj, "kind"), "Status"))
                return api_respond_json(g->r, code, obj);
        struct table_options opts = TABLE_OPTIONS_INIT;
        opts.api_version = ta.api_version;
        if (table_parse_include_object(api_request_query(g->r, "includeObject"), &opts.include,
                                       &err) < 0)
                return api_respond_status(g->r, status_bad_request(tm_error_msg(err)));
        _cleanup_json_ json *t = NULL;
        if (table_convert(g->res, obj, &opts, &t, &err) < 0)
                return api_respond_status(g->r, status_internal_error(tm_error_msg(err)));
        return api_respond_json(g->r, code, t);
}

static int respond_store_error(reg *g, int q, const char *name, tm_error *err) {
        switch (q) {
        case -ENOENT:
                return api_respond_status(g->r,
                                          status_not_found(g->res->group, g->res->plural, name));
        case -EEXIST:
                return api_respond_status(
                        g->r, status_already_exists(g->res->group, g->res->plural, name));
        case -ESTALE:
                return api_respond_status(
                        g->r, status_conflict(g->res->group, g->res->plural, name, NULL));
        case -EIDRM:
                return api_respond_status(g->r, status_expired(tm_error_msg(err)));
        default:
                return api_respond_status(g->r, status_internal_error(tm_error_msg(err)));
        }
}

static bool dry_run(reg *g, int *ret_answer) {
        const char *d = api_request_query(g->r, "dryRun");
        if (!d)
                return false;
        if (!streq(d, "All")) {
                _cleanup_free_ char *m = xasprintf(
                        "Invalid dry run value: supported values are: \"All\"; got \"%s\"", d);
                *ret_answer = api_respond_status(g->r, status_bad_request(m));
        }
        return true;
}

/* ---- namespaces (NamespaceLifecycle admission) ---------------------------- */

static int check_namespace_open(reg *g, const char *ns, int *ret_answer) {
        _cleanup_free_ char *key = xasprintf("/registry/namespaces/%s", ns);
        _cleanup_(store_kv_freep) store_kv *kv = NULL;
        int q = store_get(g->st, key, &kv, NULL);
        if (q == -ENOENT) {
                *ret_answer = api_respond_status(g->r, status_not_found("", "namespaces", ns));
                return q;
        }
        if (q < 0) {
                *ret_answer =
                        api_respond_status(g->r, status_internal_error("namespace lookup failed"));
                return q;
        }
        _cleanup_json_ json *nsobj = NULL;
        if (json_parse(kv->value, kv->value_len, NULL, &nsobj, NULL) >= 0 &&
            streq_ptr(json_get_str(nsobj, "status", "phase", NULL), "Terminating")) {
                _cleanup_free_ char *m = xasprintf("unable to create new content in namespace %s "
                                                   "because it is being terminated",
                                                   ns);
                json *d = json_new_object();
                json_object_set_string(d, "name", ns);
                json_object_set_string(d, "kind", "namespaces");
                json *causes = json_new_array();
                json *c = json_new_object();
                json_object_set_string(c, "reason", "NamespaceTerminating");
                json_object_set_string(c, "message", m);
                json_object_set_string(c, "field", "metadata.namespace");
                json_array_append(causes, c);
                json_object_set(d, "causes", causes);
                *ret_answer = api_respond_status(g->r, status_failure(403, "Forbidden", m, d));
                return -EACCES;
        }
        return 0;
}

/* ---- get -------------------------------------------------------------------- */

static int do_get(reg *g) {
        _cleanup_free_ char *key = object_key(g->res, g->ri->namespace_, g->ri->name);
        _cleanup_(store_kv_freep) store_kv *kv = NULL;
        _cleanup_error_ tm_error *err = NULL;
        int q = store_get(g->st, key, &kv, &err);
        if (q < 0)
                return respond_store_error(g, q, g->ri->name, err);
        _cleanup_json_ json *obj = NULL;
        if (object_from_kv(kv->value, kv->value_len, kv->mod_revision, &obj) < 0)
                return api_respond_status(g->r, status_internal_error("stored object is corrupt"));
        return respond_object(g, 200, obj);
}

/* ---- list ------------------------------------------------------------------ */

typedef struct list_filter {
        label_selector *labels;
        field_selector *fields;
} list_filter;

static void list_filter_done(list_filter *f) {
        label_selector_free(f->labels);
        field_selector_free(f->fields);
}

static int list_filter_parse(reg *g, list_filter *f, int *ret_answer) {
        _cleanup_error_ tm_error *err = NULL;
        const char *ls = api_request_query(g->r, "labelSelector");
        const char *fs = api_request_query(g->r, "fieldSelector");
        *f = (list_filter){ 0 };
        if (ls && label_selector_parse(ls, &f->labels, &err) < 0) {
                _cleanup_free_ char *m =
                        xasprintf("unable to parse requirement: %s", tm_error_msg(err));
                *ret_answer = api_respond_status(g->r, status_bad_request(tm_error_msg(err)));
                return -EINVAL;
        }
        if (fs && field_selector_parse(fs, &f->fields, &err) < 0) {
                *ret_answer = api_respond_status(g->r, status_bad_request(tm_error_msg(err)));
                return -EINVAL;
        }
        if (f->fields) {
                size_t n;
                const field_requirement *req = field_selector_requirements(f->fields, &n);
                for (size_t i = 0; i < n; i++) {
                        const char *fld = req[i].field;
                        if (streq(fld, "metadata.name") ||
                            (g->res->namespaced && streq(fld, "metadata.namespace")) ||
                            schema_strv_contains(g->res->field_selectors, fld))
                                continue;
                        _cleanup_free_ char *m = xasprintf("field label not supported: %s", fld);
                        *ret_answer = api_respond_status(g->r, status_bad_request(m));
                        return -EINVAL;
                }
        }
        return 0;
}

static bool list_filter_matches(const list_filter *f, const json *obj) {
        if (f->labels &&
            !label_selector_matches_json(f->labels, json_get(obj, "metadata", "labels", NULL)))
                return false;
        if (f->fields) {
                objmeta_field_ctx c = { .obj = obj };
                if (!field_selector_matches(f->fields, objmeta_field_lookup, &c))
                        return false;
        }
        return true;
}

/* Continue tokens: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<key>"},
 * the same shape as upstream's (clients treat them as opaque). */
static char *continue_encode(int64_t rev, const char *after_key) {
        _cleanup_json_ json *t = json_new_object();
        json_object_set_string(t, "v", "meta.k8s.io/v1");
        json_object_set_int(t, "rv", rev);
        json_object_set_string(t, "start", after_key);
        size_t len;
        _cleanup_free_ char *s = json_serialize(t, 0, &len);
        return base64_encode(s, len, true);
}

static int continue_decode(const char *tok, int64_t *ret_rev, char **ret_key) {
        size_t len;
        _cleanup_free_ char *raw = NULL;
        if (base64_decode(tok, strlen(tok), true, &raw, &len) < 0)
                return -EINVAL;
        _cleanup_json_ json *t = NULL;
        if (json_parse(raw, len, NULL, &t, NULL) < 0 || !json_is_object(t))
                return -EINVAL;
        const char *k = json_object_get_string(t, "start");
        int64_t rv = json_object_get_int(t, "rv", 0);
        if (!k || rv <= 0 || !streq_ptr(json_object_get_string(t, "v"), "meta.k8s.io/v1"))
                return -EINVAL;
        *ret_rev = rv;
        *ret_key = xstrdup(k);
        return 0;
}

/* A <Kind>List of `items_take` at `rev`, with a continue token if any. */
static int respond_list(reg *g, json *items_take, int64_t rev, const char *cont) {
        _cleanup_json_ json *list = json_new_object();
        _cleanup_free_ char *kind = xasprintf("%sList", g->res->kind);
        _cleanup_free_ char *av = api_version_of(g->res);
        json_object_set_string(list, "kind", kind);
        json_object_set_string(list, "apiVersion", av);
        json *md = json_new_object();
        char rv[32];
        snprintf(rv, sizeof rv, "%" PRId64, rev);
        json_object_set_string(md, "resourceVersion", rv);
        if (cont)
                json_object_set_string(md, "continue", cont);
        json_object_set(list, "metadata", md);
        json_object_set(list, "items", items_take);
        return respond_object(g, 200, list);
}

static int do_list(reg *g) {
        int answer = MHD_NO_ANSWER;
        _cleanup_(list_filter_done) list_filter f = { 0 };
        if (list_filter_parse(g, &f, &answer) < 0)
                return answer;

        const char *ns = g->res->namespaced ? g->ri->namespace_ : NULL;
        _cleanup_free_ char *prefix = key_prefix(g->res, ns);
        const char *limit_s = api_request_query(g->r, "limit");
        const char *cont = api_request_query(g->r, "continue");
        long long limit = limit_s ? atoll(limit_s) : 0;
        if (limit < 0)
                limit = 0;

        /* resourceVersion=0: any recent state will do, so the list comes
         * from the watch cache's memory (limit is ignored, as upstream's
         * cache does for rv=0). */
        const char *rvq = api_request_query(g->r, "resourceVersion");
        if (rvq && streq(rvq, "0") && !(cont && *cont)) {
                _cleanup_json_ json *cached = NULL;
                int64_t rev;
                _cleanup_error_ tm_error *err = NULL;
                if (watch_cache_list(g->r->srv, g->res, ns, f.labels, f.fields, &cached, &rev,
                                     &err) < 0)
                        return api_respond_status(g->r, status_internal_error(tm_error_msg(err)));
                return respond_list(g, TAKE_PTR(cached), rev, NULL);
        }

        int64_t at_rev = 0;
        _cleanup_free_ char *after = NULL;
        if (cont && *cont) {
                if (continue_decode(cont, &at_rev, &after) < 0 || !startswith(after, prefix))
                        return api_respond_status(
                                g->r, status_bad_request("continue key is not valid: the continue "
                                                         "token is malformed"));
        }

        _cleanup_json_ json *items = json_new_array();
        int64_t list_rev = 0;
        bool more = false;
        _cleanup_free_ char *last_key = NULL;
        /* Page through the store until `limit` objects matched the
         * selectors, as upstream's paging with filters does. */
        for (;;) {
                store_list_opts o = {
                        .prefix = prefix,
                        .after_key = after,
                        .revision = at_rev,
                        .limit = limit ? (size_t)(limit - (long long)json_array_len(items)) : 0,
                };
                if (limit && (f.labels || f.fields) && o.limit < 64)
                        o.limit = 64; /* read ahead: many may not match */
                _cleanup_(store_list_result_freep) store_list_result *lr = NULL;
                _cleanup_error_ tm_error *err = NULL;
                int q = store_list(g->st, &o, &lr, &err);
                if (q == -EIDRM) {
                        _cleanup_free_ char *m = xasprintf(
                                "The provided continue parameter is too old to display a "
                                "consistent "
                                "list result. You can start a new list without the continue "
                                "parameter, or use the continue token in this response to retrieve "
                                "the remainder of the results. Continuing with the provided token "
                                "results in an inconsistent list - objects that were created, "
                                "modified, or deleted between the time the first chunk was "
                                "returned "
                                "and now may show up in the list.");
                        return api_respond_status(g->r, status_expired(m));
                }
                if (q < 0)
                        return respond_store_error(g, q, NULL, err);
                list_rev = lr->revision;
                at_rev = lr->revision;
                size_t i;
                for (i = 0; i < lr->n_items; i++) {
                        store_kv *kv = &lr->items[i];
                        json *obj;
                        if (object_from_kv(kv->value, kv->value_len, kv->mod_revision, &obj) < 0)
                                continue;
                        free(last_key);
                        last_key = xstrdup(kv->key);
                        if (!list_filter_matches(&f, obj)) {
                                json_free(obj);
                                continue;
                        }
                        /* List items carry no kind/apiVersion, as upstream's. */
                        json_object_remove(obj, "kind");
                        json_object_remove(obj, "apiVersion");
                        json_array_append(items, obj);
                        if (limit && (long long)json_array_len(items) >= limit) {
                                i++;
                                break;
                        }
                }
                more = lr->more || i < lr->n_items;
                if (!more || (limit && (long long)json_array_len(items) >= limit))
                        break;
                free(after);
                after = xstrdup(last_key);
        }

        _cleanup_free_ char *tok =
                more && limit && last_key ? continue_encode(list_rev, last_key) : NULL;
        return respond_list(g, TAKE_PTR(items), list_rev, tok);
}

/* ---- create ---------------------------------------------------------------- */

/* The body of a create or update: decoded, of this resource's kind,
 * through field validation, and whether it is a dry run. */
static int decode_object(reg *g, json **ret, bool *ret_dry, int *ret_answer) {
        _cleanup_json_ json *obj = NULL;
        if (decode_body(g, &obj, ret_answer) < 0 ||
            check_type_meta(g, obj, g->res->kind, ret_answer) < 0 ||
            validate_fields(g, obj, ret_answer) < 0)
                return -EINVAL;
        bool dry = dry_run(g, ret_answer);
        if (*ret_answer != MHD_NO_ANSWER)
                return -EINVAL;
        *ret = TAKE_PTR(obj);
        *ret_dry = dry;
        return 0;
}

static int do_create(reg *g) {
        int answer = MHD_NO_ANSWER;
        _cleanup_json_ json *obj = NULL;
        bool dry;
        if (decode_object(g, &obj, &dry, &answer) < 0)
                return answer;

        json *md = json_object_get(obj, "metadata");
        if (md && !json_is_object(md))
                return api_respond_status(g->r, status_bad_request("metadata must be an object"));
        md = json_object_ensure_object(obj, "metadata");

        /* Namespace: from the URL; a different one in the body is an error. */
        const char *ns = g->ri->namespace_;
        if (g->res->namespaced) {
                const char *bns = json_object_get_string(md, "namespace");
                if (bns && *bns && ns && !streq(bns, ns))
                        return api_respond_status(
                                g->r,
                                status_bad_request("the namespace of the provided object does "
                                                   "not match the namespace sent on the request"));
                if (!ns) {
                        return api_respond_status(
                                g->r, status_not_found(g->res->group, g->res->plural, NULL));
                }
                json_object_set_string(md, "namespace", ns);
        } else {
                json_object_remove(md, "namespace");
                ns = NULL;
        }

        const char *rv = json_object_get_string(md, "resourceVersion");
        if (rv && *rv) {
                json *causes = json_new_array();
                status_add_cause(
                        causes, "FieldValueForbidden", "metadata.resourceVersion",
                        "Forbidden: resourceVersion should not be set on objects to be created");
                return api_respond_status(g->r, status_invalid(g->res->group, g->res->kind,
                                                               json_object_get_string(md, "name"),
                                                               causes));
        }

        const char *name = json_object_get_string(md, "name");
        const char *gen = json_object_get_string(md, "generateName");
        if ((!name || !*name) && gen && *gen) {
                _cleanup_free_ char *n = objmeta_generate_name(gen);
                json_object_set_string(md, "name", n);
                name = json_object_get_string(md, "name");
        }

        if (ns && check_namespace_open(g, ns, &answer) < 0)
                return answer;

        /* Defaults, then per-kind preparation, then validation. */
        strategy_prepare_for_create(g->res, obj);
        _cleanup_json_ json *causes = strategy_validate(g->res, obj, NULL);
        if (json_array_len(causes) > 0)
                return api_respond_status(g->r, status_invalid(g->res->group, g->res->kind,
                                                               json_object_get_string(md, "name"),
                                                               TAKE_PTR(causes)));
        name = json_object_get_string(md, "name");

        char uid[37], ts[32];
        objmeta_new_uid(uid);
        objmeta_format_time(time(NULL), ts);
        json_object_set_string(md, "uid", uid);
        json_object_set_string(md, "creationTimestamp", ts);
        json_object_remove(md, "deletionTimestamp");
        json_object_remove(md, "deletionGracePeriodSeconds");

        if (dry)
                return respond_object(g, 201, obj);

        _cleanup_free_ char *key = object_key(g->res, ns, name);
        size_t len;
        _cleanup_free_ char *val = object_to_stored(obj, &len);
        int64_t rev;
        _cleanup_error_ tm_error *err = NULL;
        int q = store_create(g->st, key, val, len, &rev, &err);
        if (q < 0)
                return respond_store_error(g, q, name, err);
        set_resource_version(obj, rev);
        return respond_object(g, 201, obj);
}

/* ---- update and patch -------------------------------------------------------- */

/* Controllers' change: an object marked for deletion whose finalizers are
 * all gone (metadata.finalizers, and spec.finalizers for a namespace) and
 * whose grace period is over is deleted by the write that empties them. */
static bool deletion_due(const struct schema_resource *res, const json *obj) {
        const json *md = json_object_get(obj, "metadata");
        if (!json_object_get(md, "deletionTimestamp") ||
            json_array_len(json_object_get(md, "finalizers")) > 0 ||
            json_object_get_int(md, "deletionGracePeriodSeconds", 0) > 0)
                return false;
        if (!*res->group && streq(res->plural, "namespaces") &&
            json_array_len(json_get(obj, "spec", "finalizers", NULL)) > 0)
                return false;
        return true;
}

/* Write `obj` (the new state) over the current one read at `cur_rev`, after
 * the strategy's update rules. Used by PUT and PATCH, on the main resource
 * and on status. */
static int write_update(reg *g, json *obj, const json *old, int64_t cur_rev, bool dry,
                        int *ret_answer) {
        const char *name = g->ri->name;
        const char *sub = g->ri->subresource;
        strategy_prepare_for_update(g->res, sub, obj, old);
        _cleanup_json_ json *causes = strategy_validate(g->res, obj, old);
        if (json_array_len(causes) > 0) {
                *ret_answer = api_respond_status(
                        g->r, status_invalid(g->res->group, g->res->kind, name, TAKE_PTR(causes)));
                return -EINVAL;
        }

        /* No change: no write, no new resourceVersion (as upstream). */
        _cleanup_json_ json *old_rv = json_copy(old);
        set_resource_version(old_rv, cur_rev);
        set_resource_version(obj, cur_rev);
        if (json_equal(obj, old_rv) || dry) {
                *ret_answer = respond_object(g, 200, obj);
                return 0;
        }

        _cleanup_free_ char *key = object_key(g->res, g->ri->namespace_, name);
        int64_t rev;
        _cleanup_error_ tm_error *err = NULL;
        /* Controllers' change: the last finalizer of an object marked for
         * deletion (with no grace period left) was removed, so it goes now,
         * as upstream's update does. */
        if (deletion_due(g->res, obj)) {
                int q = store_delete(g->st, key, cur_rev, &rev, NULL, &err);
                if (q == -ESTALE)
                        return q;
                if (q < 0) {
                        *ret_answer = respond_store_error(g, q, name, err);
                        return q;
                }
                set_resource_version(obj, rev);
                *ret_answer = respond_object(g, 200, obj);
                return 0;
        }
        size_t len;
        _cleanup_free_ char *val = object_to_stored(obj, &len);
        int q = store_update(g->st, key, val, len, cur_rev, &rev, &err);
        if (q == -ESTALE)
                return q; /* the caller decides: conflict or retry */
        if (q < 0) {
                *ret_answer = respond_store_error(g, q, name, err);
                return q;
        }
        set_resource_version(obj, rev);
        *ret_answer = respond_object(g, 200, obj);
        return 0;
}

static int read_current(reg *g, json **ret_obj, int64_t *ret_rev, int *ret_answer) {
        _cleanup_free_ char *key = object_key(g->res, g->ri->namespace_, g->ri->name);
        _cleanup_(store_kv_freep) store_kv *kv = NULL;
        _cleanup_error_ tm_error *err = NULL;
        int q = store_get(g->st, key, &kv, &err);
        if (q < 0) {
                *ret_answer = respond_store_error(g, q, g->ri->name, err);
                return q;
        }
        json *obj;
        if (json_parse(kv->value, kv->value_len, NULL, &obj, NULL) < 0) {
                *ret_answer =
                        api_respond_status(g->r, status_internal_error("stored object is corrupt"));
                return -EIO;
        }
        *ret_obj = obj;
        *ret_rev = kv->mod_revision;
        return 0;
}

static int do_update(reg *g) {
        int answer = MHD_NO_ANSWER;
        _cleanup_json_ json *obj = NULL;
        bool dry;
        if (decode_object(g, &obj, &dry, &answer) < 0)
                return answer;
        json *md = json_object_ensure_object(obj, "metadata");
        const char *bname = json_object_get_string(md, "name");
        if (!bname || !streq(bname, g->ri->name)) {
                _cleanup_free_ char *m = xasprintf(
                        "the name of the object (%s) does not match the name on the URL (%s)",
                        bname ? bname : "", g->ri->name);
                return api_respond_status(g->r, status_bad_request(m));
        }
        if (g->res->namespaced) {
                const char *bns = json_object_get_string(md, "namespace");
                if (bns && *bns && !streq(bns, g->ri->namespace_))
                        return api_respond_status(
                                g->r,
                                status_bad_request("the namespace of the provided object does "
                                                   "not match the namespace sent on the request"));
                json_object_set_string(md, "namespace", g->ri->namespace_);
        }

        _cleanup_json_ json *old = NULL;
        int64_t cur_rev;
        if (read_current(g, &old, &cur_rev, &answer) < 0)
                return answer;
        const char *rv = json_object_get_string(md, "resourceVersion");
        if (rv && *rv) {
                char *end;
                long long want = strtoll(rv, &end, 10);
                if (*end || want <= 0) {
                        json *causes = json_new_array();
                        _cleanup_free_ char *m = xasprintf(
                                "Invalid value: \"%s\": must be a valid resourceVersion", rv);
                        status_add_cause(causes, "FieldValueInvalid", "metadata.resourceVersion",
                                         m);
                        return api_respond_status(g->r, status_invalid(g->res->group, g->res->kind,
                                                                       g->ri->name, causes));
                }
                if (want != cur_rev)
                        return api_respond_status(
                                g->r,
                                status_conflict(g->res->group, g->res->plural, g->ri->name, NULL));
        }
        int q = write_update(g, obj, old, cur_rev, dry, &answer);
        if (q == -ESTALE)
                return api_respond_status(
                        g->r, status_conflict(g->res->group, g->res->plural, g->ri->name, NULL));
        return answer;
}

/* Controllers' change: PUT namespaces/NAME/finalize replaces spec.finalizers
 * (the namespace controller removes "kubernetes" there once the namespace is
 * empty); nothing else of the body is used. */
static int do_finalize(reg *g) {
        int answer = MHD_NO_ANSWER;
        _cleanup_json_ json *body = NULL;
        if (decode_body(g, &body, &answer) < 0)
                return answer;
        if (check_type_meta(g, body, g->res->kind, &answer) < 0)
                return answer;
        bool dry = dry_run(g, &answer);
        if (answer != MHD_NO_ANSWER)
                return answer;
        const char *bname = json_get_str(body, "metadata", "name", NULL);
        if (!bname || !streq(bname, g->ri->name)) {
                _cleanup_free_ char *m = xasprintf(
                        "the name of the object (%s) does not match the name on the URL (%s)",
                        bname ? bname : "", g->ri->name);
                return api_respond_status(g->r, status_bad_request(m));
        }
        const json *fin = json_get(body, "spec", "finalizers", NULL);
        if (fin && !json_is_array(fin))
                return api_respond_status(
                        g->r, status_bad_request("spec.finalizers must be a list of strings"));
        for (size_t i = 0; i < json_array_len(fin); i++)
                if (!json_is_string(json_array_get(fin, i)))
                        return api_respond_status(
                                g->r,
                                status_bad_request("spec.finalizers must be a list of strings"));
        const char *rv = json_get_str(body, "metadata", "resourceVersion", NULL);
        for (int attempt = 0; attempt < 5; attempt++) {
                _cleanup_json_ json *old = NULL;
                int64_t cur_rev;
                if (read_current(g, &old, &cur_rev, &answer) < 0)
                        return answer;
                if (rv && *rv && strtoll(rv, NULL, 10) != cur_rev)
                        return api_respond_status(
                                g->r,
                                status_conflict(g->res->group, g->res->plural, g->ri->name, NULL));
                _cleanup_json_ json *obj = json_copy(old);
                json *spec = json_object_ensure_object(obj, "spec");
                if (json_array_len(fin) > 0)
                        json_object_set(spec, "finalizers", json_copy(fin));
                else
                        json_object_remove(spec, "finalizers");
                if (json_equal(obj, old) || dry) {
                        set_resource_version(obj, cur_rev);
                        return respond_object(g, 200, obj);
                }
                _cleanup_free_ char *key = object_key(g->res, NULL, g->ri->name);
                _cleanup_error_ tm_error *err = NULL;
                int64_t rev;
                int q;
                if (deletion_due(g->res, obj)) {
                        q = store_delete(g->st, key, cur_rev, &rev, NULL, &err);
                } else {
                        size_t len;
                        _cleanup_free_ char *val = object_to_stored(obj, &len);
                        q = store_update(g->st, key, val, len, cur_rev, &rev, &err);
                }
                if (q == -ESTALE)
                        continue;
                if (q < 0)
                        return respond_store_error(g, q, g->ri->name, err);
                set_resource_version(obj, rev);
                return respond_object(g, 200, obj);
        }
        return api_respond_status(
                g->r, status_conflict(g->res->group, g->res->plural, g->ri->name, NULL));
}

static int do_patch(reg *g) {
        int answer = MHD_NO_ANSWER;
        const char *ct = api_request_header(g->r, "Content-Type");
        enum patch_type pt = patch_type_from_content_type(ct);
        if (pt < 0) {
                /* Server-side apply (application/apply-patch+yaml) is later
                 * work: a 415 naming what is accepted makes kubectl say so. */
                _cleanup_free_ char *m = xasprintf(
                        "the body of the request was in an unknown format - accepted media types "
                        "include: application/json-patch+json, application/merge-patch+json, "
                        "application/strategic-merge-patch+json");
                return api_respond_status(g->r,
                                          status_failure(415, "UnsupportedMediaType", m, NULL));
        }
        bool dry = dry_run(g, &answer);
        if (answer != MHD_NO_ANSWER)
                return answer;

        _cleanup_json_ json *patch = NULL;
        _cleanup_error_ tm_error *err = NULL;
        if (json_parse(g->r->body.data ? g->r->body.data : "", g->r->body.len, NULL, &patch, &err) <
            0) {
                _cleanup_free_ char *m = xasprintf("error decoding patch: %s", tm_error_msg(err));
                return api_respond_status(g->r, status_bad_request(m));
        }

        /* Apply to the current object; on a concurrent write, read again and
         * re-apply (upstream retries the same way). */
        for (int attempt = 0; attempt < 5; attempt++) {
                _cleanup_json_ json *old = NULL;
                int64_t cur_rev;
                if (read_current(g, &old, &cur_rev, &answer) < 0)
                        return answer;
                _cleanup_json_ json *cur = json_copy(old);
                set_resource_version(cur, cur_rev);
                _cleanup_json_ json *patched = NULL;
                tm_error_free(err);
                err = NULL;
                int q = patch_apply(pt, cur, patch, g->res->type, &patched, &err);
                if (q < 0) {
                        int code = patch_error_http_status(q);
                        if (code == 500)
                                return api_respond_status(g->r,
                                                          status_internal_error(tm_error_msg(err)));
                        return api_respond_status(g->r, status_failure(code, patch_error_reason(q),
                                                                       tm_error_msg(err), NULL));
                }
                if (!json_is_object(patched))
                        return api_respond_status(
                                g->r, status_bad_request("the patch did not produce an object"));
                if (check_type_meta(g, patched, g->res->kind, &answer) < 0)
                        return answer;
                json *md = json_object_ensure_object(patched, "metadata");
                if (!streq_ptr(json_object_get_string(md, "name"), g->ri->name))
                        return api_respond_status(
                                g->r, status_bad_request("metadata.name: the name of an object "
                                                         "cannot be changed by a patch"));
                /* A resourceVersion in the patch is a precondition. */
                const char *prv = json_object_get_string(md, "resourceVersion");
                char cur_rv[32];
                snprintf(cur_rv, sizeof cur_rv, "%" PRId64, cur_rev);
                if (prv && !streq(prv, cur_rv))
                        return api_respond_status(
                                g->r,
                                status_conflict(g->res->group, g->res->plural, g->ri->name, NULL));
                q = write_update(g, patched, old, cur_rev, dry, &answer);
                if (q != -ESTALE)
                        return answer;
        }
        return api_respond_status(
                g->r, status_conflict(g->res->group, g->res->plural, g->ri->name, NULL));
}

/* ---- delete ------------------------------------------------------------------ */

/* DeleteOptions from the body (and the query, as kubectl sends both ways). */
typedef struct delete_opts {
        int64_t grace;           /* -1: the object's own */
        const char *propagation; /* NULL: the resource's default */
        const char *precond_uid;
        const char *precond_rv;
        json *body;
} delete_opts;

static int parse_delete_opts(reg *g, delete_opts *o, int *ret_answer) {
        *o = (delete_opts){ .grace = -1 };
        if (g->r->body.len) {
                _cleanup_error_ tm_error *err = NULL;
                if (json_parse(g->r->body.data, g->r->body.len, NULL, &o->body, &err) < 0 ||
                    !json_is_object(o->body)) {
                        _cleanup_free_ char *m =
                                xasprintf("invalid DeleteOptions: %s",
                                          err ? tm_error_msg(err) : "not an object");
                        *ret_answer = api_respond_status(g->r, status_bad_request(m));
                        return -EINVAL;
                }
                json *gp = json_object_get(o->body, "gracePeriodSeconds");
                if (json_is_int(gp))
                        o->grace = json_int(gp);
                o->propagation = json_object_get_string(o->body, "propagationPolicy");
                if (json_object_get_bool(o->body, "orphanDependents", false))
                        o->propagation = "Orphan";
                o->precond_uid = json_get_str(o->body, "preconditions", "uid", NULL);
                o->precond_rv = json_get_str(o->body, "preconditions", "resourceVersion", NULL);
        }
        const char *q = api_request_query(g->r, "gracePeriodSeconds");
        if (q)
                o->grace = atoll(q);
        q = api_request_query(g->r, "propagationPolicy");
        if (q)
                o->propagation = q;
        if (o->propagation && !streq(o->propagation, "Orphan") &&
            !streq(o->propagation, "Background") && !streq(o->propagation, "Foreground")) {
                json *causes = json_new_array();
                _cleanup_free_ char *m =
                        xasprintf("Unsupported value: \"%s\": supported values: \"Foreground\", "
                                  "\"Background\", \"Orphan\", \"nil\"",
                                  o->propagation);
                status_add_cause(causes, "FieldValueNotSupported", "propagationPolicy", m);
                *ret_answer = api_respond_status(
                        g->r, status_invalid("meta.k8s.io", "DeleteOptions", "", causes));
                return -EINVAL;
        }
        return 0;
}

static void finalizer_add(json *md, const char *f) {
        json *fin = json_object_get(md, "finalizers");
        if (!json_is_array(fin)) {
                fin = json_new_array();
                json_object_set(md, "finalizers", fin);
        }
        for (size_t i = 0; i < json_array_len(fin); i++)
                if (streq_ptr(json_string(json_array_get(fin, i)), f))
                        return;
        json_array_append(fin, json_new_string(f));
}

/* Delete one object. *ret_deleted says whether it is gone now (else it is
 * marked for deletion: finalizers, graceful pod deletion). Answers only on
 * error. */
static int delete_one(reg *g, const char *ns, const char *name, const delete_opts *o, bool dry,
                      json **ret_obj, bool *ret_deleted, int *ret_answer) {
        _cleanup_free_ char *key = object_key(g->res, ns, name);
        for (int attempt = 0; attempt < 5; attempt++) {
                _cleanup_(store_kv_freep) store_kv *kv = NULL;
                _cleanup_error_ tm_error *err = NULL;
                int q = store_get(g->st, key, &kv, &err);
                if (q < 0) {
                        *ret_answer = respond_store_error(g, q, name, err);
                        return q;
                }
                _cleanup_json_ json *obj = NULL;
                if (json_parse(kv->value, kv->value_len, NULL, &obj, NULL) < 0) {
                        *ret_answer = api_respond_status(
                                g->r, status_internal_error("stored object is corrupt"));
                        return -EIO;
                }
                json *md = json_object_ensure_object(obj, "metadata");
                char cur_rv[32];
                snprintf(cur_rv, sizeof cur_rv, "%" PRId64, kv->mod_revision);
                if (o->precond_uid &&
                    !streq_ptr(o->precond_uid, json_object_get_string(md, "uid"))) {
                        _cleanup_free_ char *m =
                                xasprintf("Precondition failed: UID in precondition: %s, UID in "
                                          "object meta: %s",
                                          o->precond_uid, json_object_get_string(md, "uid") ?: "");
                        *ret_answer = api_respond_status(
                                g->r, status_conflict(g->res->group, g->res->plural, name, m));
                        return -ESTALE;
                }
                if (o->precond_rv && !streq(o->precond_rv, cur_rv)) {
                        _cleanup_free_ char *m = xasprintf(
                                "Precondition failed: ResourceVersion in precondition: %s, "
                                "ResourceVersion in object meta: %s",
                                o->precond_rv, cur_rv);
                        *ret_answer = api_respond_status(
                                g->r, status_conflict(g->res->group, g->res->plural, name, m));
                        return -ESTALE;
                }

                /* What keeps the object: its finalizers, a propagation
                 * policy that needs the collector, a graceful pod. */
                bool changed = false;
                if (o->propagation && streq(o->propagation, "Orphan")) {
                        finalizer_add(md, "orphan");
                        changed = true;
                } else if (o->propagation && streq(o->propagation, "Foreground")) {
                        finalizer_add(md, "foregroundDeletion");
                        changed = true;
                }
                int64_t grace = strategy_grace_period(g->res, obj, o->grace);
                bool has_finalizers = json_array_len(json_object_get(md, "finalizers")) > 0;
                bool was_marked = json_object_get(md, "deletionTimestamp") != NULL;
                if (strategy_on_delete(g->res, obj))
                        has_finalizers = true, changed = true;

                if (!has_finalizers && grace == 0) {
                        set_resource_version(obj, kv->mod_revision);
                        if (!dry) {
                                int64_t rev;
                                q = store_delete(g->st, key, kv->mod_revision, &rev, NULL, &err);
                                if (q == -ESTALE)
                                        continue;
                                if (q < 0) {
                                        *ret_answer = respond_store_error(g, q, name, err);
                                        return q;
                                }
                        }
                        *ret_obj = TAKE_PTR(obj);
                        *ret_deleted = true;
                        return 0;
                }
                if (!was_marked) {
                        char ts[32];
                        objmeta_format_time(time(NULL) + (grace > 0 ? grace : 0), ts);
                        json_object_set_string(md, "deletionTimestamp", ts);
                        json_object_set_int(md, "deletionGracePeriodSeconds",
                                            grace > 0 ? grace : 0);
                        changed = true;
                } else if (grace >= 0 &&
                           grace < json_object_get_int(md, "deletionGracePeriodSeconds", 0)) {
                        /* A shorter grace period may be asked for later. */
                        char ts[32];
                        objmeta_format_time(time(NULL) + grace, ts);
                        json_object_set_string(md, "deletionTimestamp", ts);
                        json_object_set_int(md, "deletionGracePeriodSeconds", grace);
                        changed = true;
                }
                int64_t rev = kv->mod_revision;
                if (changed && !dry) {
                        size_t len;
                        _cleanup_free_ char *val = object_to_stored(obj, &len);
                        q = store_update(g->st, key, val, len, kv->mod_revision, &rev, &err);
                        if (q == -ESTALE)
                                continue;
                        if (q < 0) {
                                *ret_answer = respond_store_error(g, q, name, err);
                                return q;
                        }
                }
                set_resource_version(obj, rev);
                *ret_obj = TAKE_PTR(obj);
                *ret_deleted = false;
                return 0;
        }
        *ret_answer = api_respond_status(
                g->r, status_conflict(g->res->group, g->res->plural, name, NULL));
        return -ESTALE;
}

static int do_delete(reg *g) {
        int answer = MHD_NO_ANSWER;
        if (!*g->res->group && streq(g->res->plural, "namespaces") &&
            (streq(g->ri->name, "default") || streq(g->ri->name, "kube-system") ||
             streq(g->ri->name, "kube-public"))) {
                _cleanup_free_ char *m = xasprintf(
                        "namespaces \"%s\" is forbidden: this namespace may not be deleted",
                        g->ri->name);
                json *d = json_new_object();
                json_object_set_string(d, "name", g->ri->name);
                json_object_set_string(d, "kind", "namespaces");
                return api_respond_status(g->r, status_failure(403, "Forbidden", m, d));
        }
        delete_opts o;
        if (parse_delete_opts(g, &o, &answer) < 0)
                return answer;
        _cleanup_json_ json *body = o.body;
        bool dry = dry_run(g, &answer);
        if (answer != MHD_NO_ANSWER)
                return answer;
        _cleanup_json_ json *obj = NULL;
        bool deleted;
        if (delete_one(g, g->ri->namespace_, g->ri->name, &o, dry, &obj, &deleted, &answer) < 0)
                return answer;
        if (!deleted)
                return respond_object(g, 200, obj);
        /* Gone: a Success Status naming it, as upstream answers. */
        json *st = status_success();
        json *d = json_new_object();
        json_object_set_string(d, "name", g->ri->name);
        if (*g->res->group)
                json_object_set_string(d, "group", g->res->group);
        json_object_set_string(d, "kind", g->res->plural);
        const char *uid = json_get_str(obj, "metadata", "uid", NULL);
        if (uid)
                json_object_set_string(d, "uid", uid);
        json_object_set(st, "details", d);
        return api_respond_status(g->r, st);
}

static int do_delete_collection(reg *g) {
        int answer = MHD_NO_ANSWER;
        _cleanup_(list_filter_done) list_filter f = { 0 };
        if (list_filter_parse(g, &f, &answer) < 0)
                return answer;
        delete_opts o;
        if (parse_delete_opts(g, &o, &answer) < 0)
                return answer;
        _cleanup_json_ json *body = o.body;
        bool dry = dry_run(g, &answer);
        if (answer != MHD_NO_ANSWER)
                return answer;
        const char *ns = g->res->namespaced ? g->ri->namespace_ : NULL;
        _cleanup_free_ char *prefix = key_prefix(g->res, ns);
        store_list_opts lo = { .prefix = prefix };
        _cleanup_(store_list_result_freep) store_list_result *lr = NULL;
        _cleanup_error_ tm_error *err = NULL;
        int q = store_list(g->st, &lo, &lr, &err);
        if (q < 0)
                return respond_store_error(g, q, NULL, err);
        _cleanup_json_ json *items = json_new_array();
        for (size_t i = 0; i < lr->n_items; i++) {
                _cleanup_json_ json *cur = NULL;
                if (object_from_kv(lr->items[i].value, lr->items[i].value_len,
                                   lr->items[i].mod_revision, &cur) < 0 ||
                    !list_filter_matches(&f, cur))
                        continue;
                const char *name = json_get_str(cur, "metadata", "name", NULL);
                const char *ons = json_get_str(cur, "metadata", "namespace", NULL);
                json *obj = NULL;
                bool deleted;
                int a = MHD_NO_ANSWER;
                q = delete_one(g, ons, name, &o, dry, &obj, &deleted, &a);
                if (q == -ENOENT)
                        continue; /* deleted meanwhile */
                if (q < 0)
                        return a;
                json_object_remove(obj, "kind");
                json_object_remove(obj, "apiVersion");
                json_array_append(items, obj);
        }
        _cleanup_json_ json *list = json_new_object();
        _cleanup_free_ char *kind = xasprintf("%sList", g->res->kind);
        _cleanup_free_ char *av = api_version_of(g->res);
        json_object_set_string(list, "kind", kind);
        json_object_set_string(list, "apiVersion", av);
        json_object_set(list, "metadata", json_new_object());
        json_object_set(list, "items", TAKE_PTR(items));
        return respond_object(g, 200, list);
}

/* ---- subresources -------------------------------------------------------------- */

/* POST pods/<name>/binding (and POST .../bindings): set spec.nodeName once. */
static int do_binding(reg *g, const char *pod_name) {
        int answer = MHD_NO_ANSWER;
        _cleanup_json_ json *b = NULL;
        if (decode_body(g, &b, &answer) < 0)
                return answer;
        const char *node = json_get_str(b, "target", "name", NULL);
        const char *kind = json_get_str(b, "target", "kind", NULL);
        if (!node || !*node) {
                json *causes = json_new_array();
                status_add_cause(causes, "FieldValueRequired", "target.name", "Required value");
                return api_respond_status(g->r, status_invalid("", "Binding", pod_name, causes));
        }
        if (kind && *kind && !streq(kind, "Node")) {
                json *causes = json_new_array();
                _cleanup_free_ char *m =
                        xasprintf("Unsupported value: \"%s\": supported values: \"Node\"", kind);
                status_add_cause(causes, "FieldValueNotSupported", "target.kind", m);
                return api_respond_status(g->r, status_invalid("", "Binding", pod_name, causes));
        }
        _cleanup_free_ char *key = object_key(g->res, g->ri->namespace_, pod_name);
        for (int attempt = 0; attempt < 5; attempt++) {
                _cleanup_(store_kv_freep) store_kv *kv = NULL;
                _cleanup_error_ tm_error *err = NULL;
                int q = store_get(g->st, key, &kv, &err);
                if (q < 0)
                        return respond_store_error(g, q, pod_name, err);
                _cleanup_json_ json *pod = NULL;
                if (json_parse(kv->value, kv->value_len, NULL, &pod, NULL) < 0)
                        return api_respond_status(
                                g->r, status_internal_error("stored object is corrupt"));
                if (json_get(pod, "metadata", "deletionTimestamp", NULL)) {
                        _cleanup_free_ char *m = xasprintf(
                                "pod %s is being deleted, cannot be assigned to a host", pod_name);
                        return api_respond_status(g->r, status_conflict("", "pods", pod_name, m));
                }
                const char *cur = json_get_str(pod, "spec", "nodeName", NULL);
                if (cur && *cur) {
                        _cleanup_free_ char *m = xasprintf(
                                "pod %s is already assigned to node \"%s\"", pod_name, cur);
                        return api_respond_status(g->r, status_conflict("", "pods", pod_name, m));
                }
                json_object_set_string(json_object_ensure_object(pod, "spec"), "nodeName", node);
                strategy_on_binding(pod);
                size_t len;
                _cleanup_free_ char *val = object_to_stored(pod, &len);
                int64_t rev;
                q = store_update(g->st, key, val, len, kv->mod_revision, &rev, &err);
                if (q == -ESTALE)
                        continue;
                if (q < 0)
                        return respond_store_error(g, q, pod_name, err);
                _cleanup_json_ json *st = status_success();
                json_object_set_int(st, "code", 201);
                return api_respond_json(g->r, 201, st);
        }
        return api_respond_status(g->r, status_conflict("", "pods", pod_name, NULL));
}

/* ---- eviction ------------------------------------------------------------------ */

/* The disruption budgets of `pod`'s namespace that select it: one of them
 * forbids the eviction (*ret_blocked names it), or each allows one, and
 * each then records it (disruptionsAllowed - 1, disruptedPods[pod]) with a
 * revision-guarded write, as upstream does, so that evictions racing
 * each other cannot both pass. Returns -ESTALE when a budget changed under
 * us (the caller retries), 0 otherwise. */
static int eviction_take_budgets(reg *g, const json *pod, bool dry, char **ret_blocked) {
        _cleanup_free_ char *prefix =
                xasprintf("/registry/poddisruptionbudgets.policy/%s/", g->ri->namespace_);
        store_list_opts o = { .prefix = prefix };
        _cleanup_(store_list_result_freep) store_list_result *lr = NULL;
        int q = store_list(g->st, &o, &lr, NULL);
        if (q < 0)
                return q;
        const json *labels = json_get(pod, "metadata", "labels", NULL);
        const char *pod_name = json_get_str(pod, "metadata", "name", NULL);
        /* First decide, then write: a blocked eviction takes nothing. */
        bool *selects = xcalloc(lr->n_items ? lr->n_items : 1, sizeof *selects);
        json **pdbs = xcalloc(lr->n_items ? lr->n_items : 1, sizeof *pdbs);
        int r = 0;
        for (size_t i = 0; i < lr->n_items && r == 0; i++) {
                if (json_parse(lr->items[i].value, lr->items[i].value_len, NULL, &pdbs[i], NULL) <
                    0)
                        continue;
                label_selector *sel = NULL;
                if (label_selector_from_json(json_get(pdbs[i], "spec", "selector", NULL), &sel,
                                             NULL) < 0)
                        continue;
                selects[i] = !label_selector_matches_nothing(sel) &&
                             label_selector_matches_json(sel, labels);
                label_selector_free(sel);
                /* The disruption controller keeps disruptionsAllowed; until it
                 * has counted (no status), nothing may be evicted, as upstream. */
                if (selects[i] && json_object_get_int(json_object_get(pdbs[i], "status"),
                                                      "disruptionsAllowed", 0) <= 0) {
                        *ret_blocked =
                                xstrdup(json_get_str(pdbs[i], "metadata", "name", NULL) ?: "");
                        r = 1;
                }
        }
        for (size_t i = 0; i < lr->n_items && r == 0 && !dry; i++) {
                if (!selects[i])
                        continue;
                json *st = json_object_ensure_object(pdbs[i], "status");
                json_object_set_int(st, "disruptionsAllowed",
                                    json_object_get_int(st, "disruptionsAllowed", 0) - 1);
                char ts[32];
                objmeta_format_time(time(NULL), ts);
                json_object_set_string(json_object_ensure_object(st, "disruptedPods"), pod_name,
                                       ts);
                size_t len;
                _cleanup_free_ char *val = object_to_stored(pdbs[i], &len);
                q = store_update(g->st, lr->items[i].key, val, len, lr->items[i].mod_revision, NULL,
                                 NULL);
                if (q < 0)
                        r = q == -ESTALE || q == -ENOENT ? -ESTALE : q;
        }
        for (size_t i = 0; i < lr->n_items; i++)
                json_free(pdbs[i]);
        free(pdbs);
        free(selects);
        return r;
}

/* POST pods/<name>/eviction: a delete that honours disruption budgets. */
static int do_eviction(reg *g) {
        int answer = MHD_NO_ANSWER;
        _cleanup_json_ json *ev = NULL;
        if (decode_body(g, &ev, &answer) < 0)
                return answer;
        const char *n = json_get_str(ev, "metadata", "name", NULL);
        if (n && !streq(n, g->ri->name))
                return api_respond_status(
                        g->r,
                        status_bad_request("name in URL does not match name in Eviction object"));
        bool dry = dry_run(g, &answer);
        if (answer != MHD_NO_ANSWER)
                return answer;
        _cleanup_json_ json *pod = NULL;
        int64_t rev;
        if (read_current(g, &pod, &rev, &answer) < 0)
                return answer;
        /* A pod that is done, or already going, needs no budget. */
        const char *phase = json_get_str(pod, "status", "phase", NULL);
        bool exempt = streq_ptr(phase, "Succeeded") || streq_ptr(phase, "Failed") ||
                      streq_ptr(phase, "Pending") ||
                      json_get(pod, "metadata", "deletionTimestamp", NULL);
        _cleanup_free_ char *pdb = NULL;
        int q = 0;
        for (int attempt = 0; !exempt && attempt < 5; attempt++) {
                q = eviction_take_budgets(g, pod, dry, &pdb);
                if (q != -ESTALE)
                        break;
        }
        if (q == -ESTALE)
                return api_respond_status(g->r,
                                          status_conflict("policy", "poddisruptionbudgets", "",
                                                          "the budget kept changing; try again"));
        if (q < 0)
                return api_respond_status(
                        g->r, status_internal_error("reading the disruption budgets failed"));
        if (q > 0) {
                _cleanup_free_ char *m = xasprintf(
                        "Cannot evict pod as it would violate the pod's disruption budget.");
                json *d = json_new_object();
                json *causes = json_new_array();
                json *c = json_new_object();
                json_object_set_string(c, "reason", "DisruptionBudget");
                _cleanup_free_ char *cm = xasprintf(
                        "The disruption budget %s needs more healthy pods to allow the eviction",
                        pdb);
                json_object_set_string(c, "message", cm);
                json_array_append(causes, c);
                json_object_set(d, "causes", causes);
                return api_respond_status(g->r, status_failure(429, "TooManyRequests", m, d));
        }
        delete_opts o = { .grace = -1 };
        json *gp = json_get(ev, "deleteOptions", "gracePeriodSeconds", NULL);
        if (json_is_int(gp))
                o.grace = json_int(gp);
        _cleanup_json_ json *obj = NULL;
        bool deleted;
        if (delete_one(g, g->ri->namespace_, g->ri->name, &o, dry, &obj, &deleted, &answer) < 0)
                return answer;
        _cleanup_json_ json *st = status_success();
        json_object_set_int(st, "code", 201);
        return api_respond_json(g->r, 201, st);
}

/* ---- scale ------------------------------------------------------------------------ */

/* The autoscaling/v1 Scale view of a workload. */
static json *scale_of(const json *obj, int64_t rev) {
        json *sc = json_new_object();
        json_object_set_string(sc, "kind", "Scale");
        json_object_set_string(sc, "apiVersion", "autoscaling/v1");
        json *md = json_new_object();
        const json *omd = json_object_get(obj, "metadata");
        static const char *const keep[] = { "name", "namespace", "uid", "creationTimestamp" };
        for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
                const json *v = json_object_get(omd, keep[i]);
                if (v)
                        json_object_set(md, keep[i], json_copy(v));
        }
        json_object_set(sc, "metadata", md);
        set_resource_version(sc, rev);
        json *spec = json_new_object();
        json_object_set_int(spec, "replicas",
                            json_object_get_int(json_object_get(obj, "spec"), "replicas", 1));
        json_object_set(sc, "spec", spec);
        json *st = json_new_object();
        json_object_set_int(st, "replicas",
                            json_object_get_int(json_object_get(obj, "status"), "replicas", 0));
        const json *sel = json_get(obj, "spec", "selector", NULL);
        _cleanup_free_ char *sels = NULL;
        if (json_is_object(sel) &&
            (json_object_get(sel, "matchLabels") || json_object_get(sel, "matchExpressions"))) {
                label_selector *ls = NULL;
                if (label_selector_from_json(sel, &ls, NULL) >= 0) {
                        sels = label_selector_to_string(ls);
                        label_selector_free(ls);
                }
        } else if (json_is_object(sel)) {
                /* ReplicationController: a plain map */
                _cleanup_json_ json *wrapped = json_new_object();
                json_object_set(wrapped, "matchLabels", json_copy(sel));
                label_selector *ls = NULL;
                if (label_selector_from_json(wrapped, &ls, NULL) >= 0) {
                        sels = label_selector_to_string(ls);
                        label_selector_free(ls);
                }
        }
        if (sels && *sels)
                json_object_set_string(st, "selector", sels);
        json_object_set(sc, "status", st);
        return sc;
}

static int do_scale(reg *g) {
        int answer = MHD_NO_ANSWER;
        bool dry = dry_run(g, &answer);
        if (answer != MHD_NO_ANSWER)
                return answer;
        _cleanup_json_ json *patch = NULL;
        _cleanup_json_ json *body = NULL;
        enum patch_type pt = _PATCH_TYPE_INVALID;
        if (g->ri->verb == VERB_PATCH) {
                pt = patch_type_from_content_type(api_request_header(g->r, "Content-Type"));
                if (pt < 0)
                        return api_respond_status(g->r, status_unsupported_media_type(NULL));
                _cleanup_error_ tm_error *err = NULL;
                if (json_parse(g->r->body.data ? g->r->body.data : "", g->r->body.len, NULL, &patch,
                               &err) < 0) {
                        _cleanup_free_ char *m =
                                xasprintf("error decoding patch: %s", tm_error_msg(err));
                        return api_respond_status(g->r, status_bad_request(m));
                }
        } else if (g->ri->verb == VERB_UPDATE) {
                if (decode_body(g, &body, &answer) < 0)
                        return answer;
        }
        for (int attempt = 0; attempt < 5; attempt++) {
                _cleanup_json_ json *old = NULL;
                int64_t cur_rev;
                if (read_current(g, &old, &cur_rev, &answer) < 0)
                        return answer;
                _cleanup_json_ json *sc = scale_of(old, cur_rev);
                if (g->ri->verb == VERB_GET)
                        return respond_object(g, 200, sc);
                _cleanup_json_ json *want = NULL;
                if (patch) {
                        _cleanup_error_ tm_error *err = NULL;
                        int q = patch_apply(pt, sc, patch,
                                            schema_type_by_gvk("autoscaling", "v1", "Scale"), &want,
                                            &err);
                        if (q < 0)
                                return api_respond_status(g->r,
                                                          status_failure(patch_error_http_status(q),
                                                                         patch_error_reason(q),
                                                                         tm_error_msg(err), NULL));
                } else
                        want = json_copy(body);
                const char *rv = json_get_str(want, "metadata", "resourceVersion", NULL);
                char cur_rv[32];
                snprintf(cur_rv, sizeof cur_rv, "%" PRId64, cur_rev);
                if (rv && *rv && !streq(rv, cur_rv))
                        return api_respond_status(
                                g->r,
                                status_conflict(g->res->group, g->res->plural, g->ri->name, NULL));
                json *replicas = json_get(want, "spec", "replicas", NULL);
                if (!json_is_int(replicas) || json_int(replicas) < 0) {
                        json *causes = json_new_array();
                        status_add_cause(
                                causes,
                                json_is_int(replicas) ? "FieldValueInvalid" : "FieldValueRequired",
                                "spec.replicas",
                                json_is_int(replicas)
                                        ? "Invalid value: must be greater than or equal to 0"
                                        : "Required value");
                        return api_respond_status(
                                g->r, status_invalid("autoscaling", "Scale", g->ri->name, causes));
                }
                _cleanup_json_ json *obj = json_copy(old);
                json_object_set_int(json_object_ensure_object(obj, "spec"), "replicas",
                                    json_int(replicas));
                /* A scale is a main-resource update without a body's say on
                 * anything else. */
                strategy_prepare_for_update(g->res, NULL, obj, old);
                set_resource_version(obj, cur_rev);
                if (dry || json_equal(json_get(obj, "spec", NULL), json_get(old, "spec", NULL))) {
                        json_free(sc);
                        sc = scale_of(obj, cur_rev);
                        return respond_object(g, 200, sc);
                }
                _cleanup_free_ char *key = object_key(g->res, g->ri->namespace_, g->ri->name);
                size_t len;
                _cleanup_free_ char *val = object_to_stored(obj, &len);
                int64_t rev;
                _cleanup_error_ tm_error *err = NULL;
                int q = store_update(g->st, key, val, len, cur_rev, &rev, &err);
                if (q == -ESTALE)
                        continue;
                if (q < 0)
                        return respond_store_error(g, q, g->ri->name, err);
                json_free(sc);
                sc = scale_of(obj, rev);
                return respond_object(g, 200, sc);
        }
        return api_respond_status(
                g->r, status_conflict(g->res->group, g->res->plural, g->ri->name, NULL));
}

/* ---- dispatch ------------------------------------------------------------------ */

static void reg_done(reg *g) {
        strv_free(g->duplicates);
}

static bool verb_allowed(const char *const *verbs, const char *verb) {
        return schema_strv_contains(verbs, verb);
}

int registry_handle(api_request *r, const request_info *ri) {
        _cleanup_(reg_done) reg g = { .r = r, .ri = ri, .st = r->srv->store };
        g.res = schema_resource_lookup(ri->group, ri->version, ri->resource);
        if (!g.res || (!g.res->namespaced && ri->namespace_ && !streq(ri->resource, "namespaces")))
                return api_respond_status(
                        r,
                        status_failure(404, "NotFound",
                                       "the server could not find the requested resource", NULL));
        const char *verb = request_verb_to_string(ri->verb);

        if (ri->subresource) {
                const struct schema_subresource *sub =
                        schema_subresource_lookup(g.res, ri->subresource);
                if (!sub || (ri->parts && ri->parts[3]))
                        return api_respond_status(
                                r,
                                status_failure(404, "NotFound",
                                               "the server could not find the requested resource",
                                               NULL));
                if (!verb_allowed(sub->verbs, verb)) {
                        _cleanup_free_ char *res =
                                xasprintf("%s/%s", g.res->plural, ri->subresource);
                        return api_respond_status(
                                r, status_method_not_allowed(g.res->group, res, verb));
                }
                if (streq(ri->subresource, "status")) {
                        switch (ri->verb) {
                        case VERB_GET:
                                return do_get(&g);
                        case VERB_UPDATE:
                                return do_update(&g);
                        case VERB_PATCH:
                                return do_patch(&g);
                        default:
                                break;
                        }
                }
                if (streq(ri->subresource, "scale"))
                        return do_scale(&g);
                if (streq(ri->subresource, "finalize") && ri->verb == VERB_UPDATE)
                        return do_finalize(&g);
                if (streq(ri->subresource, "eviction") && ri->verb == VERB_CREATE)
                        return do_eviction(&g);
                if (streq(ri->subresource, "binding") && ri->verb == VERB_CREATE)
                        return do_binding(&g, ri->name);
                _cleanup_free_ char *m = xasprintf("the subresource %s of %s is not served yet",
                                                   ri->subresource, g.res->plural);
                return api_respond_status(r, status_failure(404, "NotFound", m, NULL));
        }

        /* POST .../bindings: the scheduler's older form. */
        if (streq(g.res->plural, "bindings") && ri->verb == VERB_CREATE) {
                _cleanup_json_ json *b = NULL;
                if (r->body.len && json_parse(r->body.data, r->body.len, NULL, &b, NULL) >= 0) {
                        const char *pod = json_get_str(b, "metadata", "name", NULL);
                        if (pod) {
                                g.res = schema_resource_lookup("", "v1", "pods");
                                return do_binding(&g, pod);
                        }
                }
                return api_respond_status(r, status_bad_request("a binding needs metadata.name"));
        }

        if (!verb_allowed(g.res->verbs, verb))
                return api_respond_status(
                        r, status_method_not_allowed(g.res->group, g.res->plural, verb));

        switch (ri->verb) {
        case VERB_GET:
                return do_get(&g);
        case VERB_LIST:
                return do_list(&g);
        case VERB_WATCH:
                return watch_serve(r, g.res, ri);
        case VERB_CREATE:
                if (ri->name)
                        return api_respond_status(
                                r, status_method_not_allowed(g.res->group, g.res->plural, verb));
                return do_create(&g);
        case VERB_UPDATE:
                return do_update(&g);
        case VERB_PATCH:
                return do_patch(&g);
        case VERB_DELETE:
                return do_delete(&g);
        case VERB_DELETECOLLECTION:
                return do_delete_collection(&g);
        default:
                return api_respond_status(
                        r, status_method_not_allowed(g.res->group, g.res->plural, verb));
        }
}

int registry_bootstrap(apiserver *srv, tm_error **err) {
        static const char *const names[] = { "default", "kube-system", "kube-public",
                                             "kube-node-lease" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *key = xasprintf("/registry/namespaces/%s", names[i]);
                _cleanup_(store_kv_freep) store_kv *kv = NULL;
                int q = store_get(srv->store, key, &kv, NULL);
                if (q == 0)
                        continue;
                _cleanup_json_ json *ns = json_new_object();
                json_object_set_string(ns, "kind", "Namespace");
                json_object_set_string(ns, "apiVersion", "v1");
                json *md = json_object_ensure_object(ns, "metadata");
                json_object_set_string(md, "name", names[i]);
                const struct schema_resource *res = schema_resource_lookup("", "v1", "namespaces");
                strategy_prepare_for_create(res, ns);
                char uid[37], ts[32];
                objmeta_new_uid(uid);
                objmeta_format_time(time(NULL), ts);
                json_object_set_string(md, "uid", uid);
                json_object_set_string(md, "creationTimestamp", ts);
                size_t len;
                _cleanup_free_ char *val = object_to_stored(ns, &len);
                q = store_create(srv->store, key, val, len, NULL, err);
                if (q < 0 && q != -EEXIST)
                        return tm_error_wrap(err, q, "create namespace %s", names[i]);
        }
        return 0;
}
