#!/usr/bin/env bash
# deploy/parallel.sh against the built binary: 3 shards of a small sweep under GNU
# parallel, merged, give the unsharded sweep's records and counts.
#   tests/deploy/parallel_test.sh DISTLAB_BINARY SOURCE_DIR
# GNU parallel is a test dependency (scripts/setup-deps.sh installs it): without it
# this test fails, it does not skip.
set -euo pipefail
distlab=$1 source=$2
command -v parallel >/dev/null || { echo "FAIL: GNU parallel is not installed (scripts/setup-deps.sh parallel)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sweep=(snapshot --rule seed --seeds 200 --from 5 --shrink-first 0 --jobs 1)

"$distlab" sweep "${sweep[@]}" --json > "$work/whole.jsonl" || [ $? -eq 1 ]
rc=0
DISTLAB=$distlab "$source/deploy/parallel.sh" "$work/out" 3 "${sweep[@]}" > "$work/merged.txt" || rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: parallel.sh exited $rc, not 1 (the seed's rule fails seeds)"; cat "$work/merged.txt"; exit 1; }
for i in 1 2 3; do [ -s "$work/out/shard-$i.jsonl" ] || { echo "FAIL: no shard-$i.jsonl"; exit 1; }; done

# The records, byte for byte; the merged human summary with the whole sweep's counts.
diff <(head -n -1 "$work/whole.jsonl") <(head -n -1 "$work/merged.txt") || { echo "FAIL: records differ"; exit 1; }
failures=$(tail -n 1 "$work/whole.jsonl" | sed -E 's/.*"failures":([0-9]+).*/\1/')
summary=$(tail -n 1 "$work/merged.txt")
case "$summary" in
  "sweep snapshot, 3 of 3 shards merged: 200 seeds from 5, $failures failed; checks: "*) ;;
  *) echo "FAIL: merged summary: $summary (expected $failures failed)"; exit 1 ;;
esac
echo "ok: 3 shards under GNU parallel, merged: $summary"
