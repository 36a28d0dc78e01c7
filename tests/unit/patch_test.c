/* SPDX-License-Identifier: Apache-2.0 */
/* JSON patch, merge patch and strategic merge patch (apiserver/patch.h).
 * Cases are data: a document, a patch, and the expected result or error.
 * JSON in this file is written with ' for " to stay readable. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/schema.h"
#include "apiserver/patch.h"
#include "cleanup.h"
#include "json.h"
#include "util.h"
#include "tests/tap.h"

static json *J(const char *text) {
        _cleanup_free_ char *s = xstrdup(text);
        for (char *c = s; *c; c++)
                if (*c == '\'')
                        *c = '"';
        json *v = NULL;
        _cleanup_error_ tm_error *e = NULL;
        if (json_parse(s, strlen(s), NULL, &v, &e) < 0) {
                diag("bad test JSON: %s: %s", tm_error_msg(e), s);
                abort();
        }
        return v;
}

enum kind { K_JSON, K_MERGE, K_SMP, K_APPLY_JSON, K_APPLY_MERGE, K_APPLY_SMP };

struct pcase {
        const char *name;
        const char *doc, *patch;
        const char *want; /* NULL when an error is expected */
        int code;         /* 0, or the expected negative errno */
        const char *msg;  /* a substring of the error message, or NULL */
};

static const struct schema_type *pod_t, *deploy_t, *node_t, *rev_t;

/* Three checks per case: the code, the result or message, doc untouched. */
static void run(enum kind k, const struct schema_type *t, const struct pcase *c) {
        _cleanup_json_ json *doc = J(c->doc), *patch = J(c->patch);
        _cleanup_free_ char *before = json_serialize(doc, JSON_SORT_KEYS, NULL);
        _cleanup_json_ json *out = NULL;
        _cleanup_error_ tm_error *e = NULL;
        int r;
        switch (k) {
        case K_JSON:
                r = patch_json(doc, patch, &out, &e);
                break;
        case K_MERGE:
                r = patch_merge(doc, patch, &out, &e);
                break;
        case K_SMP:
                r = patch_strategic(doc, patch, t, &out, &e);
                break;
        case K_APPLY_JSON:
                r = patch_apply(PATCH_TYPE_JSON, doc, patch, t, &out, &e);
                break;
        case K_APPLY_MERGE:
                r = patch_apply(PATCH_TYPE_MERGE, doc, patch, t, &out, &e);
                break;
        default:
                r = patch_apply(PATCH_TYPE_STRATEGIC, doc, patch, t, &out, &e);
                break;
        }
        if (!ok(r == c->code, "%s: returns %d", c->name, c->code))
                diag("got %d: %s", r, e ? tm_error_msg(e) : "(no message)");
        if (c->want) {
                _cleanup_json_ json *want = J(c->want);
                bool same = out && json_equal(out, want);
                if (!ok(same, "%s: result", c->name)) {
                        _cleanup_free_ char *g = out ? json_serialize(out, 0, NULL) : NULL;
                        _cleanup_free_ char *w = json_serialize(want, 0, NULL);
                        diag("got:      %s", g ? g : "(none)");
                        diag("expected: %s", w);
                }
        } else {
                bool good = !out && e && e->code == c->code && (!c->msg || strstr(e->msg, c->msg));
                if (!ok(good, "%s: error message", c->name))
                        diag("got: %s", e ? tm_error_msg(e) : "(no error)");
        }
        _cleanup_free_ char *after = json_serialize(doc, JSON_SORT_KEYS, NULL);
        is_str(after, before, "%s: document untouched", c->name);
}

static void run_all(enum kind k, const struct schema_type *t, const struct pcase *cases, size_t n) {
        for (size_t i = 0; i < n; i++)
                run(k, t, &cases[i]);
}

/* --- RFC 6902, appendix A, and more ----------------------------------------- */

