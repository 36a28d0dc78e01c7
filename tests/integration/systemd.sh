# SPDX-License-Identifier: Apache-2.0
# systemd integration: the unit file passes systemd-analyze verify, and the
# server tells a notify socket READY=1 once it serves, STOPPING=1 on SIGTERM.
. "$top_srcdir/tests/integration/lib.sh"

grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h" ||
        bail "built without libsystemd (install the Debian package libsystemd-dev and reconfigure)"
command -v systemd-analyze >/dev/null || bail "systemd-analyze not found (Debian package systemd)"

# The unit as installed, but running the binary just built.
sed "s|@sbindir@|$(cd "$top_builddir/apiserver" && pwd)|" "$top_srcdir/dist/timonier-apiserver.service.in" \
        >"$TMPROOT/timonier-apiserver.service"
check "systemd-analyze verify accepts the unit" systemd-analyze verify --man=no "$TMPROOT/timonier-apiserver.service"
check_output "the unit is Type=notify" '^Type=notify$' grep '^Type=' "$TMPROOT/timonier-apiserver.service"
score=$(systemd-analyze security --offline=true "$TMPROOT/timonier-apiserver.service" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
check_output "the unit is sandboxed (systemd-analyze security: exposure $score, at most 2.5)" '^ok$' \
        sh -c "awk 'BEGIN { exit !($score <= 2.5) }' && echo ok"

# READY=1 through a notify socket of our own
cat >"$TMPROOT/notify.py" <<'PY'
import os, socket, subprocess, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(10)
env = dict(os.environ, NOTIFY_SOCKET=path)
p = subprocess.Popen([sys.argv[2], "--data-dir", sys.argv[3], "--port", "0", "--log-level", "error"], env=env)
msgs = []
try:
    msgs.append(s.recv(4096).decode())
    p.terminate()
    msgs.append(s.recv(4096).decode())
finally:
    p.kill() if p.poll() is None else None
    p.wait()
print("|".join(m.replace("\n", ";") for m in msgs))
PY
mkdir -p "$TMPROOT/data"
out=$(python3 "$TMPROOT/notify.py" "$TMPROOT/notify.sock" "$APISERVER_BIN" "$TMPROOT/data" 2>&1)
check_output "READY=1 once serving, with a STATUS line" '^READY=1;STATUS=Serving the Kubernetes API on http://127\.0\.0\.1:[0-9]+' echo "$out"
check_output "STOPPING=1 on SIGTERM" '\|STOPPING=1' echo "$out"
done_testing
