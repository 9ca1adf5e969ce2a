#!/usr/bin/env bash
# The README's HTTP example (dev.multiwait.examples.HelloServer, 50 ports) on the Windows JVM against
# clients from this side: curl on every port, Python's http.client, a silent client the idle timeout
# drops. Needs `mvn package` first. Exit 0 only if every check passed.
set -euo pipefail
source "$(dirname "$0")/env.sh"
work=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
mkfifo "$work/stdin"
# The server serves until its stdin ends: fd 3 holds the fifo open until the checks are done.
"$(dirname "$0")/run-windows-java.sh" dev.multiwait.examples.HelloServer 50 <"$work/stdin" >"$work/out" 2>"$work/err" &
server=$!
exec 3>"$work/stdin"
for _ in $(seq 1 600); do
  grep -q "^ready" "$work/out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/err" >&2; echo "example-clients: server died" >&2; exit 1; }
  sleep 0.2
done
grep -q "^ready" "$work/out" || { echo "example-clients: server not ready" >&2; exit 1; }
mapfile -t ports < <(tr -d "\r" <"$work/out" | grep -x "[0-9]*")
[ "${#ports[@]}" -eq 50 ] || { echo "example-clients: ${#ports[@]} ports, not 50" >&2; exit 1; }
fail=0
for port in "${ports[@]}"; do
  body=$(curl -sS --max-time 60 "http://127.0.0.1:$port/") || { echo "curl failed on $port" >&2; fail=1; continue; }
  [ "$body" = "hello from multiwait" ] || { echo "curl on $port got: $body" >&2; fail=1; }
done
code=$(curl -sS --max-time 60 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:${ports[0]}/")
[ "$code" = 405 ] || { echo "curl POST got $code, not 405" >&2; fail=1; }
python3 - "${ports[@]}" <<'PY' || fail=1
import http.client, socket, sys
for port in sys.argv[1:6]:
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
    conn.request("GET", "/")
    r = conn.getresponse()
    body = r.read()
    assert (r.status, body) == (200, b"hello from multiwait\n"), (port, r.status, body)
    conn.close()
silent = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
assert silent.recv(1) == b"", "the idle timeout should have closed a silent client"
silent.close()
PY
exec 3>&-  # end of the server's stdin: it stops
for _ in $(seq 1 300); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$server" 2>/dev/null; then echo "example-clients: server did not stop at end of stdin" >&2; fail=1; fi
wait "$server" 2>/dev/null || { echo "example-clients: server exited with $?" >&2; cat "$work/err" >&2; fail=1; }
server=
[ "$fail" -eq 0 ] && echo "example-clients: curl on 50 ports, http.client on 5, a silent client dropped: ok"
exit "$fail"
