#!/usr/bin/env bash
# Deploy the local stack: make sure Docker runs, build or find the base
# images, then apply the stack. Arguments go to scripts/deploy.ts
# (e.g. --config FILE, --engine rehearsal).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
export CHECKPOINT_DISABLE=1

ensure_npm_packages
bash scripts/ensure-docker.sh
# images.sh prints the images to use as its last stdout line; deploy.ts
# applies them wherever the configuration names no image itself.
images=$(bash scripts/images.sh | tail -n 1)
SMART_ACCESS_DEPLOY_IMAGES=$images exec npx tsx scripts/deploy.ts deploy local "$@"
