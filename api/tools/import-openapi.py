#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Import API facts from an upstream OpenAPI v2 document into api/schema/.

Run by hand (never by the build), from the top of the source tree:

    python3 api/tools/import-openapi.py \
        /work/shared/reference/kubernetes-1.36-openapi-v2.json

For every api/schema/<gv>.overlay.yaml it writes api/schema/<gv>.yaml: the
resources the overlay names (kind, scope, verbs and subresources read from
the document's paths) and every type they reach, transitively, each type in
the file of its own group-version. Names, types, formats, required fields,
merge keys and list types come from the document; descriptions, short
names, categories, printer columns, field selectors, enums and defaults come
from the overlays, so re-importing never loses them. Upstream prose is never
copied. See doc/api-schema.md.
"""

import argparse
import json
import os
import re
import sys

import yaml

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema")

# Upstream types that are scalars on the wire.
SCALARS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "int-or-string",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "date-time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "micro-time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "object",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "object",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": "object",
}

CRUD_ACTIONS = {
    "get": "get", "list": "list", "watch": "watch", "watchlist": "watch",
    "post": "create", "put": "update", "patch": "patch", "delete": "delete",
    "deletecollection": "deletecollection",
}
CONNECT_METHODS = {"get": "get", "post": "create", "put": "update",
                   "patch": "patch", "delete": "delete"}


class NoAliasDumper(yaml.SafeDumper):
    """Overlays share columns through anchors; spell them out."""

    def ignore_aliases(self, data):
        return True


def die(msg):
    sys.stderr.write("import-openapi: %s\n" % msg)
    sys.exit(1)


def short_name(upstream):
    """io.k8s.api.core.v1.Pod -> core.v1.Pod; meta types -> meta.v1.X."""
    for prefix in ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis.",
                   "io.k8s.apimachinery.pkg.", "io.k8s."):
        if upstream.startswith(prefix):
            return upstream[len(prefix):]
    return upstream


def package_of(name):
    """core.v1.Pod -> core-v1 (the schema file holding it)."""
    parts = name.split(".")
    return "-".join(parts[:-1])


def ref_name(ref):
    if not ref.startswith("#/definitions/"):
        die("unsupported $ref %s" % ref)
    return ref[len("#/definitions/"):]


class Importer:
    def __init__(self, doc):
        self.doc = doc
        self.defs = doc["definitions"]
        self.types = {}  # short name -> schema dict
        self.pending = []

    def value(self, prop, where):
        """An OpenAPI property -> timonier value spec (without extras)."""
        if "$ref" in prop:
            target = ref_name(prop["$ref"])
            if target in SCALARS:
                return {"type": SCALARS[target]}
            if target not in self.defs:
                die("%s: dangling $ref %s" % (where, target))
            self.want(target)
            return {"ref": short_name(target)}
        t = prop.get("type")
        fmt = prop.get("format")
        if t == "string":
            if fmt == "byte":
                return {"type": "byte"}
            if fmt == "date-time":
                return {"type": "date-time"}
            if fmt == "int-or-string":
                return {"type": "int-or-string"}
            return {"type": "string"}
        if t == "integer":
            return {"type": fmt if fmt in ("int32", "int64") else "int64"}
        if t == "number":
            return {"type": "number"}
        if t == "boolean":
            return {"type": "boolean"}
        if t == "array":
            return {"type": "array", "items": self.value(prop["items"], where + "[]")}
        if t == "object" or t is None:
            if "additionalProperties" in prop:
                return {"type": "map",
                        "values": self.value(prop["additionalProperties"], where + "{}")}
            return {"type": "object"}
        die("%s: unsupported type %r" % (where, t))

    def want(self, upstream):
        name = short_name(upstream)
        if name not in self.types and upstream not in self.pending:
            self.pending.append(upstream)

    def drain(self):
        while self.pending:
            upstream = self.pending.pop()
            name = short_name(upstream)
            if name in self.types:
                continue
            self.types[name] = self.convert(upstream, name)

    def convert(self, upstream, name):
        d = self.defs[upstream]
        out = {}
        gvks = d.get("x-kubernetes-group-version-kind")
        if gvks:
            # Shared meta types list every group; keep the first (core) one.
            g = gvks[0]
            out["gvk"] = {"group": g["group"], "version": g["version"], "kind": g["kind"]}
        if d.get("x-kubernetes-map-type"):
            out["mapType"] = d["x-kubernetes-map-type"]
        if d.get("x-kubernetes-unions"):
            out["unions"] = True
        required = set(d.get("required", []))
        fields = {}
        for fname in sorted(d.get("properties", {})):
            prop = d["properties"][fname]
            f = self.value(prop, "%s.%s" % (name, fname))
            if fname in required:
                f["required"] = True
            for key, out_key in (("x-kubernetes-patch-strategy", "patchStrategy"),
                                 ("x-kubernetes-patch-merge-key", "patchMergeKey"),
                                 ("x-kubernetes-list-type", "listType"),
                                 ("x-kubernetes-list-map-keys", "listMapKeys"),
                                 ("x-kubernetes-map-type", "mapType")):
                if key in prop:
                    f[out_key] = prop[key]
            fields[fname] = f
        unknown = required - set(fields)
        if unknown:
            die("%s: required fields without a property: %s" % (name, sorted(unknown)))
        out["fields"] = fields
        return out

    def resources(self, group, version):
        """Read resources of one group-version from the document's paths."""
        prefix = "/api/v1/" if group == "" else "/apis/%s/%s/" % (group, version)
        res = {}
        for path, ops in self.doc["paths"].items():
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix):]
            watch = False
            if rest.startswith("watch/"):
                watch = True
                rest = rest[len("watch/"):]
            namespaced = False
            m = re.match(r"namespaces/\{namespace\}/(.*)$", rest)
            if m:
                namespaced = True
                rest = m.group(1)
            parts = rest.split("/")
            plural = parts[0]
            has_name = len(parts) > 1 and parts[1] == "{name}"
            sub = parts[2] if has_name and len(parts) > 2 else None
            if len(parts) > 3:
                continue  # proxy/{path}: same subresource as proxy
            r = res.setdefault(plural, {"verbs": set(), "subs": {}, "namespaced": False,
                                        "kind": None})
            for method, op in ops.items():
                if method == "parameters":
                    continue
                action = op.get("x-kubernetes-action")
                gvk = op.get("x-kubernetes-group-version-kind")
                if sub is None:
                    if namespaced:
                        r["namespaced"] = True
                    if action in CRUD_ACTIONS:
                        r["verbs"].add("watch" if watch else CRUD_ACTIONS[action])
                    if gvk and r["kind"] is None and not watch and action in ("get", "post", "put"):
                        r["kind"] = gvk
                    if gvk and action == "list" and r["kind"] is None:
                        r["list_gvk"] = gvk
                else:
                    s = r["subs"].setdefault(sub, {"verbs": set(), "kind": None})
                    if action == "connect":
                        if method in CONNECT_METHODS:
                            s["verbs"].add(CONNECT_METHODS[method])
                    elif action in CRUD_ACTIONS:
                        s["verbs"].add(CRUD_ACTIONS[action])
                    if gvk and s["kind"] is None:
                        s["kind"] = gvk
        return res


