#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate OpenAPI v3 component documents from api/schema/<gv>.yaml.

    python3 api/tools/gen-openapi.py [--schema-dir api/schema] [--out-dir DIR]

Writes one JSON document per served group-version, named after its
/openapi/v3 path (api__v1.json, apis__apps__v1.json), holding every schema
the group-version's kinds reach, under upstream's type names with
x-kubernetes-group-version-kind, so that clients that look a kind up by its
GVK (kubectl explain) find it. Paths are left to the API server, which knows
its routes. Committed, and checked by `make check-generated`.
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


def ref(target):
    return {"$ref": "#/components/schemas/" + target}


class Doc:
    def __init__(self, types):
        self.types = types
        self.schemas = {}

    def value(self, v):
        if "ref" in v:
            self.add(v["ref"])
            return ref(upstream_name(v["ref"]))
        t = v["type"]
        if t in SCALAR_DEFS:
            name, schema = SCALAR_DEFS[t]
            self.schemas[name] = schema
            return ref(name)
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
        if "$ref" in s and extra:
            # Siblings of $ref are ignored in OpenAPI 3.0: wrap it.
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema-dir", default=os.path.join(HERE, "..", "schema"))
    ap.add_argument("--out-dir", default=os.path.join(HERE, "..", "generated", "openapi-v3"))
    args = ap.parse_args()

    docs, types = [], {}
    for fn in sorted(os.listdir(args.schema_dir)):
        if fn.endswith(".yaml") and not fn.endswith(".overlay.yaml"):
            with open(os.path.join(args.schema_dir, fn)) as f:
                d = yaml.safe_load(f)
            docs.append(d)
            types.update(d.get("definitions") or {})

    os.makedirs(args.out_dir, exist_ok=True)
    for d in docs:
        if not d.get("served", True):
            continue
        group, version = d.get("group", ""), d["version"]
        doc = Doc(types)
        for r in d.get("resources") or []:
            doc.add(r["type"])
            if r.get("list"):
                doc.add(r["list"])
        # Every group-version speaks these.
        for name in ("meta.v1.Status", "meta.v1.DeleteOptions", "meta.v1.WatchEvent",
                     "meta.v1.APIResourceList", "meta.v1.Patch"):
            doc.add(name)
        for t in types.values():
            for r in d.get("resources") or []:
                for s in r.get("subresources") or []:
                    gvk = {"group": s.get("group"), "version": s.get("version"),
                           "kind": s.get("kind")}
                    if t.get("gvk") == gvk:
                        doc.add(next(n for n, x in types.items() if x is t))
        path = "api/v1" if group == "" else "apis/%s/%s" % (group, version)
        body = {
            "openapi": "3.0.0",
            "info": {"title": "timonier", "version": "v1.36.0"},
            "paths": {},
            "components": {"schemas": {k: doc.schemas[k] for k in sorted(doc.schemas)}},
        }
        out = os.path.join(args.out_dir, path.replace("/", "__") + ".json")
        with open(out, "w") as f:
            json.dump(body, f, sort_keys=True, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
