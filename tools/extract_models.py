#!/usr/bin/env python3
"""Extracts trimmed botocore service models for asr's AWS client (DESIGN.md §3 "AWS access").

Reads tools/models.txt (which operations of which services asr calls), loads each service's
service-2.json, paginators-1.json and waiters-2.json from the installed botocore (latest API
version, through botocore.loaders.Loader, which also handles .json.gz and sdk-extras), and writes
models/<service>.json:

  {"botocore_version": "...",
   "metadata":   {...the full metadata...},
   "operations": {the listed operations, without documentation},
   "shapes":     {the shapes reachable from their input/output/errors, transitively},
   "paginators": {the paginators of the listed operations},
   "waiters":    {the waiters whose operation is listed}}

Documentation keys ("documentation", "documentationUrl", "examples", "deprecatedMessage") are
dropped. Output is deterministic: every object's keys are sorted except a structure's "members",
which keep botocore's order (the model order that serializers follow); indent 1, ASCII only.
models/README.md is generated too (botocore version, operation counts, the "##" notes of
models.txt).

Usage:
  extract_models.py [--list tools/models.txt] [--out models]   # regenerate
  extract_models.py --check                                    # exit 1 if models/ is stale

Exit codes: 0 ok; 1 --check found differences; 2 bad input (unknown service or operation,
malformed models.txt) or botocore missing.
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DROPPED_KEYS = frozenset({"documentation", "documentationUrl", "examples", "deprecatedMessage"})
LINE_RE = re.compile(r"^([a-z0-9][a-z0-9-]*)\s*:\s*(.*)$")
OP_RE = re.compile(r"^[A-Za-z0-9]+$")


class InputError(Exception):
    pass


def parse_list(path):
    """Returns ([(service, [ops] or None for '*')], [note lines]) from models.txt."""
    services = []
    notes = []
    seen = set()
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.startswith("##"):
                notes.append(line[3:] if line.startswith("## ") else line[2:])
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            m = LINE_RE.match(stripped)
            if not m:
                raise InputError(f"{path}:{lineno}: expected 'service: Op1 Op2 ...' or "
                                 f"'service: *', got {stripped!r}")
            service, rest = m.group(1), m.group(2).split()
            if service in seen:
                raise InputError(f"{path}:{lineno}: service {service!r} is listed twice; "
                                 "put all its operations on one line")
            seen.add(service)
            if not rest:
                raise InputError(f"{path}:{lineno}: service {service!r} lists no operations "
                                 "(use '*' for all)")
            if rest == ["*"]:
                services.append((service, None, lineno))
                continue
            for op in rest:
                if not OP_RE.match(op):
                    raise InputError(f"{path}:{lineno}: {op!r} is not an operation name")
            if len(set(rest)) != len(rest):
                raise InputError(f"{path}:{lineno}: service {service!r} lists an operation twice")
            services.append((service, rest, lineno))
    if not services:
        raise InputError(f"{path}: no services listed")
    return services, notes


def strip_docs(value, in_members=False):
    """Drops documentation keys recursively. Keys of a "members" map are member names, not
    traits, so they are never dropped."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not in_members and k in DROPPED_KEYS:
                continue
            out[k] = strip_docs(v, in_members=(not in_members and k == "members"))
        return out
    if isinstance(value, list):
        return [strip_docs(v) for v in value]
    return value


def canonical(value, keep_order=False):
    """Sorts object keys for stable output, except the member order of structures."""
    if isinstance(value, dict):
        keys = list(value.keys()) if keep_order else sorted(value.keys())
        return {k: canonical(value[k], keep_order=(not keep_order and k == "members"))
                for k in keys}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def shape_refs(shape):
    refs = []
    for member in shape.get("members", {}).values():
        refs.append(member["shape"])
    for key in ("member", "key", "value"):
        if key in shape:
            refs.append(shape[key]["shape"])
    return refs


def reachable_shapes(service, model, operations):
    shapes = model["shapes"]
    todo = []
    for name in operations:
        op = model["operations"][name]
        for key in ("input", "output"):
            if key in op:
                todo.append((op[key]["shape"], f"operation {name} {key}"))
        for err in op.get("errors", []):
            todo.append((err["shape"], f"operation {name} errors"))
    seen = set()
    while todo:
        name, where = todo.pop()
        if name in seen:
            continue
        if name not in shapes:
            raise InputError(f"{service}: shape {name!r} (referenced by {where}) is not in the "
                             "botocore model")
        seen.add(name)
        for ref in shape_refs(shapes[name]):
            todo.append((ref, f"shape {name}"))
    return {name: shapes[name] for name in seen}


def extract(loader, service, wanted, botocore_version):
    from botocore.exceptions import DataNotFoundError, UnknownServiceError

    try:
        api_version = loader.determine_latest_version(service, "service-2")
        model = loader.load_service_model(service, "service-2", api_version)
    except (DataNotFoundError, UnknownServiceError):
        raise InputError(f"unknown service {service!r}: botocore {botocore_version} has no "
                         "service-2 model of that name (use the boto3 client name, e.g. 'elbv2')")
    available = model["operations"]
    if wanted is None:
        wanted = sorted(available)
    unknown = [op for op in wanted if op not in available]
    if unknown:
        close = []
        for op in unknown:
            similar = [a for a in available if a.lower() == op.lower()]
            close.append(f"{op} (did you mean {similar[0]}?)" if similar else op)
        raise InputError(f"{service}: botocore {botocore_version} has no operation "
                         f"{', '.join(close)}")

    def optional(type_name, key):
        try:
            return loader.load_service_model(service, type_name, api_version).get(key, {})
        except DataNotFoundError:
            return {}

    paginators = {op: cfg for op, cfg in optional("paginators-1", "pagination").items()
                  if op in wanted}
    waiters = {name: w for name, w in optional("waiters-2", "waiters").items()
               if w.get("operation") in wanted}
    trimmed = {
        "botocore_version": botocore_version,
        "metadata": model["metadata"],
        "operations": {op: available[op] for op in wanted},
        "shapes": reachable_shapes(service, model, wanted),
        "paginators": paginators,
        "waiters": waiters,
    }
    return canonical(strip_docs(trimmed))


