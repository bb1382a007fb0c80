#!/usr/bin/env bash
# The tutorial against moto (a local AWS imitation; no real AWS account is touched):
# a Lambda function in member account 222222222222, us-west-2, whose policy lets anyone invoke it,
# and the consolidated Lambda.1 finding Security Hub sends when someone picks the custom action
# "Remediate with ASR". asr removes the public statement and leaves the other one in place.
#
# Usage: scripts/tutorial.sh [path/to/asr]   (default: build/release/src/app/asr)
set -euo pipefail
cd "$(dirname "$0")/.."
ASR="${1:-build/release/src/app/asr}"
[[ -x "$ASR" ]] || { echo "build asr first (scripts/setup.sh)" >&2; exit 2; }

exec python3 tests/integration/run_with_moto.py -- bash -c '
set -euo pipefail
ASR="$1"
echo "== moto is at $AWS_ENDPOINT_URL; acting in member account 222222222222 through its member role"
creds=$(aws sts assume-role --role-arn arn:aws:iam::222222222222:role/SO0111-ASR-Orchestrator-Member \
          --role-session-name tutorial --query Credentials --output json)
member() {
  AWS_ACCESS_KEY_ID=$(jq -r .AccessKeyId <<<"$creds") \
  AWS_SECRET_ACCESS_KEY=$(jq -r .SecretAccessKey <<<"$creds") \
  AWS_SESSION_TOKEN=$(jq -r .SessionToken <<<"$creds") aws --region us-west-2 "$@"
}
role=$(member iam create-role --role-name tutorial-fn-role --query Role.Arn --output text \
         --assume-role-policy-document "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}")
tmp=$(mktemp -d); trap "rm -rf $tmp" EXIT
printf "def handler(event, context):\n    return 1\n" > "$tmp/index.py"
(cd "$tmp" && python3 -m zipfile -c fn.zip index.py)
member lambda create-function --function-name tutorial-public-fn --runtime python3.11 \
  --role "$role" --handler index.handler --zip-file "fileb://$tmp/fn.zip" >/dev/null
member lambda add-permission --function-name tutorial-public-fn --statement-id public-invoke \
  --action lambda:InvokeFunction --principal "*" >/dev/null
member lambda add-permission --function-name tutorial-public-fn --statement-id events-rule \
  --action lambda:InvokeFunction --principal events.amazonaws.com \
  --source-arn arn:aws:events:us-west-2:222222222222:rule/nightly >/dev/null
echo "== the function policy before (statement ids):"
member lambda get-policy --function-name tutorial-public-fn --query Policy --output text | jq -c "[.Statement[].Sid]"
echo "== asr explain"
"$ASR" explain examples/tutorial/lambda.1-custom-action.json
echo "== asr remediate --dry-run"
"$ASR" remediate examples/tutorial/lambda.1-custom-action.json --dry-run --records-dir "$tmp/records"
echo "== asr remediate --yes"
"$ASR" remediate examples/tutorial/lambda.1-custom-action.json --yes --records-dir "$tmp/records"
echo "== the function policy after (statement ids):"
after=$(member lambda get-policy --function-name tutorial-public-fn --query Policy --output text | jq -c "[.Statement[].Sid]")
echo "$after"
[[ "$after" == "[\"events-rule\"]" ]] || { echo "unexpected policy after remediation" >&2; exit 1; }
echo "== tutorial OK: the public statement is gone, the events rule statement is kept"
' tutorial "$ASR"
