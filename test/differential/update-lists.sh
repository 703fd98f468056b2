#!/usr/bin/env bash
# Rewrites the ratchet lists (test/differential/known-*.json, test/slt/known-*.json) against the COMMITTED engine:
# exports HEAD to a scratch directory, adds this working tree's suite files, runs both suites in update mode there
# and copies the lists back. Other work in progress in the working tree does not leak into the lists.
# Review the diff afterwards: a new known-wrong entry is a bug to report. With --check, runs the suites against
# HEAD without rewriting anything (what CI will see once the working tree's suite files are committed).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
scratch=$(mktemp -d /tmp/freshet-ratchet-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
git -C "$root" archive HEAD | tar -x -C "$scratch"
ln -s "$root/node_modules" "$scratch/node_modules"
for d in test/differential test/slt; do
  [ -d "$root/$d" ] || continue
  rm -rf "${scratch:?}/$d" && mkdir -p "$scratch/$(dirname "$d")" && cp -r "$root/$d" "$scratch/$d"
done
if [ "${1:-}" = "--check" ]; then
  shift
  (cd "$scratch" && npx vitest run --project unit test/differential test/slt "$@")
  exit
fi
(cd "$scratch" && FRESHET_RATCHET_UPDATE=1 npx vitest run --project unit test/differential test/slt "$@" >/dev/null 2>&1 || true)
for f in "$scratch"/test/differential/known-*.json "$scratch"/test/slt/known-*.json; do
  [ -f "$f" ] && cp "$f" "$root/${f#"$scratch"/}"
done
git -C "$root" diff --stat -- test/differential test/slt
