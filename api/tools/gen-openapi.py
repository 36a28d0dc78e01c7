#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate OpenAPI v3 component documents from api/schema/<gv>.yaml.

    python3 api/tools/gen-openapi.py [--schema-dir api/schema] [--out-dir DIR]

Writes one OpenAPI v3 document per served group-version, named after its
/openapi/v3 path (api__v1.json, apis__apps__v1.json), and with --v2-out one
Swagger 2.0 document for /openapi/v2. Each holds the paths of the served
resources (operationId, x-kubernetes-action, x-kubernetes-group-version-kind,
the query parameters kubectl looks for, fieldValidation among them, and the
patch media types) and every schema they reach, under upstream's type names
with x-kubernetes-group-version-kind, merge keys and list types, so that
kubectl explain, validation and apply find what they need. Committed, and
checked by `make check-generated`.
"""

import argparse
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

SCALAR_DEFS = {
    "quantity": ("io.k8s.apimachinery.pkg.api.resource.Quantity",
                 {"type": "string", "description": "A fixed-point number with an optional SI or binary suffix."}),
    "int-or-string": ("io.k8s.apimachinery.pkg.util.intstr.IntOrString",
                      {"type": "string", "format": "int-or-string",
                       "description": "An integer or a string."}),
    "date-time": ("io.k8s.apimachinery.pkg.apis.meta.v1.Time",
                  {"type": "string", "format": "date-time",
                   "description": "An RFC 3339 time, to the second."}),
    "micro-time": ("io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
                   {"type": "string", "format": "date-time",
                    "description": "An RFC 3339 time, to the microsecond."}),
}
PLAIN = {
    "string": {"type": "string"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "number": {"type": "number", "format": "double"},
    "boolean": {"type": "boolean"},
    "byte": {"type": "string", "format": "byte"},
    "object": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
}


def die(msg):
    sys.stderr.write("gen-openapi: %s\n" % msg)
    sys.exit(1)


def upstream_name(name):
    if name.startswith("meta.v1."):
        return "io.k8s.apimachinery.pkg.apis." + name
    return "io.k8s.api." + name


class Doc:
    """The schemas one document holds. v3 refers to #/components/schemas/
    and wraps a $ref that has siblings in allOf (OpenAPI 3.0 ignores the
    siblings); v2 refers to #/definitions/ and keeps them, as upstream."""

    def __init__(self, types, v2=False):
        self.types = types
        self.v2 = v2
        self.schemas = {}

    def ref(self, target):
        return {"$ref": ("#/definitions/" if self.v2 else "#/components/schemas/") + target}

    def value(self, v):
        if "ref" in v:
            self.add(v["ref"])
            return self.ref(upstream_name(v["ref"]))
        t = v["type"]
        if t in SCALAR_DEFS:
            name, schema = SCALAR_DEFS[t]
            self.schemas[name] = schema
            return self.ref(name)
        if t == "array":
            return {"type": "array", "items": self.value(v["items"])}
        if t == "map":
            return {"type": "object", "additionalProperties": self.value(v["values"])}
        return dict(PLAIN[t])

    def field(self, f):
        s = self.value(f)
        extra = {}
        if f.get("description"):
            extra["description"] = f["description"]
        if "default" in f:
            extra["default"] = f["default"]
        if f.get("enum"):
            if f.get("type") == "array":
                s["items"] = dict(s["items"], enum=f["enum"])
            else:
                extra["enum"] = f["enum"]
        for key, out in (("patchStrategy", "x-kubernetes-patch-strategy"),
                         ("patchMergeKey", "x-kubernetes-patch-merge-key"),
                         ("listType", "x-kubernetes-list-type"),
                         ("listMapKeys", "x-kubernetes-list-map-keys"),
                         ("mapType", "x-kubernetes-map-type")):
            if key in f:
                extra[out] = f[key]
        if "$ref" in s and extra and not self.v2:
            s = {"allOf": [s]}
        s.update(extra)
        return s

    def add(self, name):
        uname = upstream_name(name)
        if uname in self.schemas:
            return
        t = self.types.get(name)
        if t is None:
            die("unknown type %s" % name)
        out = {"type": "object"}
        self.schemas[uname] = out  # before recursing: types refer to themselves
        if t.get("description"):
            out["description"] = t["description"]
        fields = t.get("fields") or {}
        required = sorted(n for n, f in fields.items() if f.get("required"))
        if required:
            out["required"] = required
        out["properties"] = {n: self.field(fields[n]) for n in sorted(fields)}
        if t.get("gvk"):
            out["x-kubernetes-group-version-kind"] = [t["gvk"]]
        if t.get("mapType"):
            out["x-kubernetes-map-type"] = t["mapType"]

    def type_for_gvk(self, gvk):
        for n in sorted(self.types):
            if self.types[n].get("gvk") == gvk:
                return n
        return None


