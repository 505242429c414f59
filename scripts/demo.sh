#!/usr/bin/env bash
# The whole pipeline on this machine: a local AWS emulator (moto), then one `provisioner cycle --local`
# (up with the real raw data, the job on local Spark, export of the results, teardown), and the
# results as an HTML report built from the export.
# Leaves nothing behind but the report (DEMO_REPORT, default ./report.html), on success or failure.
# Set DEMO_SUMMARY=FILE to also get the run report, the report's headline and the final status as JSON.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=.venv/bin/python
PROVISIONER=(node dist/cli.js)
work=$(mktemp -d "${TMPDIR:-/tmp}/provisioner-demo.XXXXXX")
moto_pid=""

cleanup() {
  local status=$?
  if [[ -n "$moto_pid" ]] && kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  if [[ $status -ne 0 ]]; then echo "demo failed (exit $status); the emulator was stopped and its data discarded" >&2; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "starting the local AWS emulator (moto)"
# The launcher prints the URL once moto answers (nothing, and the reason on stderr, if it cannot)
# and stays in the foreground as moto's parent: stopping it (cleanup) stops moto.
exec {moto_out}< <(exec "$PYTHON" scripts/moto_launcher.py --log "$work/moto.log")
moto_pid=$!
read -r endpoint <&"$moto_out" || exit 1
exec {moto_out}<&-
echo "the emulator on ${endpoint#http://} answers" >&2

# Fake credentials: the emulator accepts any. Nothing here reaches real AWS.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="$endpoint"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export PROVISIONER_NAME=flight-delays-demo

step "provisioner cycle --local: up, the job on local Spark, export, teardown"
"${PROVISIONER[@]}" cycle --local --python "$PYTHON" --yes --to "$work/export"

step "provisioner report, from the exported results"
report_html="${DEMO_REPORT:-report.html}"
"${PROVISIONER[@]}" report --from "$work/export" --out "$report_html"
if [[ -n "${DEMO_SUMMARY:-}" ]]; then "${PROVISIONER[@]}" report --from "$work/export" --out "$report_html" --json >"$work/report-headline.json"; fi

step "provisioner status: nothing is left standing"
"${PROVISIONER[@]}" status
"${PROVISIONER[@]}" status --json >"$work/status-after.json"

if [[ -n "${DEMO_SUMMARY:-}" ]]; then
  "$PYTHON" - "$work/export/reports/run_report.json" "$work/report-headline.json" "$work/status-after.json" "$DEMO_SUMMARY" <<'PY'
import json, sys
run, report, after, out = sys.argv[1:5]
summary = {"run": json.load(open(run)), "report": json.load(open(report)), "status_after_teardown": json.load(open(after))}
json.dump(summary, open(out, "w"), indent=2)
PY
fi
step "done: everything was created, run, and deleted again; the results: $report_html"
