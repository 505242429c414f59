#!/usr/bin/env bash
# Build the container image with buildah and run it with podman against a
# moto server on this host:
#   - the image: non-root user, entrypoint, OCI labels, production files only,
#     no AWS names or values in its config or history, no credentials or npm
#     settings in its file system;
#   - `up` with AWS_* variables, `status --json` with a read-only ~/.aws and
#     AWS_PROFILE, `up --dry-run` with the user's own data mounted over
#     /app/rawdata, `teardown --yes` with a container (ECS task) role, and
#     `status --json` with a web identity token (EKS IRSA) to see it all gone;
#     every run under --read-only with only a tmpfs /tmp writable.
# Skips (exit 0, with the reason) when buildah cannot be installed here.
#
# Needs moto_server (.venv/bin/moto_server from `make install`, else on PATH);
# scripts/moto_launcher.py starts and stops it.
# Env: IMAGE_NAME (default: provisioner), IMAGE_TEST_KEEP=1 keeps the work folder.
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
. "$(dirname "$0")/image/lib.sh"
cd "$REPO_ROOT"

started=$SECONDS
skip() {
  printf 'image-test: skipped: %s\n' "$*"
  exit 0
}

if [ "$(id -u)" -ne 0 ]; then
  skip "building and running the image without a Docker engine needs root (buildah, podman with host networking)"
fi
ensure_container_tools || skip "$TOOLS_UNAVAILABLE"
use_container_config
[ -x .venv/bin/moto_server ] || command -v moto_server >/dev/null 2>&1 ||
  die "moto_server is neither in .venv nor on PATH: run 'make install'"

