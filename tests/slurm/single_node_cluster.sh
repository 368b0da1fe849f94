# A throw-away single-node Slurm cluster in a temporary folder, for the
# tests: sourced by a test script, `slurm_cluster_start DIR` starts munged,
# slurmctld and slurmd with everything (key, socket, config, state, spool,
# logs, pid files) under DIR, and `slurm_cluster_stop` stops them. Nothing
# outside DIR is touched: no systemd, no /etc/slurm, no /run/munge, so it
# runs in a container and beside another cluster on the same machine.
#
# The daemons run as the current user (SlurmUser = SlurmdUser = it): jobs
# are then only ever run as that user, which is all a test needs.

# A TCP port nobody listens on, from the range given (bash's /dev/tcp: a
# refused connection means free). Two clusters started at once may still
# draw the same one; the caller's pid in the start spreads them.
slurm_free_port() {  # first last
  local p
  for ((p = $1 + $$ % ($2 - $1); ; p = p + 1 > $2 ? $1 : p + 1)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
}

# Prints the last lines of every daemon's log: what a failed start needs.
slurm_cluster_logs() {
  local f
  for f in "$SLURM_CLUSTER_DIR"/munged.log "$SLURM_CLUSTER_DIR"/slurmctld.log "$SLURM_CLUSTER_DIR"/slurmd.log; do
    [[ -f "$f" ]] || continue
    echo "---- $f (last 20 lines)" >&2
    tail -20 "$f" >&2
  done
}

slurm_cluster_stop() {
  local pidfile pid pids=()
  [[ -n "${SLURM_CLUSTER_DIR:-}" ]] || return 0
  # All at once (each takes a second or two to stop); a daemon still there
  # after 5 s is killed.
  for pidfile in slurmd.pid slurmctld.pid munged.pid; do
    pid="$(cat "$SLURM_CLUSTER_DIR/$pidfile" 2>/dev/null || true)"
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && pids+=("$pid")
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  return 0
}

slurm_cluster_fail() {
  echo "slurm cluster: $*" >&2
  slurm_cluster_logs
  return 1
}

slurm_cluster_start() {  # DIR
  local d=$1 user host cpus
  SLURM_CLUSTER_DIR=$d
  mkdir -p "$d/munge" "$d/state" "$d/spool"
  # munged refuses a socket folder others may write to and a key others may
  # read; it wants the folder open to all for lookups (x), not listings.
  chmod 711 "$d" "$d/munge"
  user="$(id -un)"
  host="$(hostname -s)"
  cpus="$(nproc)"

  for tool in munged mungekey slurmctld slurmd sbatch sinfo; do
    command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null ||
      { slurm_cluster_fail "'$tool' not found: install munge, slurmctld, slurmd and slurm-client (scripts/setup --all)"; return 1; }
  done
  export PATH="$PATH:/usr/sbin"

  mungekey --create --keyfile="$d/munge/munge.key" || { slurm_cluster_fail "mungekey failed"; return 1; }
  chmod 600 "$d/munge/munge.key"
  # --force: munged otherwise refuses to run as root, and a socket folder it
  # thinks may be shared (the test's own, 0700, is not).
  munged --force --key-file="$d/munge/munge.key" --socket="$d/munge/munge.socket" \
         --pid-file="$d/munged.pid" --log-file="$d/munged.log" --seed-file="$d/munge/munge.seed" ||
    { slurm_cluster_fail "munged did not start"; return 1; }

  local ctld_port slurmd_port
  ctld_port="$(slurm_free_port 30000 34999)"
  slurmd_port="$(slurm_free_port 35000 39999)"
  cat >"$d/slurm.conf" <<EOF
# A single-node cluster for a test; everything under $d.
ClusterName=vinetest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.socket
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: a container has no writable cgroup tree, and a test needs no
# confinement. Processes are tracked through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# Tasks start as soon as the node is free (no half-minute scheduler pause).
SchedulerParameters=sched_interval=1
MessageTimeout=30
NodeName=vinenode NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=vinenode Default=YES MaxTime=10 State=UP
EOF
  export SLURM_CONF="$d/slurm.conf"
  # -i: ignore any saved state; the daemons put themselves in the background
  # and write their pid files.
  slurmctld -i || { slurm_cluster_fail "slurmctld did not start"; return 1; }
  slurmd -N vinenode || { slurm_cluster_fail "slurmd did not start"; return 1; }

  # The node is up once sinfo says it is idle.
  local state=""
  for _ in $(seq 300); do
    state="$(sinfo -h -n vinenode -o %t 2>/dev/null || true)"
    [[ "$state" == idle ]] && return 0
    sleep 0.1
  done
  slurm_cluster_fail "the node did not become idle in 30 s (sinfo: '${state:-no answer}')"
}
