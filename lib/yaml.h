/* SPDX-License-Identifier: Apache-2.0 */
/* YAML into the JSON tree (lib/json.h), with libyaml's event parser, and
 * the tree out as block-style YAML with libyaml's emitter. The prefix is
 * tm_yaml_ because libyaml owns yaml_.
 *
 * Scalars resolve as Kubernetes reads manifests (sigs.k8s.io/yaml over
 * go-yaml v2, YAML 1.1 rules):
 *   - plain "", "~", null, Null, NULL                  -> null
 *   - plain y/Y/yes/Yes/YES/on/On/ON/true/True/TRUE    -> true
 *     (n/N/no/No/NO/off/Off/OFF/false/False/FALSE      -> false)
 *   - plain integers: decimal, 0x hex, 0o or leading-0 octal, 0b binary,
 *     optional sign, '_' separators ignored            -> integer
 *   - plain floats ([-+]?(.d+|d+(.d*)?)([eE][-+]?d+)?) -> number; one with an
 *     integral value that fits int64 becomes an integer, as it does when
 *     sigs.k8s.io/yaml writes it out as JSON ("3.0" -> 3)
 *   - .inf, .nan and their spellings: rejected (JSON cannot hold them)
 *   - anything else, and every quoted or block (| >) scalar -> string
 * Tags: !!str, !!int, !!float, !!bool, !!null on scalars, !!map and !!seq on
 * collections; any other tag, and every anchor or alias, is rejected with
 * its line and column. Mapping keys become strings: 1 -> "1", true -> "true"
 * (so `on:` is "true", as with kubectl); a null or collection key and a merge
 * key (<<) are rejected. A duplicate key: the last value wins.
 *
 * Limits are json_limits: input size, nesting depth, scalar length. Errors
 * read "invalid YAML at line L, column C: ..." (1-based); codes as in
 * json_parse(): -E2BIG for a limit, -ERANGE for .inf/.nan, -EINVAL else. */
#ifndef TIMONIER_YAML_H
#define TIMONIER_YAML_H

#include <stddef.h>
/* libyaml's header has this file's name, and -I lib puts ours first:
 * include the real one from here, so that both are seen. (Files in lib/
 * include this one as <yaml.h>: a quoted include found next to its includer
 * would make #include_next find this file again.) */
#include_next <yaml.h>

#include "json.h"
#include "tmerror.h"

/* Exactly one document (an empty input, or one holding only null, gives
 * null; a second non-empty document is an error). limits may be NULL for
 * json_default_limits. */
int tm_yaml_parse(const char *buf, size_t len, const json_limits *limits, json **ret,
                  tm_error **err);

/* A stream of documents separated by "---", as an array of their values;
 * empty and null documents are skipped, as kubectl does. */
int tm_yaml_parse_stream(const char *buf, size_t len, const json_limits *limits, json **ret_array,
                         tm_error **err);

/* Block-style YAML (2-space indent, sequences not indented under their key,
 * like kubectl -o yaml), ending in a newline. Strings that would read back
 * as another type are quoted; multi-line strings use literal blocks where
 * they can. Reading it back with tm_yaml_parse() gives an equal tree, except
 * that a double with an integral value comes back as an integer. malloc'd;
 * NULL only if libyaml's emitter fails. */
char *tm_yaml_serialize(const json *v);

#endif