def merge_overlay_fields(name, typ, otyp):
    """Lay the hand-written parts of one type over the imported facts."""
    if "description" in otyp:
        typ["description"] = otyp["description"]
    for fname, extra in (otyp.get("fields") or {}).items():
        if fname not in typ["fields"]:
            die("overlay: %s has no field %s" % (name, fname))
        for k, v in extra.items():
            if k not in ("description", "default", "computedDefault", "enum", "format"):
                die("overlay: %s.%s: key %s is not hand-written" % (name, fname, k))
            typ["fields"][fname][k] = v


PROTO_TYPE_KEYS = ("protobuf",)
PROTO_FIELD_KEYS = ("protobuf", "protobufInline", "protobufType", "omitempty", "pointer")


def keep_proto_facts(path, defs):
    """Carry the facts import-proto.py added over from the previous file
    (re-run import-proto.py when upstream's messages change)."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        old = (yaml.safe_load(f) or {}).get("definitions") or {}
    for name, typ in defs.items():
        otyp = old.get(name) or {}
        for k in PROTO_TYPE_KEYS:
            if k in otyp:
                typ[k] = otyp[k]
        ofields = otyp.get("fields") or {}
        for fname, fld in (typ.get("fields") or {}).items():
            for k in PROTO_FIELD_KEYS:
                if k in (ofields.get(fname) or {}):
                    fld[k] = ofields[fname][k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("openapi", help="upstream OpenAPI v2 JSON document")
    ap.add_argument("--schema-dir", default=SCHEMA_DIR)
    args = ap.parse_args()

    with open(args.openapi) as f:
        doc = json.load(f)
    imp = Importer(doc)

    overlays = {}
    for fn in sorted(os.listdir(args.schema_dir)):
        if fn.endswith(".overlay.yaml"):
            with open(os.path.join(args.schema_dir, fn)) as f:
                try:
                    overlays[fn[: -len(".overlay.yaml")]] = yaml.safe_load(f) or {}
                except yaml.YAMLError as e:
                    die("%s: %s" % (fn, e))

    by_short = {short_name(k): k for k in imp.defs}
    out_resources = {}
    for gv, ov in overlays.items():
        group, version = ov.get("group", ""), ov["version"]
        found = imp.resources(group, version)
        rlist = []
        for plural, ores in (ov.get("resources") or {}).items():
            ores = ores or {}
            extra = set(ores) - {"description", "shortNames", "categories", "fieldSelectors",
                                 "printerColumns"}
            if extra:
                die("%s: %s: unknown keys %s" % (gv, plural, sorted(extra)))
            if plural not in found:
                die("%s: no paths for resource %s" % (gv, plural))
            r = found[plural]
            gvk = r["kind"] or r.get("list_gvk")
            if gvk is None:
                die("%s: no kind for %s" % (gv, plural))
            kind = gvk["kind"]
            upstream = [k for k, d in imp.defs.items()
                        if {"group": group, "version": version, "kind": kind}
                        in d.get("x-kubernetes-group-version-kind", [])]
            if len(upstream) != 1:
                die("%s: kind %s has %d definitions" % (gv, kind, len(upstream)))
            imp.want(upstream[0])
            entry = {
                "kind": kind,
                "resource": plural,
                "singular": kind.lower(),
                "scope": "Namespaced" if r["namespaced"] else "Cluster",
                "type": short_name(upstream[0]),
                "verbs": sorted(r["verbs"]),
            }
            list_kind = [k for k in imp.defs
                         if short_name(k) == short_name(upstream[0]) + "List"]
            if list_kind:
                imp.want(list_kind[0])
                entry["list"] = short_name(list_kind[0])
            for key in ("description", "shortNames", "categories"):
                if key in ores:
                    entry[key] = ores[key]
            subs = []
            for sname in sorted(r["subs"]):
                s = r["subs"][sname]
                se = {"name": sname}
                if s["kind"]:
                    se.update({"group": s["kind"]["group"], "version": s["kind"]["version"],
                               "kind": s["kind"]["kind"]})
                se["verbs"] = sorted(s["verbs"])
                subs.append(se)
            if subs:
                entry["subresources"] = subs
            sel = ["metadata.name"] + (["metadata.namespace"] if r["namespaced"] else [])
            entry["fieldSelectors"] = sel + [s for s in ores.get("fieldSelectors", [])
                                             if s not in sel]
            if "printerColumns" in ores:
                entry["printerColumns"] = ores["printerColumns"]
            rlist.append(entry)
        out_resources[gv] = rlist
        for root in ov.get("roots") or []:
            if root in by_short:
                imp.want(by_short[root])
            elif root not in (ov.get("definitions") or {}):
                die("%s: unknown root type %s" % (gv, root))
    imp.drain()

    # Hand-written parts; types the document lacks are defined in full.
    for gv, ov in overlays.items():
        for name, otyp in (ov.get("definitions") or {}).items():
            if package_of(name) != gv:
                die("%s.overlay.yaml: type %s belongs in %s" % (gv, name, package_of(name)))
            if name in imp.types:
                merge_overlay_fields(name, imp.types[name], otyp)
            elif name in by_short:
                die("%s: overlay names %s, which no covered kind reaches (add it to roots)"
                    % (gv, name))
            else:
                imp.types[name] = otyp

    for gv, rlist in out_resources.items():
        for entry in rlist:
            typ = imp.types[entry["type"]]
            if "description" not in typ and "description" in entry:
                typ["description"] = entry["description"]

    files = {}
    for name, typ in imp.types.items():
        files.setdefault(package_of(name), {})[name] = typ
    for gv in sorted(set(files) | set(out_resources)):
        ov = overlays.get(gv)
        if ov is None:
            die("types of %s reached (%s) but no %s.overlay.yaml" %
                (gv, ", ".join(sorted(files[gv])[:3]), gv))
        body = {"group": ov.get("group", ""), "version": ov["version"]}
        for key in ("preferred", "served"):
            if key in ov:
                body[key] = ov[key]
        body["resources"] = out_resources.get(gv, [])
        body["definitions"] = {k: files.get(gv, {})[k] for k in sorted(files.get(gv, {}))}
        path = os.path.join(args.schema_dir, gv + ".yaml")
        keep_proto_facts(path, body["definitions"])
        with open(path, "w") as f:
            f.write("# Generated by api/tools/import-openapi.py from upstream API facts\n"
                    "# and %s.overlay.yaml. Edit the overlay and re-import; do not edit.\n"
                    % gv)
            yaml.dump(body, f, Dumper=NoAliasDumper, sort_keys=False,
                      default_flow_style=None, width=120)
        print("%s: %d resources, %d types" % (path, len(body["resources"]),
                                              len(body["definitions"])))


if __name__ == "__main__":
    main()
