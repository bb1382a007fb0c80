#!/usr/bin/env python3
"""Generates asr's compiled-in catalogue (src/catalog) from its CSV sources.

Reads src/catalog/data/{playbooks,controls,remaps}.csv, validates them, and writes one C++
source file holding the data as constexpr arrays (no parsing at run time). On any problem it
prints every error found, one per line as "<file>:<line>: <message>", writes nothing and exits 1.

Usage:
  gen_catalog.py --playbooks playbooks.csv --controls controls.csv --remaps remaps.csv \
      --output catalog_data.cc

Derivations (documented in src/catalog/README.md and relied on by catalog_test):
  * runbooks: remediation_runbook split on ';', in order.
  * remediation_id: the first runbook starting "ASR-" (else the first runbook) without its
    "ASR-"/"AWS-" prefix.
  * security_control_id: the column, except "ambiguous:A|B|..." gives "" and candidates [A, B, ...],
    and "not found (...)" (the reference has no mapping) gives "" and no candidates.
  * executes: the remap target's control id (as spelled in controls.csv), else the control itself.
Only the Python standard library is used.
"""

import argparse
import csv
import os
import re
import sys
import tempfile

PLAYBOOK_COLUMNS = ["id", "short_name", "standard_long_name", "version", "title"]
CONTROL_COLUMNS = [
    "playbook",
    "standard_long_name",
    "version",
    "control_id",
    "security_control_id",
    "remediation_runbook",
    "resource_type",
    "version_added",
]
REMAP_COLUMNS = ["playbook", "control_id", "executes"]
RUNBOOK_PREFIXES = ("ASR-", "AWS-")
AMBIGUOUS_PREFIX = "ambiguous:"
NOT_FOUND_PREFIX = "not found"
SECURITY_CONTROL_ID = re.compile(r"[A-Za-z][A-Za-z0-9]*\.[0-9]+")


class Errors:
    """Collects validation errors so one run reports all of them."""

    def __init__(self):
        self.messages = []

    def add(self, path, line, message):
        location = f"{path}:{line}" if line else path
        self.messages.append(f"{location}: {message}")