image="${IMAGE_NAME:-provisioner}:latest"
python="$(command -v python3)"
work="$(mktemp -d /tmp/image-test.XXXXXX)"
chmod 0755 "$work"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${image_mnt:-}" ]; then podman image unmount "$image" >/dev/null 2>&1 || true; fi
  if [ "${IMAGE_TEST_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0
failed=0
ok() {
  passed=$((passed + 1))
  printf '  ok    %s\n' "$1"
}
not_ok() {
  failed=$((failed + 1))
  printf '  FAIL  %s\n' "$1"
  if [ -n "${2:-}" ] && [ -s "$2" ]; then sed 's/^/        | /' "$2" | tail -n 40; fi
}

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for_http() { # URL: until anything answers there (any status)
  for _ in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" != 000 ] && return 0
    sleep 0.2
  done
  return 1
}

# --- build -----------------------------------------------------------------
build_started=$SECONDS
if IMAGE_BUILDER=buildah scripts/image-build.sh >"$work/build.log" 2>&1; then
  ok "image builds with buildah ($(grep -o 'in [0-9]* s, .*' "$work/build.log" | tail -n 1))"
else
  not_ok "image builds with buildah" "$work/build.log"
  printf 'image-test: %d passed, %d failed\n' "$passed" "$failed"
  exit 1
fi
build_seconds=$((SECONDS - build_started))

# --- the image itself --------------------------------------------------------
podman image inspect "$image" >"$work/inspect.json"
podman history --no-trunc --format '{{.CreatedBy}} {{.Comment}}' "$image" >"$work/history.txt"

# Distinctive fake credentials, one set per style, so a leak would be visible.
stamp="$(date +%s)$RANDOM"
env_key="AKIAIMAGETEST$RANDOM"
env_secret="env-secret-$stamp"
profile_key="AKIAPROFILETEST$RANDOM"
profile_secret="profile-secret-$stamp"

if "$python" - "$work/inspect.json" >"$work/config.log" 2>&1 <<'EOF'; then
import json, sys
config = json.load(open(sys.argv[1]))[0]["Config"]
user = config.get("User", "")
assert user and user.split(":")[0] not in ("0", "root"), f"User is {user!r}"
assert config["Entrypoint"][-1] == "/app/dist/cli.js", config["Entrypoint"]
assert config["WorkingDir"] == "/app", config["WorkingDir"]
assert config.get("StopSignal") == "SIGINT", f"StopSignal is {config.get('StopSignal')!r}"
labels = config.get("Labels") or {}
for key in ("title", "description", "version", "revision", "licenses"):
    assert labels.get(f"org.opencontainers.image.{key}"), f"missing label {key}"
EOF
  ok "image config: non-root user, CLI entrypoint, stop signal, OCI labels"
else
  not_ok "image config: non-root user, CLI entrypoint, stop signal, OCI labels" "$work/config.log"
fi

{
  cat "$work/inspect.json" "$work/history.txt"
} >"$work/metadata.txt"
leaks=()
grep -qiE 'AWS_|aws_access_key|aws_secret|aws_session|(AKIA|ASIA)[A-Z0-9]{12,}' "$work/metadata.txt" && leaks+=("AWS names or key ids")
for value in "$env_key" "$env_secret" "$profile_key" "$profile_secret"; do
  grep -qF "$value" "$work/metadata.txt" && leaks+=("$value")
done
while IFS='=' read -r name value; do
  [ ${#value} -ge 6 ] && grep -qF "$value" "$work/metadata.txt" && leaks+=("value of host $name")
done < <(env | grep -E '^AWS_[A-Z_]*=' || true)
if [ ${#leaks[@]} -eq 0 ]; then
  ok "no AWS names or values in the image config or history"
else
  printf '%s\n' "${leaks[@]}" >"$work/leaks.log"
  not_ok "no AWS names or values in the image config or history" "$work/leaks.log"
fi

image_mnt="$(podman image mount "$image")"
{
  find "$image_mnt" \( -name .aws -o -name .npmrc -o -name npmrc -o -name '.env' -o -path "$image_mnt/run/npm-build" \) \
    -not -path "$image_mnt/usr/local/lib/node_modules/npm/*" -printf 'secret-looking: /%P\n'
  for dev in typescript vitest eslint aws-sdk-client-mock; do
    [ -e "$image_mnt/app/node_modules/$dev" ] && echo "dev dependency in the image: $dev"
  done
  for must in app/dist/cli.js app/package.json app/node_modules/@aws-sdk/client-glue app/rawdata; do
    [ -e "$image_mnt/$must" ] || echo "missing: /$must"
  done
  ls "$image_mnt"/app/glue-job/*.py >/dev/null 2>&1 || echo "missing: /app/glue-job/*.py"
  find "$image_mnt/app" -path "$image_mnt/app/node_modules" -prune -o \
    \( -name tests -o -name test -o -name '*.test.*' -o -name 'test_*.py' -o -name src -o -name __pycache__ \) -printf 'not for the image: /%P\n'
} >"$work/files.log" 2>&1
podman image unmount "$image" >/dev/null
image_mnt=""
if [ -s "$work/files.log" ]; then
  not_ok "image files: dist, production dependencies, data and Glue scripts only; no credentials or npm settings" "$work/files.log"
else
  ok "image files: dist, production dependencies, data and Glue scripts only; no credentials or npm settings"
fi

# --- moto, and the stand-ins for a container role and a web identity ---------
# The launcher prints the URL once moto answers (nothing, and the reason on stderr, if it cannot)
# and stays in the foreground as moto's parent: stopping it (cleanup) stops moto.
exec {moto_out}< <(exec "$python" scripts/moto_launcher.py --log "$work/moto.log")
pids+=($!)
read -r endpoint <&"$moto_out" || die "moto_server did not start"
exec {moto_out}<&-

creds_port="$(free_port)"
creds_token="container-token-$stamp"
"$python" scripts/image/container-credentials.py "$creds_port" "$creds_token" "$work/credentials-requests.log" \
  >"$work/credentials.log" 2>&1 &
pids+=($!)
wait_for_http "http://127.0.0.1:$creds_port/" || { cat "$work/credentials.log" >&2; die "the credentials endpoint did not start"; }

mkdir -p "$work/aws" "$work/token" "$work/own-data/flights/year=2002/month=01"
cat >"$work/aws/config" <<EOF
[profile image-test]
region = us-east-1
EOF
cat >"$work/aws/credentials" <<EOF
[image-test]
aws_access_key_id = $profile_key
aws_secret_access_key = $profile_secret
EOF
printf 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJpbWFnZS10ZXN0In0.\n' >"$work/token/token"
printf 'date,delay,distance,origin,destination\n2002-01-01 06:00,5,300,SFO,LAX\n' | gzip >"$work/own-data/flights/year=2002/month=01/own-2002-01.csv.gz"
chmod -R a+rX "$work/aws" "$work/token" "$work/own-data"

stack="imgtest$RANDOM"
# Every run: host network (to reach moto), a read-only root file system with
# only /tmp writable, no instance metadata lookups, and no credentials except
# the ones the step passes.
run() { # LOG, podman run options... -- CLI arguments...
  local logfile="$1"
  shift
  local opts=()
  while [ "$1" != -- ]; do
    opts+=("$1")
    shift
  done
  shift
  timeout 300 podman run --rm --network host \
    --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,nosuid,nodev,size=64m \
    -e AWS_REGION=us-east-1 -e "AWS_ENDPOINT_URL=$endpoint" -e AWS_EC2_METADATA_DISABLED=true \
    -e "PROVISIONER_NAME=$stack" -e PROVISIONER_LOG_FORMAT=json \
    "${opts[@]}" "$image" "$@" >"$logfile.out" 2>"$logfile.err"
}
show() { cat "$1.err" "$1.out" >"$1.log"; }

# Who the CLI runs as, under the same constraints.
if run "$work/uid" --entrypoint node -- -e 'process.stdout.write(String(process.getuid()))' &&
  [ "$(cat "$work/uid.out")" != 0 ]; then
  ok "runs as uid $(cat "$work/uid.out") (non-root) under --read-only"
else
  show "$work/uid"
  not_ok "runs as non-root under --read-only" "$work/uid.log"
fi

# up: credentials from AWS_* variables.
if run "$work/up" -e "AWS_ACCESS_KEY_ID=$env_key" -e "AWS_SECRET_ACCESS_KEY=$env_secret" -- up; then
  ok "up with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, --read-only"
else
  show "$work/up"
  not_ok "up with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, --read-only" "$work/up.log"
fi

# status --json: credentials from a read-only ~/.aws and AWS_PROFILE.
assert_status() { # JSON-FILE EXPECT(up|down)
  "$python" - "$1" "$2" "$stack" <<'EOF'
import json, sys
path, expect, stack = sys.argv[1:4]
text = open(path).read().strip()
report = json.loads(text)  # exactly one JSON object on stdout
assert isinstance(report, dict), "status --json did not print one object"
assert report["stack"] == stack, f"stack is {report['stack']!r}"
assert report["region"] == "us-east-1", f"region is {report['region']!r}"
resources = {r["kind"]: r for r in report["resources"]}
for kind in ("bucket", "role", "database", "crawler", "job", "workflow"):
    assert kind in resources, f"no {kind} in resources"
    assert resources[kind]["exists"] is (expect == "up"), f"{kind}: exists={resources[kind]['exists']}, expected {expect}"
for trigger in report["triggers"]:
    assert trigger["exists"] is (expect == "up"), f"trigger {trigger['name']}: exists={trigger['exists']}"
objects = report["objects"]
if expect == "up":
    assert objects["raw"]["objects"] > 0 and objects["raw"]["bytes"] > 0, f"raw/: {objects['raw']}"
    assert objects["scripts"]["objects"] > 0, f"scripts/: {objects['scripts']}"
    schedules = [t.get("schedule") for t in report["triggers"] if t.get("type") == "SCHEDULED"]
    assert schedules and schedules[0].startswith("cron("), f"scheduled trigger: {report['triggers']}"
else:
    assert objects["raw"]["objects"] == 0, f"raw/ after teardown: {objects['raw']}"
print(f"{resources['bucket']['name']}: raw/ {objects['raw']['objects']} objects, {objects['raw']['bytes']} bytes")
EOF
}
if run "$work/status" -v "$work/aws:/home/node/.aws:ro" -e AWS_PROFILE=image-test -- status --json &&
  assert_status "$work/status.out" up >"$work/status.check" 2>&1; then
  ok "status --json with a read-only ~/.aws and AWS_PROFILE: $(cat "$work/status.check")"
else
  show "$work/status"
  cat "$work/status.check" >>"$work/status.log" 2>/dev/null || true
  not_ok "status --json with a read-only ~/.aws and AWS_PROFILE: bucket, role, database, crawler, job, workflow, triggers, raw/ objects" "$work/status.log"
fi

# up --dry-run with the user's own data mounted over /app/rawdata.
if run "$work/own" -e "AWS_ACCESS_KEY_ID=$env_key" -e "AWS_SECRET_ACCESS_KEY=$env_secret" \
  -v "$work/own-data:/app/rawdata:ro" -- up --dry-run &&
  grep -q 'own-2002-01.csv.gz' "$work/own.out" "$work/own.err"; then
  ok "up --dry-run sees own data mounted over /app/rawdata"
else
  show "$work/own"
  not_ok "up --dry-run sees own data mounted over /app/rawdata" "$work/own.log"
fi

# teardown --yes: credentials from the container credentials endpoint (ECS task role).
if run "$work/teardown" -e "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$creds_port/credentials" \
  -e "AWS_CONTAINER_AUTHORIZATION_TOKEN=$creds_token" -- teardown --yes &&
  grep -q 'GET /credentials authorized=True' "$work/credentials-requests.log"; then
  ok "teardown --yes with a container (ECS task) role"
else
  show "$work/teardown"
  cat "$work/credentials-requests.log" >>"$work/teardown.log"
  not_ok "teardown --yes with a container (ECS task) role" "$work/teardown.log"
fi

# status --json after teardown: credentials from a web identity token (EKS IRSA).
if run "$work/gone" -v "$work/token:/var/run/secrets/eks.amazonaws.com/serviceaccount:ro" \
  -e AWS_ROLE_ARN=arn:aws:iam::123456789012:role/provisioner-irsa \
  -e AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token \
  -- status --json && assert_status "$work/gone.out" down >"$work/gone.check" 2>&1; then
  ok "status --json with a web identity token (IRSA) after teardown: everything gone"
else
  show "$work/gone"
  cat "$work/gone.check" >>"$work/gone.log" 2>/dev/null || true
  not_ok "status --json with a web identity token (IRSA) after teardown: everything gone" "$work/gone.log"
fi

printf 'image-test: build %d s, total %d s\n' "$build_seconds" "$((SECONDS - started))"
printf 'image-test: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
