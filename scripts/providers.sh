#!/usr/bin/env bash
# Build the Terraform provider plugins the stacks use from their Go sources
# into a filesystem mirror, and write a CLI configuration that makes
# Terraform install providers from that mirror only.
#
# Exit status:
#   0  plugins built or cached; the last stdout line is the CLI config path,
#      for TF_CLI_CONFIG_FILE
#   3  a provider's source is unavailable from the Go module proxy
#   1  anything else (a build failed, no Go toolchain)
# Build logs go to .cache/providers/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_module=$REPO_ROOT/tools/providers
mirror=$REPO_ROOT/.cache/terraform-mirror
work=$REPO_ROOT/.cache/providers
cli_config=$REPO_ROOT/.cache/terraformrc

# registry address, release, module path the sources declare
providers=(
  "kreuzwerker/docker 3.6.2 github.com/terraform-providers/terraform-provider-docker"
  "cyrilgdn/postgresql 1.26.0 github.com/terraform-providers/terraform-provider-postgresql"
)

command -v go >/dev/null || die "go not found on PATH; the provider plugins are built with the Go toolchain"
platform="$(go env GOOS)_$(go env GOARCH)"
go_version=$(go env GOVERSION)
mkdir -p "$work"

# The module and commit that go.mod's replace directive maps PATH to.
replacement() {
  awk -v old="$1" '$1 == "replace" && $2 == old && $3 == "=>" { print $4 "@" $5 }' \
    "$build_module/go.mod"
}

plugin_path() {
  local address=$1 version=$2
  echo "$mirror/registry.terraform.io/$address/$version/$platform/terraform-provider-${address#*/}_v$version"
}

# Fetch SOURCE (module@commit) into the module cache; on failure print why in
# one line, without the proxy's address.
fetch() {
  local address=$1 version=$2 source=$3
  local scratch output
  scratch=$(mktemp -d)
  if output=$(cd "$scratch" && GOFLAGS=-mod=mod go mod download -json "$source" 2>&1); then
    rm -rf "$scratch"
    return 0
  fi
  rm -rf "$scratch"

  local reason
  reason=$(grep -o '"Error": ".*"' <<<"$output" | sed -e 's/^"Error": "//' -e 's/"$//' || true)
  if [[ $reason == *"server response: "* ]]; then
    reason="the Go module proxy refused it: ${reason##*server response: }"
  elif [[ -n $reason ]]; then
    reason=${reason#"$source: "}
    reason=$(sed -e 's#[a-z]*://[^ ]*[^ :]#<proxy URL>#g' -e 's/\\[nt]/ /g' <<<"$reason")
  else
    reason=$(tail -n 1 <<<"$output")
  fi
  echo "providers: $address $version unavailable from ${source%@*} at ${source#*@}: $reason" >&2
  return 3
}

# Build in a copy of the module: -mod=mod rewrites go.mod with resolved
# versions, and the committed one stays pinned to the upstream commits.
build() {
  local address=$1 version=$2 module_path=$3 out=$4
  local dir="$work/build"
  rm -rf "$dir" && mkdir -p "$dir" "$(dirname "$out")"
  cp "$build_module"/go.* "$dir/"
  (cd "$dir" && go build -mod=mod -trimpath -ldflags "-s -w -X main.version=$version" \
    -o "$out.partial" "$module_path") >"$work/${address//\//-}.log" 2>&1 || {
    tail -n 20 "$work/${address//\//-}.log" >&2
    return 1
  }
  mv "$out.partial" "$out"
}

fetch_all() {
  local rc=0 entry address version module_path source
  for entry in "${providers[@]}"; do
    read -r address version module_path <<<"$entry"
    source=$(replacement "$module_path")
    [[ -n $source ]] || die "tools/providers/go.mod has no replace directive for $module_path"
    fetch "$address" "$version" "$source" || rc=$?
  done
  return "$rc"
}

missing=()
for entry in "${providers[@]}"; do
  read -r address version module_path <<<"$entry"
  key="$(replacement "$module_path") $go_version"
  stamp="$work/${address//\//-}.key"
  if [[ ! -x $(plugin_path "$address" "$version") || $(cat "$stamp" 2>/dev/null) != "$key" ]]; then
    missing+=("$entry")
  fi
done

if ((${#missing[@]} > 0)); then
  providers=("${missing[@]}")
  rc=0
  step "fetch provider sources" fetch_all || rc=$?
  ((rc == 3)) && die "provider plugins unavailable: Terraform cannot install the stacks' providers on this machine" 3
  ((rc == 0)) || exit "$rc"

  for entry in "${providers[@]}"; do
    read -r address version module_path <<<"$entry"
    step "build provider $address $version" \
      build "$address" "$version" "$module_path" "$(plugin_path "$address" "$version")"
    echo "$(replacement "$module_path") $go_version" >"$work/${address//\//-}.key"
  done
fi

# No direct block: Terraform must not fall back to a registry it cannot reach.
cat >"$cli_config" <<CONF
provider_installation {
  filesystem_mirror {
    path = "$mirror"
  }
}
CONF
echo "$cli_config"
