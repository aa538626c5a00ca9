#!/usr/bin/env bash
# Runs the same commands with two distlab binaries and compares every output byte for
# byte: stdout, stderr, exit code, traces and pages. For refactors that must keep
# outputs identical ("A large redesign lands in steps ... outputs identical").
#
#   scripts/same-outputs.sh OLD_DISTLAB NEW_DISTLAB
#
# Prints one line per differing output and exits 1 if any differs.
set -euo pipefail
old=$(realpath "$1")
new=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

commands=(
  "demo --html @/demo.html"
  "lamport --seed 2379 --trace @/t.jsonl --html @/p.html"
  "lamport --seed 7 --mode random --vector --nodes 5 --trace @/t.jsonl --json"
  "lamport --seed 2379 --lang pt"
  "snapshot --seed 3 --scenario bank --snapshots 3 --trace @/t.jsonl --html @/p.html"
  "snapshot --rule seed --seed 6 --json"
  "bully --seed 214 --trace @/t.jsonl --html @/p.html"
  "bully --seed 214 --partition 1,2,3/4,5@1.5s..2.5s --lang pt"
  "bully --nodes 8 --seed 2 --latency uniform:1ms:10ms --loss 0.05 --trace @/t.jsonl --json"
  "heartbeat --seed 1 --trace @/t.jsonl --html @/p.html"
  "heartbeat --seed 3 --loss 0.2 --quiet"
  "heartbeat --seed 1 --detector phi --lang pt --json"
  "ricart --seed 5 --trace @/t.jsonl --html @/p.html"
  "ricart --nodes 4 --crash 2@50ms --seed 3 --lang pt --json"
  "bench storm --nodes 16 --messages 20000 --seed 1 --trace @/t.jsonl"
  "--help"
  "run --help"
  "launch --help"
  "check --help"
)
status=0
i=0
for c in "${commands[@]}"; do
  i=$((i + 1))
  for side in old new; do
    dir="$work/$side/$i"
    mkdir -p "$dir"
    bin=$old
    [[ $side == new ]] && bin=$new
    # shellcheck disable=SC2086
    (cd "$dir" && "$bin" ${c//@/$dir} >stdout 2>stderr; echo $? >code) || true
    # The wall time and peak memory of a bench differ from run to run.
    sed -i -E '/^storm: /s/[0-9]+(\.[0-9]+)?/N/g' "$dir/stdout"
    sed -i -E 's/"(wall_s|peak_rss_bytes|deliveries_per_s|events_per_s)":[0-9.e+]+/"\1":X/g; s/[0-9.]+ (million )?(deliveries|events)\/s/N \2\/s/g; s/in [0-9.]+ ?m?s/in T/g; s/[0-9.]+ MiB/N MiB/g' "$dir/stdout"
    # The trace file and page paths differ between the two directories.
    sed -i "s|$dir|DIR|g" "$dir/stdout" "$dir/stderr"
    [[ -f $dir/t.jsonl ]] && sed -i "s|$dir|DIR|g" "$dir/t.jsonl"
  done
  for f in stdout stderr code t.jsonl p.html demo.html; do
    a="$work/old/$i/$f"
    b="$work/new/$i/$f"
    [[ -e $a || -e $b ]] || continue
    if ! cmp -s "$a" "$b"; then
      echo "differs: distlab $c -> $f"
      status=1
    fi
  done
done
[[ $status == 0 ]] && echo "same outputs: ${#commands[@]} commands"
exit $status