static const struct pcase json_patch_cases[] = {
        { "A.1 adding an object member", "{'foo':'bar'}",
          "[{'op':'add','path':'/baz','value':'qux'}]", "{'baz':'qux','foo':'bar'}", 0, NULL },
        { "A.2 adding an array element", "{'foo':['bar','baz']}",
          "[{'op':'add','path':'/foo/1','value':'qux'}]", "{'foo':['bar','qux','baz']}", 0, NULL },
        { "A.3 removing an object member", "{'baz':'qux','foo':'bar'}",
          "[{'op':'remove','path':'/baz'}]", "{'foo':'bar'}", 0, NULL },
        { "A.4 removing an array element", "{'foo':['bar','qux','baz']}",
          "[{'op':'remove','path':'/foo/1'}]", "{'foo':['bar','baz']}", 0, NULL },
        { "A.5 replacing a value", "{'baz':'qux','foo':'bar'}",
          "[{'op':'replace','path':'/baz','value':'boo'}]", "{'baz':'boo','foo':'bar'}", 0, NULL },
        { "A.6 moving a value", "{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
          "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]",
          "{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}", 0, NULL },
        { "A.7 moving an array element", "{'foo':['all','grass','cows','eat']}",
          "[{'op':'move','from':'/foo/1','path':'/foo/3'}]", "{'foo':['all','cows','eat','grass']}",
          0, NULL },
        { "A.8 testing a value: success", "{'baz':'qux','foo':['a',2,'c']}",
          "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]",
          "{'baz':'qux','foo':['a',2,'c']}", 0, NULL },
        { "A.9 testing a value: error", "{'baz':'qux'}",
          "[{'op':'test','path':'/baz','value':'bar'}]", NULL, -EDOM,
          "testing value /baz failed: test failed" },
        { "A.10 adding a nested member object", "{'foo':'bar'}",
          "[{'op':'add','path':'/child','value':{'grandchild':{}}}]",
          "{'foo':'bar','child':{'grandchild':{}}}", 0, NULL },
        { "A.11 ignoring unrecognized elements", "{'foo':'bar'}",
          "[{'op':'add','path':'/baz','value':'qux','xyz':123}]", "{'foo':'bar','baz':'qux'}", 0,
          NULL },
        { "A.12 adding to a nonexistent target", "{'foo':'bar'}",
          "[{'op':'add','path':'/baz/bat','value':'qux'}]", NULL, -ENOENT,
          "add operation does not apply: doc is missing path: \"/baz/bat\"" },
        { "A.13 invalid patch document (last op wins, remove of a missing member)", "{'foo':'bar'}",
          "[{'op':'add','path':'/baz','value':'qux','op':'remove'}]", NULL, -ENOENT,
          "Unable to remove nonexistent key: baz" },
        { "A.14 ~ escape ordering", "{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':10}]",
          "{'/':9,'~1':10}", 0, NULL },
        { "A.15 comparing strings and numbers", "{'/':9,'~1':10}",
          "[{'op':'test','path':'/~01','value':'10'}]", NULL, -EDOM, "test failed" },
        { "A.16 adding an array value", "{'foo':['bar']}",
          "[{'op':'add','path':'/foo/-','value':['abc','def']}]", "{'foo':['bar',['abc','def']]}",
          0, NULL },
        /* beyond the appendix */
        { "~1 in a key", "{'a/b':1}", "[{'op':'replace','path':'/a~1b','value':2}]", "{'a/b':2}", 0,
          NULL },
        { "copy", "{'a':{'b':[1,2]}}", "[{'op':'copy','from':'/a/b','path':'/c'}]",
          "{'a':{'b':[1,2]},'c':[1,2]}", 0, NULL },
        { "copy into an array", "{'a':[1,2],'b':'x'}", "[{'op':'copy','from':'/b','path':'/a/0'}]",
          "{'a':['x',1,2],'b':'x'}", 0, NULL },
        { "add replaces an existing member", "{'a':1}", "[{'op':'add','path':'/a','value':[2]}]",
          "{'a':[2]}", 0, NULL },
        { "add at the end index", "{'a':[1]}", "[{'op':'add','path':'/a/1','value':2}]",
          "{'a':[1,2]}", 0, NULL },
        { "replace the whole document", "{'a':1}", "[{'op':'replace','path':'','value':{'b':2}}]",
          "{'b':2}", 0, NULL },
        { "replace of a missing member adds it (as upstream)", "{'metadata':{}}",
          "[{'op':'replace','path':'/metadata/labels','value':{'a':'b'}}]",
          "{'metadata':{'labels':{'a':'b'}}}", 0, NULL },
        { "test compares numbers by value", "{'a':1}", "[{'op':'test','path':'/a','value':1.0}]",
          "{'a':1}", 0, NULL },
        { "test of objects ignores member order", "{'a':{'x':1,'y':[true,null]}}",
          "[{'op':'test','path':'/a','value':{'y':[true,null],'x':1}}]",
          "{'a':{'x':1,'y':[true,null]}}", 0, NULL },
        { "test of the whole document", "{'a':1}", "[{'op':'test','path':'','value':{'a':1}}]",
          "{'a':1}", 0, NULL },
        { "move to the same place", "{'a':1}", "[{'op':'move','from':'/a','path':'/a'}]", "{'a':1}",
          0, NULL },
        { "operations apply in order", "{}",
          "[{'op':'add','path':'/a','value':[]},{'op':'add','path':'/a/-','value':1},"
          "{'op':'add','path':'/a/0','value':0},{'op':'remove','path':'/a/1'}]",
          "{'a':[0]}", 0, NULL },
        { "a later failure undoes earlier operations", "{'a':1}",
          "[{'op':'remove','path':'/a'},{'op':'test','path':'/b','value':1}]", NULL, -ENOENT,
          "test operation does not apply" },
        { "remove of a missing member", "{'a':1}", "[{'op':'remove','path':'/b'}]", NULL, -ENOENT,
          "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value" },
        { "replace of a missing array index", "{'a':[1]}",
          "[{'op':'replace','path':'/a/1','value':2}]", NULL, -EDOM, "invalid index" },
        { "add beyond the end of an array", "{'a':[1]}", "[{'op':'add','path':'/a/5','value':2}]",
          NULL, -EDOM, "Unable to access invalid index: 5" },
        { "index with a leading zero", "{'a':[1,2]}", "[{'op':'remove','path':'/a/01'}]", NULL,
          -EDOM, "invalid index" },
        { "index that is not a number", "{'a':[1,2]}", "[{'op':'add','path':'/a/x','value':0}]",
          NULL, -EDOM, "not a proper array index" },
        { "- only appends", "{'a':[1]}", "[{'op':'remove','path':'/a/-'}]", NULL, -EDOM,
          "invalid index" },
        { "path through a scalar", "{'a':1}", "[{'op':'add','path':'/a/b','value':0}]", NULL,
          -ENOENT, "doc is missing path" },
        { "path without a leading slash", "{'a':1}", "[{'op':'remove','path':'a'}]", NULL, -EDOM,
          "is not a JSON pointer" },
        { "bad ~ escape", "{'a~2':1}", "[{'op':'remove','path':'/a~2'}]", NULL, -EDOM,
          "is not a JSON pointer" },
        { "unknown op", "{}", "[{'op':'frobnicate','path':'/a'}]", NULL, -EDOM,
          "Unexpected kind: frobnicate" },
        { "missing op", "{}", "[{'path':'/a','value':1}]", NULL, -EDOM,
          "Unexpected kind: unknown" },
        { "missing path", "{}", "[{'op':'add','value':1}]", NULL, -EDOM,
          "add operation failed to decode path" },
        { "path not a string", "{}", "[{'op':'add','path':1,'value':1}]", NULL, -EDOM,
          "failed to decode path" },
        { "missing value", "{}", "[{'op':'add','path':'/a'}]", NULL, -EDOM, "missing value field" },
        { "missing from", "{'a':1}", "[{'op':'move','path':'/b'}]", NULL, -EDOM,
          "move operation failed to decode from" },
        { "move from a missing path", "{'a':1}", "[{'op':'move','from':'/x','path':'/b'}]", NULL,
          -ENOENT, "Unable to remove nonexistent key: x" },
        { "move into its own child", "{'a':{'b':{}}}",
          "[{'op':'move','from':'/a','path':'/a/b/c'}]", NULL, -EDOM, "is a prefix of path" },
        { "remove the root", "{'a':1}", "[{'op':'remove','path':''}]", NULL, -ENOENT,
          "doc is missing path" },
        { "patch is an object", "{}", "{'op':'add','path':'/a','value':1}", NULL, -EINVAL,
          "must be an array of operations" },
        { "patch is a string", "{}", "'add'", NULL, -EINVAL, "must be an array of operations" },
        { "operation is not an object", "{}", "[{'op':'test','path':'','value':{}},'remove']", NULL,
          -EINVAL, "operation 1 is not an object" },
        { "empty patch", "{'a':1}", "[]", "{'a':1}", 0, NULL },
        /* what kubectl sends */
        { "a replicas change guarded by a test", "{'spec':{'replicas':3}}",
          "[{'op':'test','path':'/spec/replicas','value':3},"
          "{'op':'replace','path':'/spec/replicas','value':5}]",
          "{'spec':{'replicas':5}}", 0, NULL },
        { "a replicas change guarded by a failed test", "{'spec':{'replicas':4}}",
          "[{'op':'test','path':'/spec/replicas','value':3},"
          "{'op':'replace','path':'/spec/replicas','value':5}]",
          NULL, -EDOM, "testing value /spec/replicas failed" },
        { "kubectl rollout undo",
          "{'metadata':{'name':'web','annotations':{'deployment.kubernetes.io/revision':'2'}},"
          "'spec':{'replicas':2,'template':{'metadata':{'labels':{'app':'web'}},"
          "'spec':{'containers':[{'name':'web','image':'nginx:1.25'}]}}}}",
          "[{'op':'replace','path':'/spec/template','value':{'metadata':{'labels':{'app':'web'}},"
          "'spec':{'containers':[{'name':'web','image':'nginx:1.24'}]}}},"
          "{'op':'replace','path':'/metadata/annotations','value':"
          "{'deployment.kubernetes.io/revision':'1'}}]",
          "{'metadata':{'name':'web','annotations':{'deployment.kubernetes.io/revision':'1'}},"
          "'spec':{'replicas':2,'template':{'metadata':{'labels':{'app':'web'}},"
          "'spec':{'containers':[{'name':'web','image':'nginx:1.24'}]}}}}",
          0, NULL },
};

