# SPDX-License-Identifier: Apache-2.0
# A second, independent client: @kubernetes/client-node (from npm, pinned in
# tests/integration/client-node/package.json), CRUD and a watch.
. "$top_srcdir/tests/integration/lib.sh"

command -v node >/dev/null && command -v npm >/dev/null ||
        bail "node and npm are needed (Debian packages nodejs and npm)"
modules=$top_builddir/tests/client-node
if [ ! -d "$modules/node_modules/@kubernetes/client-node" ]; then
        mkdir -p "$modules"
        cp "$top_srcdir/tests/integration/client-node/package.json" "$modules/"
        (cd "$modules" && npm install --no-audit --no-fund --silent >"$TMPROOT/npm.log" 2>&1) ||
                { cat "$TMPROOT/npm.log" | sed 's/^/# /'; bail "npm install @kubernetes/client-node failed"; }
fi
cp "$top_srcdir/tests/integration/client-node/crud.mjs" "$modules/"

apiserver_start
# The script prints its own TAP lines; pass them through.
node "$modules/crud.mjs"