# --- paths -----------------------------------------------------------------
# Query parameters: name -> (type, description). Descriptions are ours.
PARAMS = {
    "pretty": ("string", "If 'true', the output is indented."),
    "dryRun": ("string", "Set to All to run every stage of the request without persisting it."),
    "fieldManager": ("string", "The name of the actor making the change, recorded in managedFields."),
    "fieldValidation": ("string", "What to do with unknown or duplicate fields in the object: "
                        "Ignore (drop them), Warn (drop them and send a Warning header, the default) "
                        "or Strict (fail the request with 400 BadRequest)."),
    "force": ("boolean", "Server-side apply: take ownership of fields other managers hold."),
    "allowWatchBookmarks": ("boolean", "Ask for BOOKMARK events in a watch."),
    "continue": ("string", "The continue token of the previous page of a list."),
    "fieldSelector": ("string", "Restrict the objects returned by their fields."),
    "labelSelector": ("string", "Restrict the objects returned by their labels."),
    "limit": ("integer", "The most objects to return in one page."),
    "resourceVersion": ("string", "The resource version to read or watch from."),
    "resourceVersionMatch": ("string", "How resourceVersion applies to a list: Exact or NotOlderThan."),
    "sendInitialEvents": ("boolean", "Start a watch with ADDED events for the existing objects."),
    "timeoutSeconds": ("integer", "End a list or watch call after this many seconds."),
    "watch": ("boolean", "Watch for changes instead of listing."),
    "gracePeriodSeconds": ("integer", "Seconds to wait before the object is deleted."),
    "orphanDependents": ("boolean", "Deprecated: use propagationPolicy."),
    "propagationPolicy": ("string", "Whether and how dependents are collected: Orphan, Background or Foreground."),
    "container": ("string", "The container, when the pod has more than one."),
    "follow": ("boolean", "Stream the log as it grows."),
    "insecureSkipTLSVerifyBackend": ("boolean", "Do not verify the kubelet's serving certificate."),
    "limitBytes": ("integer", "Stop after this many bytes of log."),
    "previous": ("boolean", "The log of the previous instance of the container."),
    "sinceSeconds": ("integer", "Only the log lines newer than this many seconds."),
    "tailLines": ("integer", "Only this many lines from the end of the log."),
    "timestamps": ("boolean", "Prefix each log line with its RFC 3339 timestamp."),
    "command": ("string", "The command to run, one argument per parameter."),
    "stdin": ("boolean", "Attach the standard input."),
    "stdout": ("boolean", "Attach the standard output."),
    "stderr": ("boolean", "Attach the standard error."),
    "tty": ("boolean", "Allocate a terminal."),
    "ports": ("integer", "The ports to forward."),
    "path": ("string", "The path to send the request to."),
}
LIST_PARAMS = ["allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit",
               "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds",
               "watch"]
WRITE_PARAMS = ["dryRun", "fieldManager", "fieldValidation"]
DELETE_PARAMS = ["dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"]
CONNECT_PARAMS = {
    "attach": ["container", "stderr", "stdin", "stdout", "tty"],
    "exec": ["command", "container", "stderr", "stdin", "stdout", "tty"],
    "portforward": ["ports"],
    "proxy": ["path"],
}
LOG_PARAMS = ["container", "follow", "insecureSkipTLSVerifyBackend", "limitBytes", "previous",
              "sinceSeconds", "tailLines", "timestamps"]
PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml"]
PRODUCES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]
WATCH_PRODUCES = PRODUCES + ["application/json;stream=watch",
                             "application/vnd.kubernetes.protobuf;stream=watch"]
METHODS = ["get", "put", "post", "delete", "options", "head", "patch"]


def camel(s):
    return s[:1].upper() + s[1:]


def group_camel(group):
    if group == "":
        return "Core"
    return "".join(camel(p) for p in group.replace(".k8s.io", "").split("."))