/* --- RFC 7386, appendix A, and what kubectl sends ---------------------------- */

static const struct pcase merge_cases[] = {
        { "A: change a member", "{'a':'b'}", "{'a':'c'}", "{'a':'c'}", 0, NULL },
        { "A: add a member", "{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}", 0, NULL },
        { "A: delete the only member", "{'a':'b'}", "{'a':null}", "{}", 0, NULL },
        { "A: delete one member", "{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}", 0, NULL },
        { "A: array replaced by a string", "{'a':['b']}", "{'a':'c'}", "{'a':'c'}", 0, NULL },
        { "A: string replaced by an array", "{'a':'c'}", "{'a':['b']}", "{'a':['b']}", 0, NULL },
        { "A: nested merge and delete", "{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}",
          "{'a':{'b':'d'}}", 0, NULL },
        { "A: arrays are replaced", "{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}", 0, NULL },
        { "A: array document", "['a','b']", "['c','d']", "['c','d']", 0, NULL },
        { "A: array patch replaces an object", "{'a':'b'}", "['c']", "['c']", 0, NULL },
        { "A: null patch", "{'a':'foo'}", "null", "null", 0, NULL },
        { "A: string patch", "{'a':'foo'}", "'bar'", "'bar'", 0, NULL },
        { "A: null members of the document stay", "{'e':null}", "{'a':1}", "{'e':null,'a':1}", 0,
          NULL },
        { "A: object patch on an array document", "[1,2]", "{'a':'b','c':null}", "{'a':'b'}", 0,
          NULL },
        { "A: nulls inside a new member are dropped", "{}", "{'a':{'bb':{'ccc':null}}}",
          "{'a':{'bb':{}}}", 0, NULL },
        { "nulls inside arrays stay (RFC)", "{}", "{'a':[{'b':null},null]}",
          "{'a':[{'b':null},null]}", 0, NULL },
        { "kubectl label", "{'metadata':{'name':'web','labels':{'app':'web'}}}",
          "{'metadata':{'labels':{'env':'prod'}}}",
          "{'metadata':{'name':'web','labels':{'app':'web','env':'prod'}}}", 0, NULL },
        { "kubectl label app-", "{'metadata':{'name':'web','labels':{'app':'web','env':'prod'}}}",
          "{'metadata':{'labels':{'app':null}}}",
          "{'metadata':{'name':'web','labels':{'env':'prod'}}}", 0, NULL },
        { "kubectl label --overwrite with resourceVersion",
          "{'metadata':{'name':'web','resourceVersion':'7','labels':{'app':'web'}}}",
          "{'metadata':{'labels':{'app':'api'},'resourceVersion':'7'}}",
          "{'metadata':{'name':'web','resourceVersion':'7','labels':{'app':'api'}}}", 0, NULL },
        { "kubectl annotate", "{'metadata':{'name':'web'}}",
          "{'metadata':{'annotations':{'description':'front end'}}}",
          "{'metadata':{'name':'web','annotations':{'description':'front end'}}}", 0, NULL },
        { "kubectl annotate description-",
          "{'metadata':{'name':'web','annotations':{'description':'front end','x':'y'}}}",
          "{'metadata':{'annotations':{'description':null}}}",
          "{'metadata':{'name':'web','annotations':{'x':'y'}}}", 0, NULL },
        { "kubectl scale (the scale subresource)",
          "{'kind':'Scale','apiVersion':'autoscaling/"
          "v1','spec':{'replicas':1},'status':{'replicas':1}}",
          "{'spec':{'replicas':4}}",
          "{'kind':'Scale','apiVersion':'autoscaling/"
          "v1','spec':{'replicas':4},'status':{'replicas':1}}",
          0, NULL },
};

/* What the PATCH handler gets from patch_apply(). */
static const struct pcase apply_merge_cases[] = {
        { "merge patch null is a bad request", "{'a':1}", "null", NULL, -EINVAL,
          "Invalid JSON Patch" },
        { "merge patch array makes a non-object", "{'a':1}", "[1]", NULL, -EDOM, "not an object" },
        { "merge patch through patch_apply", "{'a':1}", "{'b':2}", "{'a':1,'b':2}", 0, NULL },
        { "merge patch through patch_apply drops nulls inside arrays (as upstream)",
          "{'a':[1],'o':{'x':1}}",
          "{'a':[{'b':null,'c':1},null],'o':[{'d':null}],'n':[{'e':null}]}",
          "{'a':[{'c':1},null],'o':[{'d':null}],'n':[{}]}", 0, NULL },
};

static const struct pcase apply_json_cases[] = {
        { "json patch replacing the object by a number", "{'a':1}",
          "[{'op':'replace','path':'','value':1}]", NULL, -EDOM, "is integer, not an object" },
        { "json patch through patch_apply", "{'a':1}", "[{'op':'remove','path':'/a'}]", "{}", 0,
          NULL },
        { "json patch body not an array", "{'a':1}", "{}", NULL, -EINVAL, "array of operations" },
};

/* --- strategic merge patch ------------------------------------------------- */

#define POD                                                                                \
        "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web',"  \
        "'tier':'fe'},'finalizers':['a.example.com/x','b.example.com/y']},'spec':{"        \
        "'containers':[{'name':'nginx','image':'nginx:1.24','ports':[{'containerPort':80," \
        "'protocol':'TCP'}],'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]},"   \
        "{'name':'sidecar','image':'busybox'}]}}"

#define POD_META                                                                         \
        "'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web'," \
        "'tier':'fe'},'finalizers':['a.example.com/x','b.example.com/y']}"

#define NGINX_ENV   "'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]"
#define NGINX_PORTS "'ports':[{'containerPort':80,'protocol':'TCP'}]"
#define SIDECAR     "{'name':'sidecar','image':'busybox'}"