def read_csv(path, columns, errors):
    """Returns [(line_number, row_dict)] or None when the file can't be used at all."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f, strict=True)
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        errors.add(path, 0, f"cannot read: {e}")
        return None
    if not rows or rows[0] != columns:
        got = ",".join(rows[0]) if rows else "(empty file)"
        errors.add(path, 1, f"header must be '{','.join(columns)}', got '{got}'")
        return None
    result = []
    for index, row in enumerate(rows[1:], start=2):
        if not row:
            continue  # blank line
        if len(row) != len(columns):
            errors.add(path, index, f"expected {len(columns)} fields, got {len(row)}")
            continue
        record = dict(zip(columns, row))
        bad = [c for c in columns if not record[c] or record[c] != record[c].strip()]
        if bad:
            errors.add(path, index, f"empty value or surrounding whitespace in {', '.join(bad)}")
            continue
        result.append((index, record))
    return result


def remediation_id_of(runbooks):
    chosen = next((r for r in runbooks if r.startswith("ASR-")), runbooks[0])
    return chosen[len("ASR-"):]


def validate_and_build(paths, errors):
    """Returns (playbooks, controls) ready for emission, or None on errors."""
    playbook_rows = read_csv(paths.playbooks, PLAYBOOK_COLUMNS, errors)
    control_rows = read_csv(paths.controls, CONTROL_COLUMNS, errors)
    remap_rows = read_csv(paths.remaps, REMAP_COLUMNS, errors)
    if playbook_rows is None or control_rows is None or remap_rows is None:
        return None

    playbooks = []  # dicts, in file order
    playbook_index = {}  # lowercased id -> index
    standards = {}
    for line, row in playbook_rows:
        key = row["id"].lower()
        if key in playbook_index:
            errors.add(paths.playbooks, line, f"duplicate playbook id '{row['id']}'")
            continue
        standard = (row["standard_long_name"].lower(), row["version"])
        if standard in standards:
            errors.add(
                paths.playbooks,
                line,
                f"standard {row['standard_long_name']} {row['version']} is already playbook "
                f"'{standards[standard]}'",
            )
            continue
        standards[standard] = row["id"]
        playbook_index[key] = len(playbooks)
        playbooks.append(dict(row, controls=[]))

    controls = {}  # (playbook index, lowercased control id) -> control dict
    for line, row in control_rows:
        pb = playbook_index.get(row["playbook"].lower())
        if pb is None:
            errors.add(paths.controls, line, f"unknown playbook '{row['playbook']}' "
                       f"(not in {os.path.basename(paths.playbooks)})")
            continue
        playbook = playbooks[pb]
        if (row["standard_long_name"], row["version"]) != (
            playbook["standard_long_name"],
            playbook["version"],
        ):
            errors.add(
                paths.controls,
                line,
                f"control '{row['control_id']}' says standard {row['standard_long_name']} "
                f"{row['version']} but playbook '{playbook['id']}' is "
                f"{playbook['standard_long_name']} {playbook['version']}",
            )
            continue
        key = (pb, row["control_id"].lower())
        if key in controls:
            errors.add(
                paths.controls,
                line,
                f"duplicate control '{row['control_id']}' in playbook '{playbook['id']}' "
                f"(control ids compare case-insensitively; first at line {controls[key]['line']})",
            )
            continue
        runbooks = row["remediation_runbook"].split(";")
        bad = [r for r in runbooks if not r.startswith(RUNBOOK_PREFIXES) or len(r) <= 4]
        if bad:
            errors.add(
                paths.controls,
                line,
                f"control '{row['control_id']}': runbook name '{bad[0]}' must start with "
                f"ASR- or AWS- followed by a name",
            )
            continue
        security_control_id = row["security_control_id"]
        candidates = []
        if security_control_id.startswith(AMBIGUOUS_PREFIX):
            candidates = security_control_id[len(AMBIGUOUS_PREFIX):].split("|")
            security_control_id = ""
            if len(candidates) < 2:
                errors.add(
                    paths.controls,
                    line,
                    f"control '{row['control_id']}': '{row['security_control_id']}' must list "
                    f"at least two candidates separated by '|'",
                )
                continue
        elif security_control_id.startswith(NOT_FOUND_PREFIX):
            security_control_id = ""
        ids = candidates + ([security_control_id] if security_control_id else [])
        bad = [i for i in ids if not SECURITY_CONTROL_ID.fullmatch(i)]
        if bad:
            errors.add(
                paths.controls,
                line,
                f"control '{row['control_id']}': security control id '{bad[0]}' is not like "
                f"'S3.2'; use an id, 'ambiguous:<id>|<id>...' or 'not found (<reason>)'",
            )
            continue
        control = {
            "line": line,
            "playbook": pb,
            "control_id": row["control_id"],
            "executes": row["control_id"],
            "security_control_id": security_control_id,
            "candidates": candidates,
            "remediation_id": remediation_id_of(runbooks),
            "runbooks": runbooks,
            "runbook_column": row["remediation_runbook"],
            "resource_type": row["resource_type"],
            "version_added": row["version_added"],
        }
        controls[key] = control
        playbook["controls"].append(control)

    remapped = {}  # (playbook index, lowercased source) -> line
    for line, row in remap_rows:
        pb = playbook_index.get(row["playbook"].lower())
        if pb is None:
            errors.add(paths.remaps, line, f"unknown playbook '{row['playbook']}'")
            continue
        playbook_id = playbooks[pb]["id"]
        source = controls.get((pb, row["control_id"].lower()))
        target = controls.get((pb, row["executes"].lower()))
        if source is None:
            errors.add(
                paths.remaps,
                line,
                f"remap source '{row['control_id']}' is not a control of playbook '{playbook_id}'",
            )
            continue
        if target is None:
            errors.add(
                paths.remaps,
                line,
                f"remap target '{row['executes']}' is not a control of playbook '{playbook_id}'",
            )
            continue
        if source is target:
            errors.add(paths.remaps, line, f"control '{row['control_id']}' is remapped to itself")
            continue
        key = (pb, row["control_id"].lower())
        if key in remapped:
            errors.add(
                paths.remaps,
                line,
                f"control '{row['control_id']}' of playbook '{playbook_id}' is already remapped "
                f"at line {remapped[key]}",
            )
            continue
        if source["runbook_column"] != target["runbook_column"]:
            errors.add(
                paths.remaps,
                line,
                f"remap {playbook_id} {source['control_id']} -> {target['control_id']}: "
                f"runbook differs ('{source['runbook_column']}' vs '{target['runbook_column']}'); "
                f"a remapped control must run its target's remediation",
            )
            continue
        remapped[key] = line
        source["executes"] = target["control_id"]

    # Chains (A -> B -> C) would make "executes" ambiguous; the reference has none.
    for control in controls.values():
        if control["executes"] != control["control_id"]:
            target_key = (control["playbook"], control["executes"].lower())
            if target_key in remapped:
                errors.add(
                    paths.remaps,
                    remapped[target_key],
                    f"remap target '{control['executes']}' of playbook "
                    f"'{playbooks[control['playbook']]['id']}' is itself remapped (no chains)",
                )
    if errors.messages:
        return None
    return playbooks


def cpp_string(value):
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        else:
            out.append("".join(f"\\x{b:02x}\"\"" for b in ch.encode("utf-8")))
    out.append('"')
    return "".join(out)


def emit(playbooks):
    lists = {}  # tuple of strings -> array name
    list_lines = []

    def list_ref(values):
        if not values:
            return "{}"
        key = tuple(values)
        if key not in lists:
            name = f"kList{len(lists)}"
            lists[key] = name
            items = ", ".join(cpp_string(v) for v in values)
            list_lines.append(f"constexpr std::string_view {name}[] = {{{items}}};")
        return lists[key]

    playbook_lines = []
    control_lines = []
    for index, pb in enumerate(playbooks):
        fields = ", ".join(cpp_string(pb[c]) for c in PLAYBOOK_COLUMNS)
        playbook_lines.append(f"    {{{fields}}},")
        for c in pb["controls"]:
            parts = [
                str(index),
                cpp_string(c["control_id"]),
                cpp_string(c["executes"]),
                cpp_string(c["security_control_id"]),
                list_ref(c["candidates"]),
                cpp_string(c["remediation_id"]),
                list_ref(c["runbooks"]),
                cpp_string(c["resource_type"]),
                cpp_string(c["version_added"]),
            ]
            control_lines.append(f"    {{{', '.join(parts)}}},")

    total = sum(len(pb["controls"]) for pb in playbooks)
    return "\n".join(
        [
            "// Generated by tools/gen_catalog.py from src/catalog/data/*.csv. Do not edit.",
            "// clang-format off",
            '#include "catalog/internal/catalog_data.h"',
            "",
            "namespace asr::catalog::internal {",
            "namespace {",
            "",
            *list_lines,
            "",
            "constexpr Playbook kPlaybooks[] = {",
            *playbook_lines,
            "};",
            "",
            f"// {total} controls, grouped by playbook in kPlaybooks order.",
            "constexpr ControlRow kControls[] = {",
            *control_lines,
            "};",
            "",
            "}  // namespace",
            "",
            "std::span<const Playbook> PlaybookRows() { return kPlaybooks; }",
            "std::span<const ControlRow> ControlRows() { return kControls; }",
            "",
            "}  // namespace asr::catalog::internal",
            "",
        ]
    )


def write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".gen_catalog.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--playbooks", required=True, help="path to playbooks.csv")
    parser.add_argument("--controls", required=True, help="path to controls.csv")
    parser.add_argument("--remaps", required=True, help="path to remaps.csv")
    parser.add_argument("--output", required=True, help="C++ file to write")
    args = parser.parse_args(argv)

    errors = Errors()
    playbooks = validate_and_build(args, errors)
    if playbooks is None:
        for message in errors.messages:
            print(f"gen_catalog: error: {message}", file=sys.stderr)
        print(f"gen_catalog: {len(errors.messages)} error(s); nothing written", file=sys.stderr)
        return 1
    write_atomically(args.output, emit(playbooks))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
