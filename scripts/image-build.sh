#!/usr/bin/env bash
# Build the container image from the Dockerfile at the repository root.
#
# With a running Docker engine: `docker build`. Otherwise buildah (installed
# with apt-get when missing and running as root), with the same Dockerfile:
# the FROM image is taken from local storage, pulled, or, when no registry is
# reachable, replaced by a local stand-in made once per machine
# (scripts/image/make-base-standin.sh). Layers are cached between builds.
#
# Env: IMAGE_NAME     repository name to tag (default: provisioner); tagged
#                     :latest and :<package.json version>
#      IMAGE_BUILDER  auto (default), docker or buildah
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
. "$(dirname "$0")/image/lib.sh"
cd "$REPO_ROOT"

name="${IMAGE_NAME:-provisioner}"
builder="${IMAGE_BUILDER:-auto}"
version="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' package.json | head -n 1)"
version="${version:-0.0.0}"
revision="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain -- Dockerfile .dockerignore package.json package-lock.json tsconfig.json scripts/build.mjs src rawdata glue-job 2>/dev/null)" ]; then
  revision="$revision-dirty"
fi
build_args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision")
tags=(-t "$name:latest" -t "$name:$version")

if [ "$builder" = auto ]; then
  if docker_engine_available; then builder=docker; else builder=buildah; fi
fi

started=$SECONDS
case "$builder" in
  docker)
    log "docker build ($name:latest, $name:$version)"
    docker build "${tags[@]}" "${build_args[@]}" .
    size="$(docker image inspect --format '{{.Size}}' "$name:latest")"
    size="$((size / 1000000)) MB"
    ;;
  buildah)
    ensure_container_tools || die "$TOOLS_UNAVAILABLE"
    use_container_config
    ensure_base_image "$(dockerfile_base_image)"

    # npm inside the build trusts the same CA bundle as npm on this machine
    # (HTTPS may be re-signed on the way out): an npmrc naming it, in a folder
    # mounted read-only at /run/npm-build during RUN steps only.
    npm_build="$(mktemp -d)"
    trap 'rm -rf "$npm_build"' EXIT
    cafile="$(npm config get cafile 2>/dev/null || true)"
    [ -n "$cafile" ] && [ "$cafile" != null ] && [ "$cafile" != undefined ] || cafile=""
    [ -n "$cafile" ] || cafile="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
    registry="$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)"
    {
      echo "registry=$registry"
      if [ -f "$cafile" ]; then
        cp "$cafile" "$npm_build/ca.crt"
        echo "cafile=/run/npm-build/ca.crt"
      fi
      echo "update-notifier=false"
    } >"$npm_build/npmrc"
    chmod -R a+rX "$npm_build"

    log "buildah bud ($name:latest, $name:$version)"
    buildah bud --layers --pull=never --network host \
      -v "$npm_build:/run/npm-build:ro" \
      "${tags[@]}" "${build_args[@]}" -f Dockerfile .
    size="$(podman image inspect --format '{{.Size}}' "localhost/$name:latest")"
    size="$((size / 1000000)) MB"
    ;;
  *) die "IMAGE_BUILDER must be auto, docker or buildah, not '$builder'" ;;
esac
log "built $name:latest ($name:$version, revision $revision) with $builder in $((SECONDS - started)) s, $size"