static const struct pcase pod_cases[] = {
        { "containers merge by name", POD,
          "{'spec':{'containers':[{'name':'nginx','image':'nginx:1.25'}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'nginx','image':'nginx:1.25'," NGINX_PORTS
          "," NGINX_ENV "}," SIDECAR "]}}",
          0, NULL },
        { "a new container goes first (upstream's order)", POD,
          "{'spec':{'containers':[{'name':'log','image':'fluent-bit'}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'log','image':'fluent-bit'},{'name':'nginx',"
          "'image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV "}," SIDECAR "]}}",
          0, NULL },
        { "env merges by name", POD,
          "{'spec':{'containers':[{'name':'nginx','env':[{'name':'B','value':'20'},"
          "{'name':'C','value':'3'}]}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'nginx','image':'nginx:1.24'," NGINX_PORTS
          ",'env':[{'name':'A','value':'1'},{'name':'B','value':'20'},{'name':'C','value':'3'}]}"
          "," SIDECAR "]}}",
          0, NULL },
        { "ports merge by containerPort", POD,
          "{'spec':{'containers':[{'name':'nginx','ports':[{'containerPort':443,'protocol':'TCP'},"
          "{'containerPort':80,'name':'http'}]}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'nginx','image':'nginx:1.24','ports':["
          "{'containerPort':443,'protocol':'TCP'},{'containerPort':80,'protocol':'TCP','name':"
          "'http'}]," NGINX_ENV "}," SIDECAR "]}}",
          0, NULL },
        { "finalizers are a union", POD,
          "{'metadata':{'finalizers':['c.example.com/z','a.example.com/x']}}",
          "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web','tier':"
          "'fe'},'finalizers':['c.example.com/z','a.example.com/x','b.example.com/y']},'spec':"
          "{'containers':[{'name':'nginx','image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV
          "}," SIDECAR "]}}",
          0, NULL },
        { "$patch: delete removes a container", POD,
          "{'spec':{'containers':[{'name':'sidecar','$patch':'delete'}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'nginx','image':'nginx:1.24'," NGINX_PORTS
          "," NGINX_ENV "}]}}",
          0, NULL },
        { "$patch: delete of an absent element changes nothing", POD,
          "{'spec':{'containers':[{'name':'nope','$patch':'delete'}]}}", POD, 0, NULL },
        { "$patch: replace replaces the list", POD,
          "{'spec':{'containers':[{'name':'only','image':'x'},{'$patch':'replace'}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'only','image':'x'}]}}", 0, NULL },
        { "$patch: replace on a map", POD, "{'metadata':{'labels':{'$patch':'replace','new':'1'}}}",
          "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'new':'1'},"
          "'finalizers':['a.example.com/x','b.example.com/y']},'spec':{'containers':[{'name':"
          "'nginx','image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV "}," SIDECAR "]}}",
          0, NULL },
        { "$patch: replace on any element replaces the list with the others", POD,
          "{'spec':{'containers':[{'name':'sidecar','image':'busybox:2'},{'name':'nginx',"
          "'$patch':'replace'}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'sidecar','image':'busybox:2'}]}}", 0,
          NULL },
        { "$patch: replace on a map inside a container",
          "{'spec':{'containers':[{'name':'c','resources':{'requests':{'cpu':'1'},'limits':"
          "{'cpu':'2'}}}]}}",
          "{'spec':{'containers':[{'name':'c','resources':{'$patch':'replace','limits':"
          "{'memory':'1Gi'}}}]}}",
          "{'spec':{'containers':[{'name':'c','resources':{'limits':{'memory':'1Gi'}}}]}}", 0,
          NULL },
        { "$patch: delete on a map", POD, "{'metadata':{'labels':{'$patch':'delete'}}}",
          "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{},"
          "'finalizers':['a.example.com/x','b.example.com/y']},'spec':{'containers':[{'name':"
          "'nginx','image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV "}," SIDECAR "]}}",
          0, NULL },
        { "$setElementOrder/containers reorders", POD,
          "{'spec':{'$setElementOrder/containers':[{'name':'sidecar'},{'name':'nginx'}],"
          "'containers':[{'name':'nginx','image':'nginx:1.25'}]}}",
          "{" POD_META ",'spec':{'containers':[" SIDECAR
          ",{'name':'nginx','image':'nginx:1.25'," NGINX_PORTS "," NGINX_ENV "}]}}",
          0, NULL },
        { "$setElementOrder places a new container", POD,
          "{'spec':{'$setElementOrder/containers':[{'name':'nginx'},{'name':'log'},"
          "{'name':'sidecar'}],'containers':[{'name':'log','image':'fluent-bit'}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'nginx','image':'nginx:1.24'," NGINX_PORTS
          "," NGINX_ENV "},{'name':'log','image':'fluent-bit'}," SIDECAR "]}}",
          0, NULL },
        { "$setElementOrder without the list only reorders", POD,
          "{'spec':{'$setElementOrder/containers':[{'name':'sidecar'},{'name':'nginx'}]}}",
          "{" POD_META ",'spec':{'containers':[" SIDECAR
          ",{'name':'nginx','image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV "}]}}",
          0, NULL },
        { "$setElementOrder/finalizers on primitives", POD,
          "{'metadata':{'$setElementOrder/finalizers':['b.example.com/y','a.example.com/x']}}",
          "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web','tier':"
          "'fe'},'finalizers':['b.example.com/y','a.example.com/x']},'spec':"
          "{'containers':[{'name':'nginx','image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV
          "}," SIDECAR "]}}",
          0, NULL },
        { "$deleteFromPrimitiveList/finalizers", POD,
          "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a.example.com/x']}}",
          "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web','tier':"
          "'fe'},'finalizers':['b.example.com/y']},'spec':"
          "{'containers':[{'name':'nginx','image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV
          "}," SIDECAR "]}}",
          0, NULL },
        { "null deletes a label", POD, "{'metadata':{'labels':{'tier':null}}}",
          "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web'},"
          "'finalizers':['a.example.com/x','b.example.com/y']},'spec':{'containers':[{'name':"
          "'nginx','image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV "}," SIDECAR "]}}",
          0, NULL },
        { "null for an absent field changes nothing", POD,
          "{'spec':{'nodeName':null},'status':null}", POD, 0, NULL },
        { "new subtrees lose nulls and directives", POD,
          "{'spec':{'nodeSelector':{'disk':'ssd','gpu':null},'tolerations':[{'key':'k',"
          "'value':null},{'$patch':'delete','key':'j'}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'nginx','image':'nginx:1.24'," NGINX_PORTS
          "," NGINX_ENV "}," SIDECAR
          "],'nodeSelector':{'disk':'ssd'},'tolerations':[{'key':'k'}]}}",
          0, NULL },
        { "a repeated new element merges into the first", POD,
          "{'spec':{'containers':[{'name':'x','image':'1'},{'name':'x','args':['a']}]}}",
          "{" POD_META ",'spec':{'containers':[{'name':'x','image':'1','args':['a']},{'name':"
          "'nginx','image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV "}," SIDECAR "]}}",
          0, NULL },
        { "$deleteFromPrimitiveList and a union together", POD,
          "{'metadata':{'finalizers':['c'],'$deleteFromPrimitiveList/finalizers':"
          "['b.example.com/y']}}",
          "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web','tier':"
          "'fe'},'finalizers':['c','a.example.com/x']},'spec':"
          "{'containers':[{'name':'nginx','image':'nginx:1.24'," NGINX_PORTS "," NGINX_ENV
          "}," SIDECAR "]}}",
          0, NULL },
        { "a list of a different type is replaced", POD, "{'spec':{'containers':'nginx'}}",
          "{" POD_META ",'spec':{'containers':'nginx'}}", 0, NULL },
        { "a null patch changes nothing", POD, "null", POD, 0, NULL },
        { "an empty patch changes nothing", POD, "{}", POD, 0, NULL },
        { "$patch: delete of the whole object", "{'a':1}", "{'$patch':'delete'}", "{}", 0, NULL },
        /* bad input */
        { "patch is an array", POD, "[{'op':'add'}]", NULL, -EINVAL, "must be a JSON object" },
        { "patch is a string", POD, "'spec'", NULL, -EINVAL, "must be a JSON object" },
        { "document is not an object", "[1]", "{}", NULL, -EINVAL, "not an object" },
        { "element without its merge key", POD, "{'spec':{'containers':[{'image':'x'}]}}", NULL,
          -EBADMSG, "does not contain declared merge key: name" },
        { "$patch: delete without the merge key", POD,
          "{'spec':{'containers':[{'$patch':'delete'}]}}", NULL, -EBADMSG,
          "does not contain declared merge key: name" },
        { "unknown $patch on a map", POD, "{'metadata':{'labels':{'$patch':'bogus'}}}", NULL,
          -EBADMSG, "unknown patch type: \"bogus\"" },
        { "$patch: merge on a map (rejected upstream)", POD,
          "{'metadata':{'labels':{'$patch':'merge','x':'y'}}}", NULL, -EBADMSG,
          "unknown patch type: \"merge\"" },
        { "$patch: merge in a list (rejected upstream)", POD,
          "{'spec':{'containers':[{'$patch':'merge'}]}}", NULL, -EBADMSG,
          "merging lists cannot yet be specified in the patch" },
        { "$patch not a string", POD, "{'spec':{'containers':[{'name':'a','$patch':1}]}}", NULL,
          -EBADMSG, "unknown patch type: 1" },
        { "mixed element types", POD, "{'metadata':{'finalizers':[1]}}", NULL, -EBADMSG,
          "list element types are not identical" },
        { "a list of lists", "{'metadata':{'finalizers':[]}}",
          "{'metadata':{'finalizers':[['x']]}}", NULL, -EDOM, "lists of lists are not supported" },
        { "$setElementOrder that is not a list", POD,
          "{'spec':{'$setElementOrder/containers':{'name':'x'}}}", NULL, -EBADMSG,
          "expected a []interface {}" },
        { "$setElementOrder without a field", POD, "{'spec':{'$setElementOrder':[]}}", NULL,
          -EINVAL, "invalid patch format of setElementOrder list" },
        { "$setElementOrder out of order", POD,
          "{'spec':{'$setElementOrder/containers':[{'name':'nginx'}],'containers':[{'name':"
          "'sidecar','image':'y'}]}}",
          NULL, -EBADMSG, "doesn't match $setElementOrder list" },
        { "$deleteFromPrimitiveList without a field", POD,
          "{'metadata':{'$deleteFromPrimitiveList':['x']}}", NULL, -EINVAL,
          "invalid patch format of primitive list" },
        { "$retainKeys not a list", "{'spec':{'strategy':{'type':'Recreate'}}}",
          "{'spec':{'strategy':{'$retainKeys':'type','type':'Recreate'}}}", NULL, -EINVAL,
          "invalid patch format of retainKeys" },
};

