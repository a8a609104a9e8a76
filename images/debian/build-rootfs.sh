#!/usr/bin/env bash
# Build a minimal Debian bookworm root filesystem as a tarball for
# `docker import`, standing in for the registry's debian image.
#
# Usage: build-rootfs.sh OUTPUT.tar
# Environment:
#   DEBIAN_MIRROR  apt mirror URL for debootstrap (default: debootstrap's own)
#   HOST_CA_BUNDLE CA bundle copied into the image
#                  (default /etc/ssl/certs/ca-certificates.crt)
set -euo pipefail

output=${1:?usage: build-rootfs.sh OUTPUT.tar}
ca_bundle=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

((EUID == 0)) || {
  echo "error: debootstrap needs root (running as $(id -un))" >&2
  exit 1
}
[[ -s $ca_bundle ]] || {
  echo "error: HOST_CA_BUNDLE: got '$ca_bundle'; expected a readable, non-empty PEM file" >&2
  exit 1
}
if ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/debian-rootfs.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT

# Known limit: only the bookworm suite is configured, not -updates or -security.
debootstrap --variant=minbase bookworm "$rootfs" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"}

# Outbound TLS from this machine is re-signed by a local CA; images built on
# this base must trust it. The copy under /usr/local/share survives any later
# update-ca-certificates run that rewrites the bundle.
install -D -m 0644 "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
install -D -m 0644 "$ca_bundle" \
  "$rootfs/usr/local/share/ca-certificates/host-ca-bundle.crt"

# Keep images built on this base as small as the registry's slim images.
cat >"$rootfs/etc/apt/apt.conf.d/90smart-access" <<'CONF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
CONF

# Docker supplies these per container; leaving the build host's copies would
# leak its name and resolver into every image.
rm -f "$rootfs/etc/hostname" "$rootfs/etc/resolv.conf"
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
  "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log \
  "$rootfs"/tmp/* "$rootfs"/root/.cache

mkdir -p "$(dirname "$output")"
tar -C "$rootfs" --numeric-owner -cf "$output.partial" .
mv "$output.partial" "$output"