class Op:
    """One operation, rendered for v2 or v3."""

    def __init__(self, op_id, action, gvk, desc, tag):
        self.op_id, self.action, self.gvk, self.desc, self.tag = op_id, action, gvk, desc, tag
        self.params = []        # query parameter names
        self.body = None        # (schema, required)
        self.consumes = ["*/*"]
        self.produces = PRODUCES
        self.responses = []     # (code, text, schema or None)

    def render(self, doc):
        v2 = doc.v2
        out = {"description": self.desc, "operationId": self.op_id, "tags": [self.tag]}
        if self.action:
            out["x-kubernetes-action"] = self.action
        if self.gvk:
            out["x-kubernetes-group-version-kind"] = self.gvk
        params = [param(p, v2) for p in self.params]
        if self.body:
            schema, required = self.body
            if v2:
                b = {"in": "body", "name": "body", "schema": schema}
                if required:
                    b["required"] = True
                params.insert(0, b)
            else:
                rb = {"content": {ct: {"schema": schema} for ct in self.consumes}}
                if required:
                    rb["required"] = True
                out["requestBody"] = rb
        if params:
            out["parameters"] = params
        responses = {}
        for code, text, schema in self.responses:
            r = {"description": text}
            if schema is not None:
                if v2:
                    r["schema"] = schema
                else:
                    r["content"] = {ct: {"schema": schema} for ct in self.produces}
            responses[code] = r
        responses["401"] = {"description": "Unauthorized"}
        out["responses"] = responses
        if v2:
            out["consumes"] = self.consumes
            out["produces"] = self.produces
        return out


def param(name, v2, where="query", desc=None, required=False):
    t, d = PARAMS.get(name, ("string", desc))
    p = {"name": name, "in": where, "description": desc or d}
    if required:
        p["required"] = True
    if v2:
        p["type"] = t
        p["uniqueItems"] = True
    else:
        p["schema"] = {"type": t, "uniqueItems": True}
    return p