#define DEPLOY_HEAD "'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'}"
#define DEPLOY_TEMPLATE                                                                  \
        "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':" \
        "'nginx','image':'nginx:1.24'}]}}"
#define DEPLOY                                                                       \
        "{" DEPLOY_HEAD ",'spec':{'replicas':2,'paused':false,'strategy':{'type':"   \
        "'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}}" \
        "," DEPLOY_TEMPLATE "}}"

static const struct pcase deploy_cases[] = {
        { "$retainKeys: RollingUpdate to Recreate drops rollingUpdate", DEPLOY,
          "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}",
          "{" DEPLOY_HEAD
          ",'spec':{'replicas':2,'paused':false,'strategy':{'type':'Recreate'}," DEPLOY_TEMPLATE
          "}}",
          0, NULL },
        { "without $retainKeys rollingUpdate stays", DEPLOY,
          "{'spec':{'strategy':{'type':'Recreate'}}}",
          "{" DEPLOY_HEAD ",'spec':{'replicas':2,'paused':false,'strategy':{'type':'Recreate',"
          "'rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}}," DEPLOY_TEMPLATE "}}",
          0, NULL },
        { "$retainKeys with a key outside the list", DEPLOY,
          "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':"
          "{'maxSurge':1}}}}",
          NULL, -EINVAL, "invalid patch format of retainKeys" },
        { "kubectl set image", DEPLOY,
          "{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'nginx'}],"
          "'containers':[{'image':'nginx:1.25','name':'nginx'}]}}}}",
          "{" DEPLOY_HEAD ",'spec':{'replicas':2,'paused':false,'strategy':{'type':"
          "'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}},"
          "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':"
          "'nginx','image':'nginx:1.25'}]}}}}",
          0, NULL },
        { "kubectl rollout restart", DEPLOY,
          "{'spec':{'template':{'metadata':{'annotations':{'kubectl.kubernetes.io/restartedAt':"
          "'2026-11-28T17:00:00Z'}}}}}",
          "{" DEPLOY_HEAD ",'spec':{'replicas':2,'paused':false,'strategy':{'type':"
          "'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}},"
          "'template':{'metadata':{'labels':{'app':'web'},'annotations':{"
          "'kubectl.kubernetes.io/restartedAt':'2026-11-28T17:00:00Z'}},'spec':{'containers':"
          "[{'name':'nginx','image':'nginx:1.24'}]}}}}",
          0, NULL },
        { "kubectl rollout pause", DEPLOY, "{'spec':{'paused':true}}",
          "{" DEPLOY_HEAD ",'spec':{'replicas':2,'paused':true,'strategy':{'type':"
          "'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}}"
          "," DEPLOY_TEMPLATE "}}",
          0, NULL },
        { "kubectl rollout resume", DEPLOY, "{'spec':{'paused':null}}",
          "{" DEPLOY_HEAD ",'spec':{'replicas':2,'strategy':{'type':"
          "'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}}"
          "," DEPLOY_TEMPLATE "}}",
          0, NULL },
        { "kubectl scale (strategic)", DEPLOY, "{'spec':{'replicas':5}}",
          "{" DEPLOY_HEAD ",'spec':{'replicas':5,'paused':false,'strategy':{'type':"
          "'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}}"
          "," DEPLOY_TEMPLATE "}}",
          0, NULL },
        { "kubectl edit of the image and a new env var", DEPLOY,
          "{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'nginx'}],"
          "'containers':[{'$setElementOrder/env':[{'name':'MODE'}],'env':[{'name':'MODE',"
          "'value':'prod'}],'image':'nginx:1.26','name':'nginx'}]}}}}",
          "{" DEPLOY_HEAD ",'spec':{'replicas':2,'paused':false,'strategy':{'type':"
          "'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}},"
          "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':"
          "'nginx','image':'nginx:1.26','env':[{'name':'MODE','value':'prod'}]}]}}}}",
          0, NULL },
};

