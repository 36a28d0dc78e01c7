#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Add protobuf wire facts to api/schema/<gv>.yaml.

Run by hand (never by the build), from the top of the source tree, after
import-openapi.py, with checkouts of k8s.io/api and k8s.io/apimachinery:

    python3 api/tools/import-proto.py --api /path/to/api \
        --apimachinery /path/to/apimachinery

For every type of the schema that upstream serializes as a protobuf message
it records the message name, and for every field its number (`protobuf`),
the number of the embedded message holding it when Go inlines a struct
(`protobufInline`: Volume's volumeSource, Probe's handler), and the two Go
facts that decide what upstream's JSON writes for an absent or zero value:
`omitempty` (the json tag) and `pointer` (a nullable scalar or struct).
Field numbers come from the generated.proto files, the Go facts from the
struct tags of the types' Go files; each number is checked against both.
Upstream prose is never copied. See doc/api-schema.md and doc/protobuf.md.
"""

import argparse
import glob
import os
import re
import sys

import yaml

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema")
META = "k8s.io.apimachinery.pkg.apis.meta.v1"

# Proto message types that carry a schema scalar type.
SPECIAL = {
    "k8s.io.apimachinery.pkg.api.resource.Quantity": {"quantity"},
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": {"int-or-string"},
    META + ".Time": {"date-time"},
    META + ".MicroTime": {"micro-time"},
    META + ".FieldsV1": {"object"},
    "k8s.io.apimachinery.pkg.runtime.RawExtension": {"object"},
    META + ".Duration": {"string"},
}
# Schema scalar types and the proto scalar types that may carry them.
SCALARS = {
    "string": {"string"}, "int32": {"int32"}, "int64": {"int64"}, "number": {"double"},
    "boolean": {"bool"}, "byte": {"bytes"},
}
# Proto message types whose wire form a schema field must name (the schema
# type alone does not say it).
PROTO_TYPE_KEY = {
    META + ".Duration": "duration",
    META + ".FieldsV1": "fields-v1",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "raw-extension",
}


class NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def die(msg):
    sys.stderr.write("import-proto: %s\n" % msg)
    sys.exit(1)


def parse_proto(path, messages):
    pkg = None
    cur = None
    with open(path) as f:
        for line in f:
            line = line.split("//", 1)[0].strip()
            if not line:
                continue
            m = re.match(r"package ([\w.]+);", line)
            if m:
                pkg = m.group(1)
                continue
            m = re.match(r"message (\w+) \{$", line)
            if m:
                cur = {}
                messages["%s.%s" % (pkg, m.group(1))] = cur
                continue
            if line == "}":
                cur = None
                continue
            if cur is None:
                continue
            m = re.match(r"(optional|repeated) ([\w.]+) (\w+) = (\d+);$", line)
            if m:
                cur[m.group(3)] = {"label": m.group(1), "type": qualify(m.group(2), pkg),
                                   "number": int(m.group(4))}
                continue
            m = re.match(r"map<(\w+), ([\w.]+)> (\w+) = (\d+);$", line)
            if m:
                cur[m.group(3)] = {"label": "map", "key": m.group(1),
                                   "type": qualify(m.group(2), pkg), "number": int(m.group(4))}
                continue
            die("%s: cannot parse %r" % (path, line))


def qualify(t, pkg):
    if t in ("string", "bytes", "int32", "int64", "bool", "double", "float", "uint32",
             "uint64", "sint32", "sint64", "fixed32", "fixed64"):
        return t
    if t.startswith("."):
        return t[1:]
    return "%s.%s" % (pkg, t)


def parse_tags(s):
    return dict(re.findall(r'(\w+):"([^"]*)"', s))


def parse_go(pkgdir, gopkg, structs):
    for path in sorted(glob.glob(os.path.join(pkgdir, "*.go"))):
        if path.endswith("_test.go") or os.path.basename(path).startswith("zz_generated"):
            continue
        cur = None
        with open(path) as f:
            for raw in f:
                line = raw.rstrip("\n")
                m = re.match(r"type (\w+) struct \{$", line)
                if m:
                    cur = []
                    structs["%s.%s" % (gopkg, m.group(1))] = cur
                    continue
                if cur is None:
                    continue
                if line == "}":
                    cur = None
                    continue
                s = line.strip()
                if not s or s.startswith("//"):
                    continue
                m = re.match(r"(\w+)\s+([^`\s]+)\s*`(.*)`", s)
                if m:
                    cur.append({"name": m.group(1), "gotype": m.group(2),
                                "tags": parse_tags(m.group(3)), "embedded": False})
                    continue
                m = re.match(r"(\*?[\w.]+)\s*`(.*)`$", s)
                if m:
                    cur.append({"name": m.group(1).split(".")[-1], "gotype": m.group(1),
                                "tags": parse_tags(m.group(2)), "embedded": True})
                    continue
                m = re.match(r"(\*?[\w.]+)$", s)
                if m:
                    cur.append({"name": m.group(1).split(".")[-1], "gotype": m.group(1),
                                "tags": {}, "embedded": True})
                    continue
                # Fields without tags are not serialized; other syntax we
                # do not need (nested structs) is ignored.


class Importer:
    def __init__(self, api, apimachinery):
        self.messages = {}
        self.structs = {}
        for p in sorted(glob.glob(os.path.join(api, "*", "v*", "generated.proto"))):
            parse_proto(p, self.messages)
            d = os.path.dirname(p)
            group = os.path.basename(os.path.dirname(d))
            parse_go(d, "%s.%s" % (group, os.path.basename(d)), self.structs)
        for rel in ("pkg/apis/meta/v1", "pkg/api/resource", "pkg/util/intstr", "pkg/runtime"):
            d = os.path.join(apimachinery, rel)
            parse_proto(os.path.join(d, "generated.proto"), self.messages)
        parse_go(os.path.join(apimachinery, "pkg/apis/meta/v1"), "meta.v1", self.structs)

    @staticmethod
    def message_name(tname):
        pkg, ver, name = tname.split(".")
        if pkg == "meta":
            return "%s.%s" % (META, name)
        return "k8s.io.api.%s.%s.%s" % (pkg, ver, name)

    def go_struct(self, gotype, home):
        """A Go struct by its type as written in package `home`."""
        t = gotype.lstrip("*")
        if "." in t:
            alias, name = t.split(".")
            pkg = {"metav1": "meta.v1"}.get(alias)
            if pkg is None:
                return None
            return self.structs.get("%s.%s" % (pkg, name)), pkg
        return self.structs.get("%s.%s" % (home, t)), home

    def go_fields(self, sname, home):
        """JSON name -> (go field, inline proto number or 0, owner struct),
        descending into inlined structs."""
        out = {}
        for gf in self.structs.get("%s.%s" % (home, sname), []):
            js = gf["tags"].get("json")
            if js is None and not gf["embedded"]:
                continue
            parts = (js or "").split(",")
            if js == "-":
                continue
            if gf["embedded"] and parts[0] == "":
                st = self.go_struct(gf["gotype"], home)
                if st is None or st[0] is None:
                    die("%s.%s: embedded %s not found" % (home, sname, gf["gotype"]))
                pb = gf["tags"].get("protobuf")
                num = int(pb.split(",")[1]) if pb else -1  # -1: not on the wire
                inner_name = gf["gotype"].lstrip("*").split(".")[-1]
                for jn, (igf, inum, owner) in self.go_fields(inner_name, st[1]).items():
                    if inum:
                        die("%s.%s: inline within inline" % (home, sname))
                    out[jn] = (igf, num, (inner_name, st[1]))
                continue
            out[parts[0]] = (gf, 0, (sname, home))
        return out

    def check_type(self, where, f, pf):
        """Does the proto field's type carry the schema value f?"""
        label = pf["label"]
        v = f
        if label == "repeated":
            if v.get("type") != "array":
                if v.get("type") == "byte" and pf["type"] == "bytes":
                    return None
                die("%s: repeated on the wire, %s in the schema" % (where, v.get("type")))
            v = v["items"]
        elif label == "map":
            if v.get("type") != "map" or pf["key"] != "string":
                die("%s: map on the wire, %s in the schema" % (where, v.get("type")))
            v = v["values"]
        elif v.get("type") == "array" and list(self.messages.get(pf["type"], {}).keys()) == ["items"]:
            # A named Go slice type (Verbs): a message of repeated items = 1.
            inner = self.messages[pf["type"]]["items"]
            if inner["label"] != "repeated" or inner["number"] != 1:
                die("%s: %s is not a list wrapper" % (where, pf["type"]))
            self.check_type(where, f, inner)
            return "list-wrapper"
        elif v.get("type") in ("array", "map"):
            die("%s: %s in the schema, single on the wire" % (where, v.get("type")))
        pt = pf["type"]
        if "ref" in v:
            want = self.message_name(v["ref"])
            if pt != want:
                die("%s: %s on the wire, %s in the schema" % (where, pt, v["ref"]))
            return None
        st = v.get("type")
        if pt in SPECIAL:
            if st not in SPECIAL[pt]:
                die("%s: %s on the wire, %s in the schema" % (where, pt, st))
            return PROTO_TYPE_KEY.get(pt)
        if pt not in SCALARS.get(st, ()):
            die("%s: %s on the wire, %s in the schema" % (where, pt, st))
        return None

    def run(self, docs):
        missing = []
        for doc in docs.values():
            for tname, t in (doc.get("definitions") or {}).items():
                for k in ("protobuf",):
                    t.pop(k, None)
                for f in (t.get("fields") or {}).values():
                    for k in ("protobuf", "protobufInline", "protobufType", "omitempty",
                              "pointer"):
                        f.pop(k, None)
                msg_name = self.message_name(tname)
                msg = self.messages.get(msg_name)
                if msg is None:
                    missing.append(tname)
                    continue
                pkg, ver, sname = tname.split(".")
                home = "%s.%s" % (pkg, ver)
                gofields = self.go_fields(sname, home)
                if not gofields and t.get("fields"):
                    die("%s: no Go struct" % tname)
                t["protobuf"] = msg_name
                for fname, f in (t.get("fields") or {}).items():
                    where = "%s.%s" % (tname, fname)
                    if fname not in gofields:
                        die("%s: no Go field" % where)
                    gf, inline, owner = gofields[fname]
                    if inline < 0:
                        continue  # TypeMeta: the envelope carries it
                    pb = gf["tags"].get("protobuf")
                    if not pb:
                        die("%s: no protobuf tag" % where)
                    pbparts = pb.split(",")
                    num = int(pbparts[1])
                    pname = [p[5:] for p in pbparts if p.startswith("name=")][0]
                    m = msg
                    if inline:
                        outer = [pf for pf in msg.values() if pf["number"] == inline]
                        if len(outer) != 1:
                            die("%s: no inline message %d" % (where, inline))
                        m = self.messages.get(outer[0]["type"])
                        if m is None:
                            die("%s: inline message %s not found" % (where, outer[0]["type"]))
                    pf = m.get(pname)
                    if pf is None or pf["number"] != num:
                        die("%s: proto field %s=%d not in the message" % (where, pname, num))
                    ptype = self.check_type(where, f, pf)
                    f["protobuf"] = num
                    if inline:
                        f["protobufInline"] = inline
                    if ptype:
                        f["protobufType"] = ptype
                    js = gf["tags"].get("json", "").split(",")
                    if "omitempty" in js[1:]:
                        f["omitempty"] = True
                    if gf["gotype"].startswith("*"):
                        f["pointer"] = True
        return missing


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--api", required=True, help="a checkout of k8s.io/api")
    ap.add_argument("--apimachinery", required=True, help="a checkout of k8s.io/apimachinery")
    ap.add_argument("--schema-dir", default=SCHEMA_DIR)
    args = ap.parse_args()

    imp = Importer(args.api, args.apimachinery)
    docs = {}
    headers = {}
    for fn in sorted(os.listdir(args.schema_dir)):
        if fn.endswith(".yaml") and not fn.endswith(".overlay.yaml"):
            path = os.path.join(args.schema_dir, fn)
            with open(path) as f:
                text = f.read()
            headers[fn] = "".join(l + "\n" for l in text.splitlines() if l.startswith("#"))
            docs[fn] = yaml.safe_load(text)
    missing = imp.run(docs)
    for fn, body in docs.items():
        with open(os.path.join(args.schema_dir, fn), "w") as f:
            f.write(headers[fn])
            yaml.dump(body, f, Dumper=NoAliasDumper, sort_keys=False,
                      default_flow_style=None, width=120)
    if missing:
        print("types without a protobuf message: %s" % ", ".join(sorted(missing)))


if __name__ == "__main__":
    main()
