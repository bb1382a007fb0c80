#!/usr/bin/env python3
"""`asr templates member-roles` gives a CloudFormation template that cfn-lint passes with no
errors or warnings, that has one role per registered remediation with exactly its declared
permissions, and whose names follow the reference (SO0111-<Id>-<Namespace>).

Usage: member_roles_cfn_lint.py PATH/TO/asr
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

asr = sys.argv[1]


def run(*args):
    proc = subprocess.run([asr, *args], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        sys.exit(f"asr {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc.stdout


registry = json.loads(run("remediations", "--json"))["remediations"]
text = run("templates", "member-roles", "--namespace", "prod1", "--admin-account", "111111111111")
template = json.loads(text)
failures = []

roles = {k: v for k, v in template["Resources"].items() if k != "OrchestratorMemberRole"}
if len(roles) != len(registry):
    failures.append(f"{len(roles)} remediation roles for {len(registry)} remediations")
for spec in registry:
    role = roles.get("Role" + spec["id"])
    if role is None:
        failures.append(f"no role for {spec['id']}")
        continue
    name = role["Properties"]["RoleName"]["Fn::Sub"]
    if name != f"SO0111-{spec['id']}-${{Namespace}}":
        failures.append(f"{spec['id']}: role name {name}")
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    allowed = [s for s in statements if s["Sid"] == "Remediate"][0]["Action"]
    if sorted(allowed) != sorted(set(spec["permissions"])):
        failures.append(f"{spec['id']}: policy allows {allowed}, declared {spec['permissions']}")
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"]
    if trust != {"Fn::GetAtt": ["OrchestratorMemberRole", "Arn"]}:
        failures.append(f"{spec['id']}: trusted by {trust}")

# Deterministic: the same binary prints the same bytes.
if run("templates", "member-roles", "--namespace", "prod1", "--admin-account",
       "111111111111") != text:
    failures.append("the template is not deterministic")

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "member-roles.json")
    with open(path, "w") as f:
        f.write(text)
    cfn_lint = shutil.which("cfn-lint")
    if cfn_lint is None:
        sys.exit("cfn-lint is not installed (it comes with the image's python3)")
    lint = subprocess.run([cfn_lint, path], capture_output=True, text=True, timeout=240)
    if lint.returncode != 0 or lint.stdout.strip():
        failures.append(f"cfn-lint exited {lint.returncode}:\n{lint.stdout}{lint.stderr}")

for f in failures:
    print("FAIL", f)
print(f"{len(registry)} remediation roles checked, {len(failures)} failures")
sys.exit(1 if failures else 0)