/* kubectl apply, client side: the patch below is what the documented
 * three-way algorithm yields for LAST_APPLIED -> NEW_MANIFEST against LIVE:
 * deletions from last-applied vs new (tier label, env B, rollingUpdate),
 * changes from live vs new (replicas, image, env C, container log, the
 * strategy with its $retainKeys), $setElementOrder for the merged lists,
 * and the new last-applied annotation. */
static const char apply_live[] =
        "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':"
        "'default','uid':'1b4e28ba','resourceVersion':'42','generation':3,'labels':{'app':'web',"
        "'tier':'fe','team':'x'},'annotations':{'deployment.kubernetes.io/revision':'3',"
        "'kubectl.kubernetes.io/last-applied-configuration':'old'}},'spec':{'replicas':2,"
        "'selector':{'matchLabels':{'app':'web'}},'strategy':{'type':'RollingUpdate',"
        "'rollingUpdate':{'maxSurge':1,'maxUnavailable':0}},'template':{'metadata':{'labels':"
        "{'app':'web'}},'spec':{'containers':[{'name':'web','image':'nginx:1.24',"
        "'imagePullPolicy':'IfNotPresent','env':[{'name':'A','value':'1'},{'name':'X','value':"
        "'9'},{'name':'B','value':'2'}],'terminationMessagePath':'/dev/termination-log'}],"
        "'restartPolicy':'Always','dnsPolicy':'ClusterFirst'}},'progressDeadlineSeconds':600},"
        "'status':{'replicas':2,'readyReplicas':2}}";

static const char apply_patch[] =
        "{'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'new'},"
        "'labels':{'tier':null}},'spec':{'replicas':3,'strategy':{'$retainKeys':['type'],"
        "'rollingUpdate':null,'type':'Recreate'},'template':{'spec':{"
        "'$setElementOrder/containers':[{'name':'web'},{'name':'log'}],'containers':["
        "{'$setElementOrder/env':[{'name':'A'},{'name':'C'}],'env':[{'name':'C','value':'3'},"
        "{'$patch':'delete','name':'B'}],'image':'nginx:1.25','name':'web'},"
        "{'image':'fluent/fluent-bit:3','name':'log'}]}}}}";

static const char apply_want[] =
        "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':"
        "'default','uid':'1b4e28ba','resourceVersion':'42','generation':3,'labels':{'app':'web',"
        "'team':'x'},'annotations':{'deployment.kubernetes.io/revision':'3',"
        "'kubectl.kubernetes.io/last-applied-configuration':'new'}},'spec':{'replicas':3,"
        "'selector':{'matchLabels':{'app':'web'}},'strategy':{'type':'Recreate'},'template':"
        "{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'web','image':"
        "'nginx:1.25','imagePullPolicy':'IfNotPresent','env':[{'name':'A','value':'1'},"
        "{'name':'C','value':'3'},{'name':'X','value':'9'}],'terminationMessagePath':"
        "'/dev/termination-log'},{'image':'fluent/fluent-bit:3','name':'log'}],'restartPolicy':"
        "'Always','dnsPolicy':'ClusterFirst'}},'progressDeadlineSeconds':600},"
        "'status':{'replicas':2,'readyReplicas':2}}";

static const struct pcase node_cases[] = {
        { "kubectl cordon",
          "{'kind':'Node','metadata':{'name':'n1'},'spec':{'podCIDR':'10.0.0.0/24'}}",
          "{'spec':{'unschedulable':true}}",
          "{'kind':'Node','metadata':{'name':'n1'},'spec':{'podCIDR':'10.0.0.0/24',"
          "'unschedulable':true}}",
          0, NULL },
        { "kubectl uncordon",
          "{'kind':'Node','metadata':{'name':'n1'},'spec':{'podCIDR':'10.0.0.0/24',"
          "'unschedulable':true}}",
          "{'spec':{'unschedulable':null}}",
          "{'kind':'Node','metadata':{'name':'n1'},'spec':{'podCIDR':'10.0.0.0/24'}}", 0, NULL },
        { "node conditions merge by type",
          "{'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'DiskPressure',"
          "'status':'False'}]}}",
          "{'status':{'conditions':[{'type':'Ready','status':'False','reason':'KubeletDown'}]}}",
          "{'status':{'conditions':[{'type':'Ready','status':'False','reason':'KubeletDown'},"
          "{'type':'DiskPressure','status':'False'}]}}",
          0, NULL },
};

/* Ordering cases modelled on upstream's patch_test.go ("preserve order",
 * "set elements order ... with server-only items"), as containers known by
 * name; "other" there is a field only the live object has (here
 * imagePullPolicy). */
#define C(n)       "{'name':'c" #n "'}"
#define CV(n)      "{'name':'c" #n "','image':'i" #n "'}"
#define CO(n)      "{'name':'c" #n "','imagePullPolicy':'Always'}"
#define CVO(n)     "{'name':'c" #n "','image':'i" #n "','imagePullPolicy':'Always'}"
#define PODL(...)  "{'spec':{'containers':[" __VA_ARGS__ "]}}"
#define ORDER(...) "'$setElementOrder/containers':[" __VA_ARGS__ "]"

