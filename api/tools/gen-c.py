#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate api/generated/schema_tables.c from api/schema/<gv>.yaml.

    python3 api/tools/gen-c.py [--schema-dir api/schema] [--out FILE]

Reads only the merged schema files (not the overlays, not the upstream
document). The output is committed; `make check-generated` regenerates it
into a temporary directory and fails if it differs. See doc/api-schema.md.
"""

import argparse
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

VALUE_TYPES = {
    "string": "SCHEMA_STRING", "int32": "SCHEMA_INT32", "int64": "SCHEMA_INT64",
    "number": "SCHEMA_NUMBER", "boolean": "SCHEMA_BOOLEAN", "quantity": "SCHEMA_QUANTITY",
    "int-or-string": "SCHEMA_INT_OR_STRING", "date-time": "SCHEMA_DATE_TIME",
    "micro-time": "SCHEMA_MICRO_TIME", "byte": "SCHEMA_BYTE", "object": "SCHEMA_OBJECT",
    "array": "SCHEMA_ARRAY", "map": "SCHEMA_MAP",
}
LIST_TYPES = {None: "SCHEMA_LIST_NONE", "atomic": "SCHEMA_LIST_ATOMIC",
              "set": "SCHEMA_LIST_SET", "map": "SCHEMA_LIST_MAP"}
MAP_TYPES = {None: "SCHEMA_MAP_NONE", "atomic": "SCHEMA_MAP_ATOMIC",
             "granular": "SCHEMA_MAP_GRANULAR"}
PATCH_BITS = {"merge": "SCHEMA_PATCH_MERGE", "retainKeys": "SCHEMA_PATCH_RETAIN_KEYS",
              "replace": "SCHEMA_PATCH_REPLACE"}
FIELD_KEYS = {"type", "ref", "items", "values", "required", "patchStrategy", "patchMergeKey",
              "listType", "listMapKeys", "mapType", "enum", "default", "computedDefault",
              "description", "format", "protobuf", "protobufInline", "protobufType",
              "omitempty", "pointer"}
TYPE_KEYS = {"fields", "gvk", "mapType", "unions", "description", "protobuf"}
PROTO_TYPES = {None: None, "duration": "SCHEMA_PROTO_DURATION",
               "fields-v1": "SCHEMA_PROTO_FIELDS_V1",
               "raw-extension": "SCHEMA_PROTO_RAW_EXTENSION",
               "list-wrapper": "SCHEMA_PROTO_LIST_WRAPPER"}
# Upstream field-selector labels that name no field of the object
# (jobs' status.successful is status.succeeded).
SELECTOR_ALIASES = {"status.successful"}
COLUMN_KEYS = {"name", "type", "format", "priority", "jsonPath", "computed", "description"}
COLUMN_TYPES = {"string", "integer", "number", "boolean", "date"}


def die(msg):
    sys.stderr.write("gen-c: %s\n" % msg)
    sys.exit(1)


def cstr(s):
    if s is None:
        return "NULL"
    s = str(s)
    if not s.isascii():
        die("non-ASCII text: %r" % s)
    return json.dumps(s)


def strv(v):
    if not v:
        return "NULL"
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        # YAML reads a bare no, on or true as a boolean: quote them.
        die("expected a list of strings: %r" % (v,))
    return "(const char *const[]){" + ", ".join(cstr(x) for x in v) + ", NULL}"


class Gen:
    def __init__(self, docs):
        self.docs = docs
        self.types = {}
        for doc in docs:
            for name, t in (doc.get("definitions") or {}).items():
                if name in self.types:
                    die("type %s defined twice" % name)
                self.types[name] = t
        self.type_names = sorted(self.types)
        self.type_index = {n: i for i, n in enumerate(self.type_names)}
        self.values = []  # C initializers of nested element values

    def tref(self, name, where):
        if name not in self.type_index:
            die("%s: unknown type %s" % (where, name))
        return "&schema_type_table[%d]" % self.type_index[name]

    def value(self, v, where):
        """Initializer for a struct schema_value."""
        if "ref" in v:
            return "{SCHEMA_REF, %s, NULL}" % self.tref(v["ref"], where)
        t = v.get("type")
        if t not in VALUE_TYPES:
            die("%s: unknown type %r" % (where, t))
        elem = "NULL"
        if t in ("array", "map"):
            sub = v.get("items" if t == "array" else "values")
            if sub is None:
                die("%s: %s without element" % (where, t))
            init = self.value(sub, where + "[]")
            self.values.append(init)
            elem = "&schema_value_table[%d]" % (len(self.values) - 1)
        return "{%s, NULL, %s}" % (VALUE_TYPES[t], elem)

    def field(self, name, f, where):
        unknown = set(f) - FIELD_KEYS
        if unknown:
            die("%s: unknown keys %s" % (where, sorted(unknown)))
        bits = []
        for part in (f.get("patchStrategy") or "").split(","):
            if part:
                if part not in PATCH_BITS:
                    die("%s: patch strategy %s" % (where, part))
                bits.append(PATCH_BITS[part])
        if f.get("listType") not in LIST_TYPES or f.get("mapType") not in MAP_TYPES:
            die("%s: bad list or map type" % where)
        if f.get("listType") == "map" and not f.get("listMapKeys"):
            die("%s: list-type map without keys" % where)
        default = None
        if "default" in f:
            default = json.dumps(f["default"], sort_keys=True, separators=(",", ":"))
        parts = [".name = %s" % cstr(name), ".value = %s" % self.value(f, where)]
        if f.get("required"):
            parts.append(".required = true")
        if bits:
            parts.append(".patch_strategy = %s" % " | ".join(bits))
        if f.get("patchMergeKey"):
            parts.append(".patch_merge_key = %s" % cstr(f["patchMergeKey"]))
        if f.get("listType"):
            parts.append(".list_type = %s" % LIST_TYPES[f["listType"]])
        if f.get("listMapKeys"):
            parts.append(".list_map_keys = %s" % strv(f["listMapKeys"]))
        if f.get("mapType"):
            parts.append(".map_type = %s" % MAP_TYPES[f["mapType"]])
        if f.get("enum"):
            parts.append(".enum_values = %s" % strv(f["enum"]))
        if default is not None:
            parts.append(".default_json = %s" % cstr(default))
        if f.get("computedDefault"):
            parts.append(".computed_default = %s" % cstr(f["computedDefault"]))
        if f.get("description"):
            parts.append(".description = %s" % cstr(f["description"]))
        if "protobuf" in f:
            num = f["protobuf"]
            if not isinstance(num, int) or not 0 < num < (1 << 29):
                die("%s: protobuf field number %r" % (where, num))
            parts.append(".proto_tag = %d" % num)
        inline = f.get("protobufInline")
        if inline is not None:
            if not isinstance(inline, int) or not 0 < inline < (1 << 29) or "protobuf" not in f:
                die("%s: protobufInline %r" % (where, inline))
            parts.append(".proto_inline = %d" % inline)
        if f.get("protobufType") not in PROTO_TYPES:
            die("%s: protobufType %r" % (where, f.get("protobufType")))
        if f.get("protobufType"):
            parts.append(".proto_type = %s" % PROTO_TYPES[f["protobufType"]])
        if f.get("omitempty"):
            parts.append(".omit_empty = true")
        if f.get("pointer"):
            parts.append(".pointer = true")
        return "{" + ", ".join(parts) + "}"

    def check_path(self, tname, path, where):
        """A column's JSONPath or a field selector must name real fields."""
        t = self.types.get(tname)
        parts = [p for p in path.strip(".").split(".") if p]
        for i, part in enumerate(parts):
            if t is None:
                die("%s: %s: %s is not an object" % (where, path, ".".join(parts[:i])))
            f = (t.get("fields") or {}).get(part)
            if f is None:
                die("%s: %s: no field %s in %s" % (where, path, part, tname))
            while f.get("type") in ("array", "map"):
                if f.get("type") == "map" and i + 1 < len(parts):
                    return  # the next part is a map key
                f = f.get("items") or f.get("values")
            tname = f.get("ref")
            t = self.types.get(tname) if tname else None

    def run(self):
        out = []
        w = out.append
        w("/* SPDX-License-Identifier: Apache-2.0 */")
        w("/* Generated by api/tools/gen-c.py from api/schema/<gv>.yaml: do not edit.")
        w(" * `make check-generated` checks that this file is up to date. */")
        w('#include "config.h"')
        w("")
        w('#include "api/schema.h"')
        w("")
        w("/* clang-format off */")
        body = []
        # Field arrays, one per type.
        for i, name in enumerate(self.type_names):
            t = self.types[name]
            fields = t.get("fields") or {}
            if not fields:
                continue
            body.append("static const struct schema_field fields_%d[] = { /* %s */" % (i, name))
            for fname in sorted(fields):
                body.append("        " + self.field(fname, fields[fname],
                                                    "%s.%s" % (name, fname)) + ",")
            body.append("};")
        body.append("")
        body.append("const struct schema_type schema_type_table[] = {")
        for i, name in enumerate(self.type_names):
            t = self.types[name]
            if set(t) - TYPE_KEYS:
                die("%s: unknown keys %s" % (name, sorted(set(t) - TYPE_KEYS)))
            gvk = t.get("gvk") or {}
            n = len(t.get("fields") or {})
            body.append(
                "        {.name = %s, .group = %s, .version = %s, .kind = %s, "
                ".description = %s, .map_type = %s, .fields = %s, .n_fields = %d, "
                ".proto_message = %s}," % (
                    cstr(name), cstr(gvk.get("group")), cstr(gvk.get("version")),
                    cstr(gvk.get("kind")), cstr(t.get("description")),
                    MAP_TYPES[t.get("mapType")], "fields_%d" % i if n else "NULL", n,
                    cstr(t.get("protobuf"))))
        body.append("};")
        body.append("const size_t schema_n_types = %d;" % len(self.type_names))
        body.append("")

        # Resources per group-version.
        gvs = []
        for gi, doc in enumerate(self.docs):
            group, version = doc.get("group", ""), doc["version"]
            res = doc.get("resources") or []
            for ri, r in enumerate(res):
                where = "%s/%s %s" % (group, version, r["resource"])
                subs = r.get("subresources") or []
                if subs:
                    body.append("static const struct schema_subresource subs_%d_%d[] = {" % (gi, ri))
                    for s in subs:
                        body.append("        {%s, %s, %s, %s, %s}," % (
                            cstr(s["name"]), cstr(s.get("group")), cstr(s.get("version")),
                            cstr(s.get("kind")), strv(s.get("verbs"))))
                    body.append("};")
                for sel in r.get("fieldSelectors") or []:
                    if sel not in SELECTOR_ALIASES:
                        self.check_path(r["type"], sel, where)
                cols = r.get("printerColumns") or []
                for c in cols:
                    if "jsonPath" in c:
                        self.check_path(r["type"], c["jsonPath"], where)
                if cols:
                    body.append("static const struct schema_printer_column cols_%d_%d[] = {" % (gi, ri))
                    for c in cols:
                        if set(c) - COLUMN_KEYS:
                            die("%s: column keys %s" % (where, sorted(set(c) - COLUMN_KEYS)))
                        if c.get("type") not in COLUMN_TYPES:
                            die("%s: column %s: type %r" % (where, c.get("name"), c.get("type")))
                        if ("jsonPath" in c) == ("computed" in c):
                            die("%s: column %s needs jsonPath or computed" % (where, c["name"]))
                        body.append("        {%s, %s, %s, %d, %s, %s, %s}," % (
                            cstr(c["name"]), cstr(c["type"]), cstr(c.get("format")),
                            int(c.get("priority", 0)), cstr(c.get("jsonPath")),
                            cstr(c.get("computed")), cstr(c.get("description"))))
                    body.append("};")
            if res:
                body.append("static const struct schema_resource resources_%d[] = {" % gi)
                for ri, r in enumerate(res):
                    where = "%s/%s %s" % (group, version, r["resource"])
                    subs = r.get("subresources") or []
                    cols = r.get("printerColumns") or []
                    body.append(
                        "        {.group = %s, .version = %s, .kind = %s, .plural = %s, "
                        ".singular = %s, .description = %s, .namespaced = %s, "
                        ".short_names = %s, .categories = %s, .verbs = %s, "
                        ".field_selectors = %s, .subresources = %s, .n_subresources = %d, "
                        ".columns = %s, .n_columns = %d, .type = %s, .list_type = %s}," % (
                            cstr(group), cstr(version), cstr(r["kind"]), cstr(r["resource"]),
                            cstr(r["singular"]), cstr(r.get("description")),
                            "true" if r["scope"] == "Namespaced" else "false",
                            strv(r.get("shortNames")), strv(r.get("categories")),
                            strv(r.get("verbs")), strv(r.get("fieldSelectors")),
                            "subs_%d_%d" % (gi, ri) if subs else "NULL", len(subs),
                            "cols_%d_%d" % (gi, ri) if cols else "NULL", len(cols),
                            self.tref(r["type"], where),
                            self.tref(r["list"], where) if r.get("list") else "NULL"))
                body.append("};")
            gvs.append("        {%s, %s, %s, %s, %s, %d}," % (
                cstr(group), cstr(version), "true" if doc.get("preferred", True) else "false",
                "true" if doc.get("served", True) else "false",
                "resources_%d" % gi if res else "NULL", len(res)))
        body.append("")
        body.append("const struct schema_group_version schema_group_version_table[] = {")
        body.extend(gvs)
        body.append("};")
        body.append("const size_t schema_n_group_versions = %d;" % len(gvs))

        # Element values are referenced by address before their definition.
        w("static const struct schema_value schema_value_table[%d];" % max(len(self.values), 1))
        w("")
        out.extend(body)
        w("")
        w("static const struct schema_value schema_value_table[%d] = {" % max(len(self.values), 1))
        for v in self.values:
            w("        %s," % v)
        w("};")
        w("/* clang-format on */")
        return "\n".join(out) + "\n"


def load(schema_dir):
    docs = []
    for fn in sorted(os.listdir(schema_dir)):
        if fn.endswith(".yaml") and not fn.endswith(".overlay.yaml"):
            with open(os.path.join(schema_dir, fn)) as f:
                try:
                    docs.append(yaml.safe_load(f))
                except yaml.YAMLError as e:
                    die("%s: %s" % (fn, e))
    # Core first, then by group name: the order discovery lists them in.
    docs.sort(key=lambda d: (d.get("group", "") != "", d.get("group", ""), d["version"]))
    return docs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema-dir", default=os.path.join(HERE, "..", "schema"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "generated", "schema_tables.c"))
    args = ap.parse_args()
    text = Gen(load(args.schema_dir)).run()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
