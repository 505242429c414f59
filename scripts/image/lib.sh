# Shared helpers for scripts/image-build.sh, scripts/image-test.sh and
# scripts/image/make-base-standin.sh. Source it; it defines functions only.
# shellcheck shell=bash disable=SC2034

IMAGE_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$IMAGE_LIB_DIR/../.." && pwd)"

# The packages that build and run images without a Docker engine.
CONTAINER_PACKAGES=(buildah podman runc debootstrap)

log() { printf '[image] %s\n' "$*" >&2; }
die() { printf '[image] error: %s\n' "$*" >&2; exit 1; }

# ensure_container_tools: make buildah, podman, runc and debootstrap available,
# installing the Debian packages when they are missing and this is root on an
# apt system. Returns non-zero with the reason in $TOOLS_UNAVAILABLE otherwise.
ensure_container_tools() {
  TOOLS_UNAVAILABLE=""
  local missing=() cmd
  for cmd in "${CONTAINER_PACKAGES[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  if ! command -v apt-get >/dev/null 2>&1; then
    TOOLS_UNAVAILABLE="${missing[*]} not installed and this is not an apt-based system"
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    TOOLS_UNAVAILABLE="${missing[*]} not installed and installing them needs root"
    return 1
  fi
  log "installing ${missing[*]} (apt-get)"
  local aptlog
  aptlog="$(mktemp)"
  if ! {
    apt-get -o DPkg::Lock::Timeout=300 update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
        --no-install-recommends "${missing[@]}"
  } >"$aptlog" 2>&1; then
    tail -n 20 "$aptlog" >&2
    rm -f "$aptlog"
    TOOLS_UNAVAILABLE="apt-get could not install ${missing[*]}"
    return 1
  fi
  rm -f "$aptlog"
  for cmd in "${missing[@]}"; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
      TOOLS_UNAVAILABLE="$cmd still missing after apt-get install"
      return 1
    fi
  done
  return 0
}

# use_container_config: point buildah and podman at the settings in this
# folder unless the caller chose others.
use_container_config() {
  export CONTAINERS_CONF="${CONTAINERS_CONF:-$IMAGE_LIB_DIR/containers.conf}"
  export CONTAINERS_STORAGE_CONF="${CONTAINERS_STORAGE_CONF:-$IMAGE_LIB_DIR/storage.conf}"
}

# docker_engine_available: true when a Docker client can talk to an engine.
docker_engine_available() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

# dockerfile_base_image: the default of `ARG BASE_IMAGE=...` in the Dockerfile.
dockerfile_base_image() {
  local ref
  ref="$(sed -n 's/^ARG BASE_IMAGE=\([^[:space:]]*\).*/\1/p' "$REPO_ROOT/Dockerfile" | head -n 1)"
  [ -n "$ref" ] || die "no 'ARG BASE_IMAGE=...' line in $REPO_ROOT/Dockerfile"
  printf '%s\n' "$ref"
}

# qualify_image_name NAME: the fully qualified form that local storage keys
# images by, e.g. node:24-bookworm-slim -> docker.io/library/node:24-bookworm-slim.
qualify_image_name() {
  local ref="$1" first="${1%%/*}"
  if [[ "$ref" != */* ]]; then
    ref="docker.io/library/$ref"
  elif [[ "$first" != *.* && "$first" != *:* && "$first" != localhost ]]; then
    ref="docker.io/$ref"
  fi
  [[ "${ref##*/}" == *:* || "$ref" == *@* ]] || ref="$ref:latest"
  printf '%s\n' "$ref"
}

# local_image_exists NAME
local_image_exists() {
  buildah inspect --type image "$1" >/dev/null 2>&1
}

# ensure_base_image NAME: have NAME in local storage, so builds can run with
# --pull=never. Uses what is there, else pulls, else (no registry reachable)
# makes the offline stand-in once for this machine.
ensure_base_image() {
  local ref
  ref="$(qualify_image_name "$1")"
  if local_image_exists "$ref"; then
    log "base image $ref: present in local storage"
    return 0
  fi
  log "base image $ref: not present, trying to pull it"
  if timeout 300 buildah pull --quiet --retry 0 "$ref" >/dev/null 2>&1; then
    log "base image $ref: pulled"
    return 0
  fi
  log "base image $ref: no registry reachable; making the offline stand-in"
  "$IMAGE_LIB_DIR/make-base-standin.sh" "$ref"
}