static const struct pcase order_cases[] = {
        { "upstream: add an item in a list and preserve order", PODL(CO(1) "," CVO(2)),
          "{'spec':{" ORDER(C(3) "," C(1) "," C(2)) ",'containers':[" CV(3) "]}}",
          PODL(CV(3) "," CO(1) "," CVO(2)), 0, NULL },
        { "upstream: add multiple items in a list and preserve order", PODL(CO(1) "," CVO(2)),
          "{'spec':{" ORDER(C(1) "," C(4) "," C(2) "," C(3)) ",'containers':[" CV(4) "," CV(
                  3) "]}}",
          PODL(CO(1) "," CV(4) "," CVO(2) "," CV(3)), 0, NULL },
        { "upstream: set elements order with server-only items",
          PODL(CO(1) "," CV(3) "," CV(4) "," CV(2) "," C(9)),
          "{'spec':{" ORDER(C(4) "," C(2) "," C(3) "," C(1)) "}}",
          PODL(CV(4) "," CV(2) "," CV(3) "," CO(1) "," C(9)), 0, NULL },
        { "upstream: set elements order with server-only items 2",
          PODL(CO(1) "," CV(2) "," C(9) "," CV(3) "," CV(4)),
          "{'spec':{" ORDER(C(2) "," C(1) "," C(4) "," C(3)) "}}",
          PODL(CV(2) "," CO(1) "," C(9) "," CV(4) "," CV(3)), 0, NULL },
        { "upstream: set elements order with server-only items 3",
          PODL(CO(1) "," CV(2) "," C(7) "," C(9) "," C(8) "," CV(3) "," CV(4)),
          "{'spec':{" ORDER(C(2) "," C(1) "," C(4) "," C(3)) "}}",
          PODL(CV(2) "," CO(1) "," C(7) "," C(9) "," C(8) "," CV(4) "," CV(3)), 0, NULL },
        { "upstream: set element order with a duplicate",
          PODL(C(1) ",{'name':'c2','image':'dup1'}," C(3) ",{'name':'c2','image':'dup2'}," C(4)),
          "{'spec':{" ORDER(C(2) "," C(1) "," C(4) "," C(3) "," C(2)) "}}",
          PODL("{'name':'c2','image':'dup1'},{'name':'c2','image':'dup2'}," C(1) "," C(4) "," C(3)),
          0, NULL },
        { "upstream: delete an item in a list and preserve order", PODL(CO(1) "," CVO(2) "," CV(3)),
          "{'spec':{" ORDER(C(2) "," C(1)) ",'containers':[{'name':'c3','$patch':'delete'}]}}",
          PODL(CVO(2) "," CO(1)), 0, NULL },
        { "upstream: set elements order in a primitive list with server-only items",
          "{'metadata':{'finalizers':['1','3','4','2','9']}}",
          "{'metadata':{'$setElementOrder/finalizers':['4','2','3','1']}}",
          "{'metadata':{'finalizers':['4','2','3','1','9']}}", 0, NULL },
        { "upstream: add an item in a primitive list and preserve order",
          "{'metadata':{'finalizers':['1','2','9']}}",
          "{'metadata':{'$setElementOrder/finalizers':['3','1','2'],'finalizers':['3']}}",
          "{'metadata':{'finalizers':['3','1','2','9']}}", 0, NULL },
        { "upstream: retainKeys list of maps clears a field (volume source switch)",
          "{'spec':{'volumes':[{'name':'bar','emptyDir':{}},{'name':'foo','configMap':{'name':"
          "'a'},'hostPath':{'path':'/x'}}]}}",
          "{'spec':{'$setElementOrder/volumes':[{'name':'bar'},{'name':'foo'}],'volumes':[{"
          "'$retainKeys':['configMap','name'],'name':'foo'}]}}",
          "{'spec':{'volumes':[{'name':'bar','emptyDir':{}},{'name':'foo','configMap':{'name':"
          "'a'}}]}}",
          0, NULL },
        { "upstream: retainKeys map clears a defaulted field (discriminated union)",
          "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}",
          "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}",
          "{'spec':{'strategy':{'type':'Recreate'}}}", 0, NULL },
};

/* Without a schema, or under an `object` field: lists are replaced. */
static const struct pcase untyped_cases[] = {
        { "no schema: lists are replaced",
          "{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b'}]}}",
          "{'spec':{'containers':[{'name':'a','image':'2'}]}}",
          "{'spec':{'containers':[{'name':'a','image':'2'}]}}", 0, NULL },
        { "no schema: maps merge and null deletes", "{'spec':{'a':1,'b':{'c':2,'d':3}}}",
          "{'spec':{'a':null,'b':{'c':4}}}", "{'spec':{'b':{'c':4,'d':3}}}", 0, NULL },
        { "no schema: $patch replace still works", "{'spec':{'a':1,'b':2}}",
          "{'spec':{'$patch':'replace','c':3}}", "{'spec':{'c':3}}", 0, NULL },
        { "no schema: $deleteFromPrimitiveList still works", "{'list':['a','b','c']}",
          "{'$deleteFromPrimitiveList/list':['b']}", "{'list':['a','c']}", 0, NULL },
};

static const struct pcase revision_cases[] = {
        { "an object field falls back to merge semantics",
          "{'metadata':{'name':'r1'},'revision':1,'data':{'spec':{'template':{'spec':"
          "{'containers':[{'name':'a','image':'1'},{'name':'b'}]}}}}}",
          "{'revision':2,'data':{'spec':{'template':{'spec':{'containers':[{'name':'a',"
          "'image':'2'}]}}}}}",
          "{'metadata':{'name':'r1'},'revision':2,'data':{'spec':{'template':{'spec':"
          "{'containers':[{'name':'a','image':'2'}]}}}}}",
          0, NULL },
};

static void test_apply(void) {
        const struct pcase c = { "kubectl apply (client-side three-way patch)",
                                 apply_live,
                                 apply_patch,
                                 apply_want,
                                 0,
                                 NULL };
        run(K_SMP, deploy_t, &c);
        /* The same patch is idempotent once applied. */
        _cleanup_json_ json *live = J(apply_live), *patch = J(apply_patch), *want = J(apply_want);
        _cleanup_json_ json *once = NULL, *twice = NULL;
        ok(patch_strategic(live, patch, deploy_t, &once, NULL) == 0 &&
                   patch_strategic(once, patch, deploy_t, &twice, NULL) == 0 &&
                   json_equal(twice, want),
           "kubectl apply: applying the patch twice gives the same object");
        /* Through the handler's entry point. */
        _cleanup_json_ json *out = NULL;
        is_int(patch_apply(PATCH_TYPE_STRATEGIC, live, patch, deploy_t, &out, NULL), 0,
               "kubectl apply through patch_apply");
        ok(out && json_equal(out, want), "kubectl apply through patch_apply: result");
}

static void test_limits(void) {
        /* More operations than upstream allows: 413. */
        _cleanup_json_ json *doc = J("{'a':1}"), *ops = json_new_array();
        for (int i = 0; i <= PATCH_MAX_OPERATIONS; i++)
                json_array_append(ops, J("{'op':'test','path':'/a','value':1}"));
        _cleanup_json_ json *out = NULL;
        _cleanup_error_ tm_error *e = NULL;
        is_int(patch_apply(PATCH_TYPE_JSON, doc, ops, NULL, &out, &e), -E2BIG,
               "10001 operations: -E2BIG");
        ok(e && strstr(e->msg, "maximum operations in a JSON patch is 10000, got 10001"),
           "10001 operations: upstream's message");
        ok(!out, "10001 operations: no result");
        /* But patch_json itself takes them. */
        is_int(patch_json(doc, ops, &out, NULL), 0, "10001 operations: patch_json applies them");
        json_free(TAKE_PTR(out));

        /* Copies that grow the document past the copy limit. */
        _cleanup_free_ char *big = xmalloc(1024 * 1024 + 1);
        memset(big, 'x', 1024 * 1024);
        big[1024 * 1024] = '\0';
        _cleanup_json_ json *bdoc = json_new_object();
        json_object_set(bdoc, "s", json_new_string(big));
        _cleanup_json_ json *copies = J("[{'op':'copy','from':'/s','path':'/t'},"
                                        "{'op':'copy','from':'/s','path':'/u'},"
                                        "{'op':'copy','from':'/s','path':'/v'}]");
        tm_error_free(TAKE_PTR(e));
        is_int(patch_json(bdoc, copies, &out, &e), -EDOM, "copies beyond 3 MiB: -EDOM");
        ok(e && strstr(e->msg, "accumulated size increase of copy"),
           "copies beyond 3 MiB: upstream's message");
        json_array_remove(copies, 2);
        is_int(patch_json(bdoc, copies, &out, NULL), 0, "two 1 MiB copies are fine");
        json_free(TAKE_PTR(out));

        /* Copies that nest the document deeper than it can be read back. */
        _cleanup_json_ json *ddoc = J("{'a':{}}"), *nest = json_new_array();
        _cleanup_free_ char *path = xstrdup("/a");
        for (int i = 0; i < 120; i++) {
                json *op = json_new_object();
                json_object_set_string(op, "op", "copy");
                json_object_set_string(op, "from", "/a");
                char *p = xasprintf("%s/a", path);
                json_object_set_string(op, "path", p);
                free(path);
                path = p;
                json_array_append(nest, op);
        }
        tm_error_free(TAKE_PTR(e));
        is_int(patch_json(ddoc, nest, &out, &e), -EDOM, "nesting beyond 100 levels: -EDOM");
        ok(e && strstr(e->msg, "nest deeper than 100"), "nesting beyond 100 levels: message");
}