# botocore's PRIORITY_ORDERED_SUPPORTED_PROTOCOLS without smithy-rpc-v2-cbor, which asr doesn't
# implement; src/aws/model.cc resolves metadata.protocols the same way.
ASR_PROTOCOLS = ("json", "rest-json", "rest-xml", "query", "ec2")


def resolved_protocol(metadata):
    protocols = metadata.get("protocols") or [metadata.get("protocol", "")]
    for protocol in ASR_PROTOCOLS:
        if protocol in protocols:
            if protocol != metadata.get("protocol"):
                return f"{protocol} (model: {metadata.get('protocol')})"
            return protocol
    return f"unsupported: {metadata.get('protocol')}"


def render_json(model):
    import json

    return json.dumps(model, indent=1, ensure_ascii=True, separators=(",", ": ")) + "\n"


def render_readme(botocore_version, rows, notes):
    lines = [
        "# models/",
        "",
        "Trimmed botocore service models that asr's AWS client (`src/aws`) is driven by. Generated by",
        "`tools/extract_models.py` from the operations listed in `tools/models.txt`; do not edit by",
        "hand. The build embeds every `<service>.json` here into the binary (`src/aws/models.cmake`).",
        "",
        f"Extracted from **botocore {botocore_version}**.",
        "",
        "## Regenerating",
        "",
        "```sh",
        "python3 tools/extract_models.py          # rewrite models/ from the installed botocore",
        "python3 tools/extract_models.py --check  # exit 1 if models/ is out of date",
        "```",
        "",
        "To add a service or an operation, add it to `tools/models.txt` (one line per service,",
        "`service: Op1 Op2 ...` or `service: *`), regenerate, and rebuild. Each model keeps the full",
        "metadata, the listed operations, the shapes reachable from their input, output and errors,",
        "and their paginators and waiters; documentation is dropped.",
        "",
        "## Contents",
        "",
        "Protocol is the one asr uses: the first of `metadata.protocols` in botocore's priority order",
        "that asr implements.",
        "",
        "| service | protocol | operations | paginators | waiters | bytes |",
        "|---|---|---:|---:|---:|---:|",
    ]
    total = 0
    for service, protocol, n_ops, n_pag, n_wait, size in rows:
        lines.append(f"| {service} | {protocol} | {n_ops} | {n_pag} | {n_wait} | {size} |")
        total += size
    lines.append(f"| **total** | | {sum(r[2] for r in rows)} | {sum(r[3] for r in rows)} | "
                 f"{sum(r[4] for r in rows)} | {total} |")
    if notes:
        lines += ["", "## Mapping notes", ""] + notes
    return "\n".join(lines) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", default=os.path.join(ROOT, "tools", "models.txt"),
                        help="services and operations (default: tools/models.txt)")
    parser.add_argument("--out", default=os.path.join(ROOT, "models"),
                        help="output folder (default: models/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the output folder is out of date")
    args = parser.parse_args(argv)

    try:
        import botocore
        import botocore.loaders
    except ImportError:
        print("extract_models.py: botocore is not installed for this python "
              f"({sys.executable})", file=sys.stderr)
        return 2

    try:
        services, notes = parse_list(args.list)
        loader = botocore.loaders.Loader()
        wanted = {}
        rows = []
        for service, ops, _ in services:
            model = extract(loader, service, ops, botocore.__version__)
            text = render_json(model)
            wanted[f"{service}.json"] = text
            rows.append((service, resolved_protocol(model["metadata"]), len(model["operations"]),
                         len(model["paginators"]), len(model["waiters"]), len(text)))
        wanted["README.md"] = render_readme(botocore.__version__, rows, notes)
    except (InputError, OSError) as e:
        print(f"extract_models.py: {e}", file=sys.stderr)
        return 2

    existing = set()
    if os.path.isdir(args.out):
        existing = {f for f in os.listdir(args.out) if f.endswith(".json") or f == "README.md"}
    stale = sorted(existing - set(wanted))

    if args.check:
        problems = []
        for name, text in sorted(wanted.items()):
            path = os.path.join(args.out, name)
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        problems.append(f"{name}: differs from what botocore "
                                        f"{botocore.__version__} and {args.list} produce")
            except FileNotFoundError:
                problems.append(f"{name}: missing")
        problems += [f"{name}: not listed in {args.list}" for name in stale]
        if problems:
            for p in problems:
                print(f"extract_models.py --check: {p}", file=sys.stderr)
            print("extract_models.py --check: models/ is out of date; run "
                  "python3 tools/extract_models.py", file=sys.stderr)
            return 1
        return 0

    os.makedirs(args.out, exist_ok=True)
    for name in stale:
        os.remove(os.path.join(args.out, name))
    for name, text in sorted(wanted.items()):
        path = os.path.join(args.out, name)
        with open(path + ".tmp", "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    print(f"extract_models.py: wrote {len(wanted) - 1} models (botocore {botocore.__version__}) "
          f"to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
