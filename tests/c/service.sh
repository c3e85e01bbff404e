# Sourced by tests/c/run.sh and tests/dotnet/run.sh: a real SSIS service for the tests.
#
#   start_service <ssis binary> <empty or new directory>
#       copies examples/ (configuration and store) and tests/c/fixtures/*.dtsx (as
#       \File System\Tests\*) there, starts `ssis service run` on <dir>/ssis.sock with the state
#       in <dir>/state, waits until it answers, and exports SSIS_TEST_SERVICE_SOCKET.
#       Returns non-zero (after showing the daemon's log) when it does not come up.
#   stop_service
#       asks the service to stop (`ssis service stop`), then SIGTERM and SIGKILL to the
#       daemon's own PID if it lingers. Safe to call twice (from a trap too).

service_pid=""
service_bin=""
service_dir=""

start_service() {
  service_bin="$1"
  service_dir="$2"
  local repo
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  mkdir -p "$service_dir/Packages/Tests"
  cp -R "$repo/examples/MsDtsSrvr.ini.xml" "$repo/examples/Packages" "$service_dir/"
  cp "$repo"/tests/c/fixtures/*.dtsx "$service_dir/Packages/Tests/"
  local sock="$service_dir/ssis.sock"
  "$service_bin" service run --socket "$sock" --state-dir "$service_dir/state" \
    --config "$service_dir/MsDtsSrvr.ini.xml" >"$service_dir/daemon.log" 2>&1 &
  service_pid=$!
  local i
  for i in $(seq 1 300); do
    if [ -S "$sock" ] && "$service_bin" --server "unix:$sock" service status >/dev/null 2>&1; then
      export SSIS_TEST_SERVICE_SOCKET="$sock"
      echo "== service $service_pid on $sock"
      return 0
    fi
    if ! kill -0 "$service_pid" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  echo "the service did not start; its log:"
  cat "$service_dir/daemon.log" || true
  return 1
}

stop_service() {
  [ -n "$service_pid" ] || return 0
  local pid="$service_pid" i
  service_pid=""
  "$service_bin" --server "unix:$service_dir/ssis.sock" service stop >/dev/null 2>&1 || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "the service (pid $pid) did not stop when asked: SIGTERM"
    kill -TERM "$pid" 2>/dev/null || true
    sleep 2
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
  fi
  local rc=0
  wait "$pid" 2>/dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "the service exited with status $rc; its log:"
    cat "$service_dir/daemon.log" || true
    return 1
  fi
  return 0
}