/* Long lists: matching is hashed, not a scan per element. */
static void test_long_lists(void) {
        enum { N = 20000 };
        _cleanup_json_ json *doc = json_new_object(), *patch = json_new_object();
        json *cs = json_new_array(), *pcs = json_new_array(), *fin = json_new_array(),
             *pfin = json_new_array();
        for (int i = 0; i < N; i++) {
                char b[32];
                json *c = json_new_object(), *pc = json_new_object();
                snprintf(b, sizeof b, "c%d", i);
                json_object_set_string(c, "name", b);
                json_array_append(cs, c);
                json_array_append(fin, json_new_string(b));
                /* every other one is new */
                snprintf(b, sizeof b, "c%d", i % 2 ? i : N + i);
                json_object_set_string(pc, "name", b);
                json_object_set_string(pc, "image", "x");
                json_array_append(pcs, pc);
                json_array_append(pfin, json_new_string(b));
        }
        json_object_set(json_object_ensure_object(doc, "spec"), "containers", cs);
        json_object_set(json_object_ensure_object(doc, "metadata"), "finalizers", fin);
        json_object_set(json_object_ensure_object(patch, "spec"), "containers", pcs);
        json_object_set(json_object_ensure_object(patch, "metadata"), "finalizers", pfin);
        _cleanup_json_ json *out = NULL;
        is_int(patch_strategic(doc, patch, pod_t, &out, NULL), 0, "long lists: patched");
        is_int(json_array_len(json_get(out, "spec", "containers", NULL)), N + N / 2,
               "long lists: containers merged by name");
        is_int(json_array_len(json_get(out, "metadata", "finalizers", NULL)), N + N / 2,
               "long lists: finalizers unioned");
        const json *merged = json_get(out, "spec", "containers", NULL);
        const char *image = NULL;
        for (size_t i = 0; i < json_array_len(merged); i++)
                if (streq_ptr(json_object_get_string(json_array_get(merged, i), "name"), "c1"))
                        image = json_object_get_string(json_array_get(merged, i), "image");
        is_str(image, "x", "long lists: a merged container got the image");
}

static void test_content_types(void) {
        is_int(patch_type_from_content_type("application/json-patch+json"), PATCH_TYPE_JSON,
               "content type: json-patch");
        is_int(patch_type_from_content_type("application/merge-patch+json"), PATCH_TYPE_MERGE,
               "content type: merge-patch");
        is_int(patch_type_from_content_type(
                       "application/strategic-merge-patch+json; charset=utf-8"),
               PATCH_TYPE_STRATEGIC, "content type: strategic, with a parameter");
        is_int(patch_type_from_content_type("Application/Merge-Patch+JSON"), PATCH_TYPE_MERGE,
               "content type: case-insensitive");
        is_int(patch_type_from_content_type("application/apply-patch+yaml"), _PATCH_TYPE_INVALID,
               "content type: apply-patch is not ours");
        is_int(patch_type_from_content_type("application/json"), _PATCH_TYPE_INVALID,
               "content type: plain JSON is not a patch");
        is_str(patch_type_to_content_type(PATCH_TYPE_STRATEGIC),
               "application/strategic-merge-patch+json", "content type of strategic");
        is_int(patch_error_http_status(-EINVAL), 400, "-EINVAL is 400");
        is_int(patch_error_http_status(-E2BIG), 413, "-E2BIG is 413");
        is_int(patch_error_http_status(-ENOENT), 422, "-ENOENT is 422");
        is_int(patch_error_http_status(-EDOM), 422, "-EDOM is 422");
        is_int(patch_error_http_status(-EBADMSG), 500, "-EBADMSG is 500");
        is_str(patch_error_reason(-EDOM), "Invalid", "-EDOM is Invalid");
        is_str(patch_error_reason(-EINVAL), "BadRequest", "-EINVAL is BadRequest");
}

int main(void) {
        pod_t = schema_type_by_gvk("", "v1", "Pod");
        const struct schema_resource *dr = schema_resource_by_kind("apps", "v1", "Deployment");
        deploy_t = dr ? dr->type : NULL;
        node_t = schema_type_by_gvk("", "v1", "Node");
        rev_t = schema_type_by_gvk("apps", "v1", "ControllerRevision");
        if (!ok(pod_t && deploy_t && node_t && rev_t, "schema types for Pod, Deployment, Node, "
                                                      "ControllerRevision"))
                return tap_done();

        run_all(K_JSON, NULL, json_patch_cases, ELEMENTSOF(json_patch_cases));
        run_all(K_MERGE, NULL, merge_cases, ELEMENTSOF(merge_cases));
        run_all(K_APPLY_MERGE, NULL, apply_merge_cases, ELEMENTSOF(apply_merge_cases));
        run_all(K_APPLY_JSON, NULL, apply_json_cases, ELEMENTSOF(apply_json_cases));
        run_all(K_SMP, pod_t, pod_cases, ELEMENTSOF(pod_cases));
        run_all(K_SMP, deploy_t, deploy_cases, ELEMENTSOF(deploy_cases));
        run_all(K_SMP, pod_t, order_cases, ELEMENTSOF(order_cases) - 1);
        run(K_SMP, deploy_t, &order_cases[ELEMENTSOF(order_cases) - 1]);
        run_all(K_SMP, node_t, node_cases, ELEMENTSOF(node_cases));
        run_all(K_SMP, NULL, untyped_cases, ELEMENTSOF(untyped_cases));
        run_all(K_SMP, rev_t, revision_cases, ELEMENTSOF(revision_cases));
        test_apply();
        test_limits();
        test_long_lists();
        test_content_types();
        return tap_done();
}
