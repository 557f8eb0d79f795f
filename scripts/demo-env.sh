# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this
# demo-env.sh is sourced by demo.sh and demo-stop.sh: where the demo daemon
# keeps its socket, data, log and pid file, and how to ask if it answers.
# The defaults are the daemon's own (internal/daemon/paths.go), so a plain
# `bin/berth ps` finds the demo daemon. Override with BERTH_STATE (socket,
# log and pid file), BERTH_SOCKET or BERTH_DATA.

if [ "$(id -u)" = 0 ]; then
  berth_run_dir=/run/berth
  berth_data_dir=/var/lib/berth
else
  berth_run_dir=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/berth}
  berth_run_dir=${berth_run_dir:-$HOME/.local/state/berth}
  berth_data_dir=${XDG_DATA_HOME:-$HOME/.local/share}/berth
fi
BERTH_BIN=$PWD/bin/berth
BERTH_STATE=${BERTH_STATE:-$berth_run_dir}
BERTH_SOCKET=${BERTH_SOCKET:-$BERTH_STATE/berth.sock}
BERTH_DATA=${BERTH_DATA:-$berth_data_dir}
BERTH_LOG=$BERTH_STATE/daemon.log
BERTH_PIDFILE=$BERTH_STATE/daemon.pid
# Every berth CLI call below finds the daemon through this variable.
export BERTH_SOCKET

# daemon_answers succeeds when a berth daemon serves the API on the socket.
daemon_answers() {
  [ -S "$BERTH_SOCKET" ] && timeout 5 "$BERTH_BIN" stacks >/dev/null 2>&1
}

# daemon_pid prints the pid from the pid file if that process is alive and
# is a berth daemon (a recycled pid must never be signalled).
daemon_pid() {
  local pid
  [ -f "$BERTH_PIDFILE" ] || return 1
  pid=$(cat "$BERTH_PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'berth daemon' || return 1
  printf '%s\n' "$pid"
}
