#!/usr/bin/env bash
# Destroy the local stack deployed by scripts/deploy.sh. Arguments go to
# scripts/deploy.ts (e.g. --config FILE to name the same deployment).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
export CHECKPOINT_DISABLE=1

ensure_npm_packages
bash scripts/ensure-docker.sh
exec npx tsx scripts/deploy.ts destroy local "$@"
