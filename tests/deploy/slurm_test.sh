#!/usr/bin/env bash
# deploy/slurm.sbatch on a real single-host Slurm: munged, slurmctld and slurmd started
# here on localhost (state, spool, sockets and logs in a temp dir, ports of their own),
# a job array of 3 shards of a small sweep submitted, waited for (bounded), merged and
# compared with the unsharded sweep; every daemon started here is stopped on every exit.
#   tests/deploy/slurm_test.sh DISTLAB_BINARY SOURCE_DIR
# Exit 77 (ctest: skipped) with the reason where that cannot run: not root, slurm-wlm
# or munge missing, or the daemons do not start here.
set -euo pipefail
distlab=$1 source=$2
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "--- $f"; tail -n 5 "$f"; done; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "needs root (slurmd runs jobs as their user)"
for p in munged slurmctld slurmd sbatch squeue; do
  command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || skip "$p not installed (scripts/setup-deps.sh slurm-wlm munge)"
done
export PATH=$PATH:/usr/sbin

work=$(mktemp -d /tmp/distlab-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# munge: a key of our own, its socket in the temp dir.
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/out"
chmod 711 "$work/munge"
dd if=/dev/urandom of="$work/munge/key" bs=1024 count=1 status=none
chmod 400 "$work/munge/key"
munged -F --force --key-file="$work/munge/key" --socket="$work/munge/sock" --pid-file="$work/munge/pid" \
  --seed-file="$work/munge/seed" --log-file="$work/munge.log" > "$work/munge.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$work/munge/sock" ] && break; sleep 0.1; done
[ -S "$work/munge/sock" ] || skip "munged did not start here: $(tail -n 1 "$work/munge.log" 2>/dev/null)"

base=$((20000 + $$ % 20000))
cat > "$work/slurm.conf" <<CONF
ClusterName=distlabtest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$work/munge/sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SchedulerParameters=sched_interval=1
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" > "$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" > "$work/slurmd.out" 2>&1 &
pids+=($!)
up=false
for _ in $(seq 100); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed)'; then up=true; break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || break 2; done
  sleep 0.2
done
$up || skip "slurmctld/slurmd did not start here: $(tail -n 2 "$work"/slurm*.out "$work"/slurm*.log 2>/dev/null | tr '\n' ' ' | cut -c1-400)"

sweep="snapshot --rule seed --seeds 120 --from 3 --shrink-first 0"
# shellcheck disable=SC2086
"$distlab" sweep $sweep --jobs 1 --json > "$work/whole.jsonl" || [ $? -eq 1 ]
job=$(sbatch --parsable --array=1-3 --chdir="$work" \
  --export=ALL,OUT="$work/out",SWEEP="$sweep",DISTLAB="$distlab" "$source/deploy/slurm.sbatch") \
  || fail "sbatch refused the job array"
for _ in $(seq 600); do  # at most 60 s
  [ -z "$(squeue -h -j "${job%%;*}" 2>/dev/null)" ] && break
  sleep 0.1
done
[ -z "$(squeue -h -j "${job%%;*}" 2>/dev/null)" ] || fail "the job array did not finish in 60 s"
for i in 1 2 3; do
  [ -s "$work/out/shard-$i.jsonl" ] || fail "no shard-$i.jsonl: $(cat "$work/out/shard-$i.err" 2>/dev/null)"
done
rc=0
"$distlab" sweep --merge "$work"/out/shard-{1,2,3}.jsonl --json > "$work/merged.jsonl" || rc=$?
[ "$rc" -eq 1 ] || fail "the merge exited $rc, not 1"
diff <(head -n -1 "$work/whole.jsonl") <(head -n -1 "$work/merged.jsonl") || fail "records differ"
whole=$(tail -n 1 "$work/whole.jsonl" | sed -E 's/"shard":\{[^}]*\}//')
merged=$(tail -n 1 "$work/merged.jsonl" | sed -E 's/"shards":\{[^}]*\}//')
[ "$whole" = "$merged" ] || fail "summaries differ: $whole vs $merged"
echo "ok: a Slurm job array of 3 shards, merged: $(tail -n 1 "$work/merged.jsonl" | cut -c1-160)"