def gv_paths(d, doc):
    """The paths of one group-version's resources, as upstream lays them
    out: collection, item, subresources, the watch forms, and the
    all-namespaces list for namespaced resources."""
    v2 = doc.v2
    group, version = d.get("group", ""), d["version"]
    prefix = "/api/v1" if group == "" else "/apis/%s/%s" % (group, version)
    gvc = group_camel(group) + camel(version)
    tag = "%s_%s" % (group_camel(group)[:1].lower() + group_camel(group)[1:], version)
    paths = {}

    def add(path, method, op, path_params):
        item = paths.setdefault(path, {})
        item[method] = op.render(doc)
        item["parameters"] = path_params

    def path_param(name, what):
        return param(name, v2, where="path", desc=what, required=True)

    for r in d.get("resources") or []:
        kind, plural, verbs = r["kind"], r["resource"], set(r["verbs"])
        gvk = {"group": group, "version": version, "kind": kind}
        ns = r["scope"] == "Namespaced"
        nsw = "Namespaced" if ns else ""
        base = prefix + ("/namespaces/{namespace}/" if ns else "/") + plural
        watch_base = prefix + "/watch" + ("/namespaces/{namespace}/" if ns else "/") + plural
        doc.add(r["type"])
        obj = doc.ref(upstream_name(r["type"]))
        lst = None
        if r.get("list"):
            doc.add(r["list"])
            lst = doc.ref(upstream_name(r["list"]))
        status = doc.ref(upstream_name("meta.v1.Status"))
        delopts = doc.ref(upstream_name("meta.v1.DeleteOptions"))
        patch = doc.ref(upstream_name("meta.v1.Patch"))
        event = doc.ref(upstream_name("meta.v1.WatchEvent"))
        coll_params = ([path_param("namespace", "The object's namespace.")] if ns else []) + \
            [param("pretty", v2)]
        item_params = [path_param("name", "The name of the %s." % kind)] + coll_params

        def op(verb, sub="", action=None, g=gvk, suffix=""):
            o = Op("%s%s%s%s%s%s" % (verb, gvc, suffix, nsw, kind, sub), action or verb, g,
                   "", tag)
            return o

        if "list" in verbs and lst:
            o = op("list")
            o.desc = "List or watch %s objects." % kind
            o.params = LIST_PARAMS
            o.produces = WATCH_PRODUCES
            o.responses = [("200", "OK", lst)]
            add(base, "get", o, coll_params)
            if ns:
                o = Op("list%s%sForAllNamespaces" % (gvc, kind), "list", gvk,
                       "List or watch %s objects in every namespace." % kind, tag)
                o.params = LIST_PARAMS
                o.produces = WATCH_PRODUCES
                o.responses = [("200", "OK", lst)]
                add(prefix + "/" + plural, "get", o, [param("pretty", v2)])
        if "create" in verbs:
            o = op("create", action="post")
            o.desc = "Create a %s." % kind
            o.body = (obj, True)
            o.params = WRITE_PARAMS
            o.responses = [("200", "OK", obj), ("201", "Created", obj), ("202", "Accepted", obj)]
            add(base, "post", o, coll_params)
        if "deletecollection" in verbs:
            o = op("delete", action="deletecollection", suffix="Collection")
            o.desc = "Delete a collection of %s objects." % kind
            o.body = (delopts, False)
            o.params = ["continue"] + DELETE_PARAMS + [p for p in LIST_PARAMS if p not in (
                "allowWatchBookmarks", "watch", "continue")]
            o.responses = [("200", "OK", status)]
            add(base, "delete", o, coll_params)
        if "get" in verbs:
            o = op("read", action="get")
            o.desc = "Read the named %s." % kind
            o.responses = [("200", "OK", obj)]
            add(base + "/{name}", "get", o, item_params)
        if "update" in verbs:
            o = op("replace", action="put")
            o.desc = "Replace the named %s." % kind
            o.body = (obj, True)
            o.params = WRITE_PARAMS
            o.responses = [("200", "OK", obj), ("201", "Created", obj)]
            add(base + "/{name}", "put", o, item_params)
        if "patch" in verbs:
            o = op("patch")
            o.desc = "Partially update the named %s." % kind
            o.body = (patch, True)
            o.consumes = PATCH_TYPES
            o.params = WRITE_PARAMS + ["force"]
            o.responses = [("200", "OK", obj), ("201", "Created", obj)]
            add(base + "/{name}", "patch", o, item_params)
        if "delete" in verbs:
            o = op("delete")
            o.desc = "Delete the named %s." % kind
            o.body = (delopts, False)
            o.params = DELETE_PARAMS
            o.responses = [("200", "OK", obj), ("202", "Accepted", obj)]
            add(base + "/{name}", "delete", o, item_params)
        if "watch" in verbs:
            o = op("watch")
            o.desc = "Watch changes to the named %s (deprecated: use list with watch and a fieldSelector)." % kind
            o.params = LIST_PARAMS
            o.produces = WATCH_PRODUCES
            o.responses = [("200", "OK", event)]
            add(watch_base + "/{name}", "get", o, item_params)
            o = op("watch", action="watchlist", sub="List")
            o.desc = "Watch changes to %s objects (deprecated: use list with watch)." % kind
            o.params = LIST_PARAMS
            o.produces = WATCH_PRODUCES
            o.responses = [("200", "OK", event)]
            add(watch_base, "get", o, coll_params)
            if ns:
                o = Op("watch%s%sListForAllNamespaces" % (gvc, kind), "watchlist", gvk,
                       "Watch changes to %s objects in every namespace (deprecated)." % kind, tag)
                o.params = LIST_PARAMS
                o.produces = WATCH_PRODUCES
                o.responses = [("200", "OK", event)]
                add(prefix + "/watch/" + plural, "get", o, [param("pretty", v2)])

        for s in r.get("subresources") or []:
            sname = s["name"]
            sgvk = {"group": s.get("group") or "", "version": s["version"], "kind": s["kind"]}
            stype = doc.type_for_gvk(sgvk)
            sobj = {"type": "object"}  # a kind the schema does not define
            if stype:
                doc.add(stype)
                sobj = doc.ref(upstream_name(stype))
            scamel = camel(sname)
            spath = base + "/{name}/" + sname
            sverbs = s["verbs"]
            if sname in CONNECT_PARAMS:
                methods = {"get": "Get", "create": "Post", "update": "Put", "patch": "Patch",
                           "delete": "Delete"}
                pp = item_params + [param(p, v2) for p in CONNECT_PARAMS.get(sname, [])]
                for verb in sverbs:
                    m = methods[verb]
                    o = Op("connect%s%s%s%s%s" % (m, gvc, nsw, kind, scamel), "connect", sgvk,
                           "Connect %s requests to the %s subresource of a %s." % (m.upper(), sname, kind), tag)
                    o.produces = ["*/*"]
                    o.responses = [("200", "OK", {"type": "string"})]
                    add(spath, {"Get": "get", "Post": "post", "Put": "put", "Patch": "patch",
                                "Delete": "delete"}[m], o, pp)
                continue
            if sname == "log":
                o = op("read", sub=scamel, action="get", g=sgvk)
                o.desc = "Read the log of a container of the named %s." % kind
                o.produces = ["text/plain", "application/json", "application/yaml",
                              "application/vnd.kubernetes.protobuf"]
                o.responses = [("200", "OK", {"type": "string"})]
                add(spath, "get", o, item_params + [param(p, v2) for p in LOG_PARAMS])
                continue
            if "get" in sverbs:
                o = op("read", sub=scamel, action="get", g=sgvk)
                o.desc = "Read the %s of the named %s." % (sname, kind)
                o.responses = [("200", "OK", sobj)]
                add(spath, "get", o, item_params)
            if "create" in sverbs:
                o = op("create", sub=scamel, action="post", g=sgvk)
                o.desc = "Create the %s of the named %s." % (sname, kind)
                o.body = (sobj, True)
                o.params = WRITE_PARAMS
                o.responses = [("200", "OK", sobj), ("201", "Created", sobj), ("202", "Accepted", sobj)]
                add(spath, "post", o, item_params)
            if "update" in sverbs:
                o = op("replace", sub=scamel, action="put", g=sgvk)
                o.desc = "Replace the %s of the named %s." % (sname, kind)
                o.body = (sobj, True)
                o.params = WRITE_PARAMS
                o.responses = [("200", "OK", sobj), ("201", "Created", sobj)]
                add(spath, "put", o, item_params)
            if "patch" in sverbs:
                o = op("patch", sub=scamel, g=sgvk)
                o.desc = "Partially update the %s of the named %s." % (sname, kind)
                o.body = (patch, True)
                o.consumes = PATCH_TYPES
                o.params = WRITE_PARAMS + ["force"]
                o.responses = [("200", "OK", sobj), ("201", "Created", sobj)]
                add(spath, "patch", o, item_params)
    # Discovery of the group-version itself.
    o = Op("get%sAPIResources" % gvc, None, None, "The resources of %s." % prefix[1:], tag)
    o.responses = [("200", "OK", doc.ref(upstream_name("meta.v1.APIResourceList")))]
    o.consumes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]
    paths.setdefault(prefix + "/", {})["get"] = o.render(doc)
    return paths


