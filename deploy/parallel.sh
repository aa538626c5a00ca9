#!/usr/bin/env bash
# One distlab sweep split into N shards run by GNU parallel, on this machine or on
# --sshlogin hosts (each with distlab installed), then merged into one report.
#
#   deploy/parallel.sh OUTDIR N ALGO [SWEEP FLAGS...]
#   deploy/parallel.sh out 8 bully --seeds 100000
#   PARALLEL_OPTS="--sshlogin 4/host1,4/host2" deploy/parallel.sh out 8 bully --seeds 1000000
#
# Each shard's stdout goes to OUTDIR/shard-I.jsonl (written to a .part file, renamed
# when the shard ends, so an interrupted shard leaves no file that looks finished).
# The merged report is printed; the exit code is the merge's (0 clean, 1 a seed failed
# or seeds are missing, 2 bad input). DISTLAB overrides the program (default: distlab).
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 OUTDIR N ALGO [SWEEP FLAGS...]" >&2
  exit 2
fi
out=$1 shards=$2
shift 2
distlab=${DISTLAB:-distlab}
command -v parallel >/dev/null || { echo "$0: GNU parallel is not installed (apt-get install parallel)" >&2; exit 2; }
mkdir -p "$out"

# --results keeps each shard's stdout here, also from --sshlogin hosts; a shard whose
# exit code is 0 (clean) or 1 (failing seeds found) is renamed to shard-I.jsonl, one
# that failed (its stderr in shard-I.part.err) stays apart and the merge names its seeds
# as missing.
rm -f "$out"/shard-*.jsonl "$out"/shard-*.part "$out"/shard-*.part.err "$out/joblog"
# shellcheck disable=SC2086
parallel -q ${PARALLEL_OPTS:-} --halt never --joblog "$out/joblog" --results "$out/shard-{}.part" \
  "$distlab" sweep "$@" --shard "{}/$shards" --json ::: $(seq 1 "$shards") >/dev/null || true
while read -r _seq _host _start _runtime _send _receive exitval _signal command; do
  shard=${command##*--shard }
  shard=${shard%%/*}
  if [ "$exitval" = 0 ] || [ "$exitval" = 1 ]; then
    mv "$out/shard-$shard.part" "$out/shard-$shard.jsonl"
  else
    echo "$0: shard $shard/$shards failed (exit $exitval): $(head -c 300 "$out/shard-$shard.part.err" 2>/dev/null)" >&2
  fi
done < <(tail -n +2 "$out/joblog")

files=()
for i in $(seq 1 "$shards"); do
  [ -f "$out/shard-$i.jsonl" ] && files+=("$out/shard-$i.jsonl")
done
if [ ${#files[@]} -eq 0 ]; then
  echo "$0: no shard finished (see the errors above)" >&2
  exit 2
fi
exec "$distlab" sweep --merge "${files[@]}"
