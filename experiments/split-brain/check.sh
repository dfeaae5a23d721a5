#!/usr/bin/env bash
# Checks every entry of the split-brain catalog (catalog.yaml), from the repository's root or
# anywhere else:
#   1. hasim replay ENTRY/buggy.yaml --seed 1 must exit 1 (an invariant violated);
#   2. hasim replay ENTRY/fixed.yaml --seed 1 must exit 0 (every invariant holds);
#   3. hasim explore ENTRY/EXPLORED --seeds N must exit 0 (no violation over N seeds), where
#      EXPLORED is the entry's `explore:` file in catalog.yaml, fixed.yaml by default; an explored
#      file other than fixed.yaml is replayed with seed 1 too and must exit 0.
# Usage: experiments/split-brain/check.sh [SEEDS] [ENTRY...]   (SEEDS defaults to 1000)
# Writes each replay (narrative.txt, trace.json, timeline.png) and explore.csv under
# experiments/split-brain/results/ENTRY/, and with --figures copies the two timelines into the
# entry's folder (buggy-timeline.png, fixed-timeline.png), as the READMEs show them.
set -euo pipefail

catalog="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$catalog/../.." && pwd)"
figures=0
args=()
for a in "$@"; do
  if [[ "$a" == --figures ]]; then figures=1; else args+=("$a"); fi
done
seeds="${args[0]:-1000}"
entries=("${args[@]:1}")
if [[ ${#entries[@]} -eq 0 ]]; then
  mapfile -t entries < <(sed -n 's/^ *- dir: *//p' "$catalog/catalog.yaml")
fi

dotnet build "$root/src/HaSim.Cli" -c Release -nologo -v quiet >/dev/null
hasim=(dotnet "$root/src/HaSim.Cli/bin/Release/net10.0/hasim.dll")

failures=0
summary=()
for entry in "${entries[@]}"; do
  out="$catalog/results/$entry"
  rm -rf "$out"
  mkdir -p "$out"
  echo "== $entry"

  set +e
  "${hasim[@]}" replay "$catalog/$entry/buggy.yaml" --seed 1 --out "$out/buggy" > "$out/buggy.txt" 2>&1
  buggy=$?
  "${hasim[@]}" replay "$catalog/$entry/fixed.yaml" --seed 1 --out "$out/fixed" > "$out/fixed.txt" 2>&1
  fixed=$?
  explored_file=$(awk -v dir="$entry" '$0 ~ "- dir: *"dir"$" { found = 1; next } found && /- dir:/ { exit } found && /explore:/ { print $2; exit }' "$catalog/catalog.yaml")
  explored_file="${explored_file:-fixed.yaml}"
  production=0
  if [[ "$explored_file" != fixed.yaml ]]; then
    "${hasim[@]}" replay "$catalog/$entry/$explored_file" --seed 1 --out "$out/explored" > "$out/explored.txt" 2>&1
    production=$?
  fi
  "${hasim[@]}" explore "$catalog/$entry/$explored_file" --seeds "$seeds" --out "$out/explore" > "$out/explore.txt" 2>"$out/explore.progress"
  explored=$?
  set -e

  grep -E "^invariants" "$out/buggy.txt" | sed 's/^/  buggy, seed 1: /' || true
  grep -E "^invariants|^every invariant" "$out/fixed.txt" | sed 's/^/  fixed, seed 1: /' || true
  head -n 1 "$out/explore.txt" | sed "s/^/  $explored_file, explore: /"
  verdict="ok"
  if [[ $buggy -ne 1 ]]; then verdict="FAILED: buggy.yaml exited $buggy, expected 1"; fi
  if [[ $fixed -ne 0 ]]; then verdict="FAILED: fixed.yaml exited $fixed, expected 0"; fi
  if [[ $production -ne 0 ]]; then verdict="FAILED: $explored_file exited $production, expected 0"; fi
  if [[ $explored -ne 0 ]]; then verdict="FAILED: explore of $explored_file exited $explored, expected 0 (see $out/explore)"; fi
  if [[ "$verdict" != ok ]]; then failures=$((failures + 1)); fi
  summary+=("$entry: $verdict")

  if [[ $figures -eq 1 ]]; then
    cp "$out/buggy/timeline.png" "$catalog/$entry/buggy-timeline.png"
    cp "$out/fixed/timeline.png" "$catalog/$entry/fixed-timeline.png"
  fi
done

echo
printf '%s\n' "${summary[@]}"
exit $((failures > 0 ? 1 : 0))