def load(schema_dir):
    docs, types = [], {}
    for fn in sorted(os.listdir(schema_dir)):
        if fn.endswith(".yaml") and not fn.endswith(".overlay.yaml"):
            with open(os.path.join(schema_dir, fn)) as f:
                d = yaml.safe_load(f)
            docs.append(d)
            types.update(d.get("definitions") or {})
    return docs, types


# Every group-version speaks these.
COMMON = ("meta.v1.Status", "meta.v1.DeleteOptions", "meta.v1.WatchEvent",
          "meta.v1.APIResourceList", "meta.v1.Patch")


def write(path, body):
    with open(path, "w") as f:
        json.dump(body, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema-dir", default=os.path.join(HERE, "..", "schema"))
    ap.add_argument("--out-dir", default=os.path.join(HERE, "..", "generated", "openapi-v3"))
    ap.add_argument("--v2-out", default=None,
                    help="also write the OpenAPI v2 document there")
    args = ap.parse_args()

    docs, types = load(args.schema_dir)
    served = [d for d in docs if d.get("served", True)]

    os.makedirs(args.out_dir, exist_ok=True)
    for d in served:
        group, version = d.get("group", ""), d["version"]
        doc = Doc(types)
        paths = gv_paths(d, doc)
        for name in COMMON:
            doc.add(name)
        path = "api/v1" if group == "" else "apis/%s/%s" % (group, version)
        body = {
            "openapi": "3.0.0",
            "info": {"title": "timonier", "version": "v1.36.0"},
            "paths": paths,
            "components": {"schemas": {k: doc.schemas[k] for k in sorted(doc.schemas)}},
        }
        write(os.path.join(args.out_dir, path.replace("/", "__") + ".json"), body)

    if args.v2_out:
        doc = Doc(types, v2=True)
        paths = {}
        for d in served:
            paths.update(gv_paths(d, doc))
        for name in COMMON:
            doc.add(name)
        body = {
            "swagger": "2.0",
            "info": {"title": "timonier", "version": "v1.36.0"},
            "paths": paths,
            "definitions": {k: doc.schemas[k] for k in sorted(doc.schemas)},
            "securityDefinitions": {"BearerToken": {
                "type": "apiKey", "name": "authorization", "in": "header",
                "description": "A bearer token in the Authorization header."}},
            "security": [{"BearerToken": []}],
        }
        write(args.v2_out, body)


if __name__ == "__main__":
    main()
