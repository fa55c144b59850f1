#!/usr/bin/env python3
"""Validate timerdiag JSON documents against doc/schema and doc/json.md's rules.

usage: validate_json.py SCHEMA_DIR TOOL [--lines] FILE...   (FILE - reads stdin)

Each document must match doc/schema/TOOL.schema.json and the contract's rules
the schema cannot say: every null has its reason in .unknown under its path
(array elements as []), every reason names a member that is null somewhere,
*_ns members are integers, *_per_s members numbers, CPU sets kernel lists.
With --lines every non-empty line is a document (wakeuptop's JSON Lines).
Prints one line per problem ("FILE:DOC: message") and exits 1 if there is any.
"""
import json
import re
import sys
import warnings

import jsonschema

CPULIST = re.compile(r"^([0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*)?$")


def walk(v, path, nulls, problems):
    """Collect the paths of nulls; check the naming rules on the way."""
    if isinstance(v, dict):
        for k, x in v.items():
            if path == "" and k == "unknown":
                continue
            p = k if path == "" else path + "." + k
            if path.endswith(("count_per_cpu", "wakeups_per_cpu", "dependencies")):
                p = path + "." + "*"
            rule(k, x, p, problems)
            walk(x, p, nulls, problems)
    elif isinstance(v, list):
        for x in v:
            walk(x, path + "[]", nulls, problems)
    elif v is None:
        nulls.add(path)


def rule(k, x, p, problems):
    if x is None:
        return
    if k.endswith("_ns") and not all(isinstance(y, int) and not isinstance(y, bool)
                                     for y in (x if isinstance(x, list) else [x])):
        problems.append("%s: a duration in ns must be an integer, not %r" % (p, x))
    if k.endswith("_per_s") and not (isinstance(x, (int, float)) and not isinstance(x, bool)):
        problems.append("%s: a rate must be a number, not %r" % (p, x))
    if (k == "cpus" or k.endswith("_cpus")) and not (isinstance(x, str) and CPULIST.match(x)):
        problems.append("%s: a CPU set must be a kernel CPU list string, not %r" % (p, x))
    if k.endswith(("_per_sec", "_absent", "_unknown")) or k in ("rate", "period_s"):
        problems.append("%s: a name outside the contract (doc/json.md)" % p)


def check(doc, validator):
    problems = [e.message + " at " + "/".join(str(x) for x in e.absolute_path)
                for e in validator.iter_errors(doc)]
    if problems or not isinstance(doc, dict):
        return problems
    nulls = set()
    walk(doc, "", nulls, problems)
    reasons = doc.get("unknown", {})
    for p in sorted(nulls - set(reasons)):
        problems.append("%s is null without a reason in .unknown" % p)
    for p in sorted(set(reasons) - nulls):
        problems.append(".unknown names %s, which is not null anywhere" % p)
    return problems


def main(argv):
    lines = "--lines" in argv
    argv = [a for a in argv if a != "--lines"]
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    sdir, tool, files = argv[1], argv[2], argv[3:]
    store = {}
    for name in ("common", tool):
        with open("%s/%s.schema.json" % (sdir, name)) as f:
            s = json.load(f)
        store[s["$id"]] = s
    schema = store[[k for k in store if k.endswith("/%s.schema.json" % tool)][0]]
    jsonschema.Draft202012Validator.check_schema(schema)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    validator = jsonschema.Draft202012Validator(
        schema, resolver=resolver, format_checker=None)
    bad = 0
    for fn in files:
        text = sys.stdin.read() if fn == "-" else open(fn, encoding="utf-8").read()
        texts = [t for t in text.split("\n") if t.strip()] if lines else [text]
        if not texts:
            print("%s: no document" % fn)
            bad += 1
        for i, t in enumerate(texts, 1):
            try:
                doc = json.loads(t)
            except ValueError as e:
                print("%s:%d: not JSON: %s" % (fn, i, e))
                bad += 1
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                problems = check(doc, validator)
            for p in problems:
                print("%s:%d: %s" % (fn, i, p))
            bad += len(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
