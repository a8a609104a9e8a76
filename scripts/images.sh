#!/usr/bin/env bash
# Make the base images the local stack needs available without a registry:
# the public postgres and python images when the engine already has them,
# else stand-ins built from Debian's packages (see docs/images.md).
#
# Usage: images.sh [--standins]
#   --standins  build the stand-ins even when the public images are present
# The last line on stdout is JSON naming the images to use:
#   {"postgres": "<image>", "pythonBase": "<image>"}
# Progress goes to stderr; build logs go to .cache/images/logs/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

public_postgres=postgres:15-bookworm
public_python=python:3.12-slim-bookworm
debian_image=smart-access/debian-standin:bookworm
postgres_image=smart-access/postgres-standin:15
python_image=smart-access/python-standin:3.11
hash_label=org.smart-access.build-hash
cache_dir=$REPO_ROOT/.cache/images
images_dir=$REPO_ROOT/images
ca_bundle=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

force_standins=false
case ${1:-} in
  "") ;;
  --standins) force_standins=true ;;
  *) die "unknown argument '$1'; expected no argument or --standins" 2 ;;
esac

# Engine 20.10 has no buildx here, and the CLI must not try to use it.
export DOCKER_BUILDKIT=0

# fingerprint BASE DIR FILE...: a short digest of BASE and of each file's path
# (relative to DIR) and content, the cache key of an image. It never depends
# on the current directory.
fingerprint() {
  local base=$1 dir=$2 file
  shift 2
  {
    printf '%s\n' "$base"
    for file in "$@"; do
      printf '%s %s\n' "${file#"$dir/"}" "$(sha256sum <"$file" | cut -d ' ' -f 1)"
    done
  } | sha256sum | cut -c 1-16
}

has_image() {
  docker image inspect "$1" >/dev/null 2>&1
}

built_hash() {
  docker image inspect --format "{{ index .Config.Labels \"$hash_label\" }}" \
    "$1" 2>/dev/null || true
}

image_id() {
  docker image inspect --format '{{ .Id }}' "$1" 2>/dev/null || true
}

# Run a noisy build with its output in a log, showing the tail on failure.
logged() {
  local name=$1
  shift
  local log="$cache_dir/logs/$name.log"
  mkdir -p "$cache_dir/logs"
  if ! "$@" >"$log" 2>&1; then
    tail -n 25 "$log" >&2
    echo "full log: ${log#"$REPO_ROOT/"}" >&2
    return 1
  fi
}

# A rebuilt tag leaves its previous image untagged; drop it when nothing uses it.
drop_replaced() {
  local old_id=$1 tag=$2
  if [[ -n $old_id && $old_id != "$(image_id "$tag")" ]]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
}

build_debian() {
  local hash
  hash=$(fingerprint "" "$images_dir" "$images_dir/debian/build-rootfs.sh" "$ca_bundle")
  [[ $(built_hash "$debian_image") == "$hash" ]] && return 0

  local tarball="$cache_dir/debian-bookworm-$hash.tar"
  if [[ ! -s $tarball ]]; then
    rm -f "$cache_dir"/debian-bookworm-*.tar
    step "debootstrap a bookworm root filesystem" \
      logged debian-rootfs bash "$images_dir/debian/build-rootfs.sh" "$tarball"
  fi

  local old_id
  old_id=$(image_id "$debian_image")
  step "import $debian_image" logged debian-import docker import \
    --change "LABEL $hash_label=$hash" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["bash"]' \
    "$tarball" "$debian_image"
  drop_replaced "$old_id" "$debian_image"
}

# build_on_debian TAG DIR: docker build DIR on the Debian stand-in, cached by
# the content of DIR and the identity of the base.
build_on_debian() {
  local tag=$1 dir=$2
  local files=()
  mapfile -t files < <(find "$dir" -type f | LC_ALL=C sort)
  local hash
  hash=$(fingerprint "$(built_hash "$debian_image")" "$dir" "${files[@]}")
  [[ $(built_hash "$tag") == "$hash" ]] && return 0

  local old_id
  old_id=$(image_id "$tag")
  step "build $tag" logged "$(basename "$dir")" docker build \
    --build-arg "BASE_IMAGE=$debian_image" --label "$hash_label=$hash" \
    --tag "$tag" "$dir"
  drop_replaced "$old_id" "$tag"
}

bash "$REPO_ROOT/scripts/ensure-docker.sh" >&2

# Suites run this concurrently; one builds while the others wait, then find
# the images current.
mkdir -p "$cache_dir"
exec 9>"$cache_dir/.lock"
flock --timeout 900 9 || die "another scripts/images.sh held .cache/images/.lock for 15 minutes"

postgres=$public_postgres
python_base=$public_python
if $force_standins || ! has_image "$public_postgres" || ! has_image "$public_python"; then
  build_debian
fi
if $force_standins || ! has_image "$public_postgres"; then
  build_on_debian "$postgres_image" "$images_dir/postgres"
  has_image "$public_postgres" || postgres=$postgres_image
fi
if $force_standins || ! has_image "$public_python"; then
  build_on_debian "$python_image" "$images_dir/python"
  has_image "$public_python" || python_base=$python_image
fi

printf '{"postgres": "%s", "pythonBase": "%s"}\n' "$postgres" "$python_base"
