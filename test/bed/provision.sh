#!/usr/bin/env bash
# Provisions the real VS Code test bed: Debian's Chromium, Node 24 from the npm
# registry and code-server (VS Code's server) built against it.
#
# The downloads are big (about 600 MB) and slow, so they live in a cache
# outside the repository, one folder per version, and a second run only checks
# that they are there. Each install goes to a temporary folder first and is
# renamed into place when it is complete, so an interrupted run never leaves a
# half-built cache behind that a later run would trust.
#
# On success the last lines on stdout are KEY=VALUE pairs the runners read:
#   NODE24=…  CODE_SERVER_ENTRY=…  CHROMIUM=…
# Everything else goes to stderr.
set -euo pipefail

readonly CODE_SERVER_VERSION=4.139.1
readonly REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly CACHE="${MCP_SWITCHBOARD_BED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-switchboard-bed}"

# Run from an npm script (`npm run test:vscode` runs this file), the shell
# inherits the outer npm's environment: its settings as npm_config_* and
# variables about the script. The npm below takes npm_config_* as its own
# settings, and some of them describe the outer npm and its Node 20, not the
# Node 24 the install runs on: code-server's postinstall reads the Node version
# from npm_config_user_agent and refuses anything but 24. Those go, so that
# provisioning behaves the same from npm and from a shell; the user's own
# settings (registry, cafile, proxy…) stay.
unset npm_config_user_agent npm_config_npm_version npm_config_node_gyp \
  npm_config_prefix npm_config_global_prefix npm_config_local_prefix \
  npm_command npm_execpath npm_node_execpath npm_lifecycle_event npm_lifecycle_script \
  NODE INIT_CWD
# shellcheck disable=SC2046 # one name per word is what unset wants
unset $(compgen -e | grep '^npm_package_' || true)

log() { printf '[bed] %s\n' "$*" >&2; }
fail() { printf '[bed] error: %s\n' "$*" >&2; exit 1; }

# The installs print hundreds of lines of compiler output; they go to a log
# file, and only its end is shown when a step fails.
INSTALL_LOG=""
quietly() {
  "$@" >>"$INSTALL_LOG" 2>&1 && return 0
  printf '[bed] last lines of %s:\n' "$INSTALL_LOG" >&2
  tail -n 40 "$INSTALL_LOG" | sed 's/^/    /' >&2
  return 1
}

# npm must be the system npm (Node 20 is fine for it); ~/.npmrc may point
# nodedir at /usr, which would build code-server's native modules against
# Node 20's headers, so every npm call below sets npm_config_nodedir itself.
command -v npm >/dev/null || fail "npm is not on PATH; install Node 20 or later first."
mkdir -p "$CACHE"
INSTALL_LOG="$CACHE/install.log"
# Two runs provisioning at once (two terminals, a developer and a helper)
# would replace each other's installs; the second waits for the first.
exec 9>"$CACHE/.lock"
flock 9

# --- Node 24 --------------------------------------------------------------------
# The project's one source of Node 24 (also used by the conformance suite):
# the npm package node-linux-<arch>, cached by version; MCP_SWITCHBOARD_NODE24
# overrides it.
[[ -x "$REPO/node_modules/.bin/tsx" ]] || fail "the repository's dependencies are not installed; run npm ci first."
NODE24="$("$REPO/node_modules/.bin/tsx" "$REPO/test/support/node24.ts")" \
  || fail "could not get Node 24 from the npm registry (see above)."
NODE_VERSION="$("$NODE24" --version)"
NODE_VERSION="${NODE_VERSION#v}"
# Headers for native builds live beside the binary: <prefix>/bin/node, <prefix>/include/node.
NODE_PREFIX="$(dirname "$(dirname "$NODE24")")"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION-$("$NODE24" -p process.arch)"
CODE_SERVER_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"

# --- Chromium (Debian package) ------------------------------------------------
# libkrb5-dev is needed only to build code-server (a native module wants the
# gssapi headers), so only while code-server is not in the cache yet.
chromium_bin() { command -v chromium || true; }
need_apt=()
[[ -n "$(chromium_bin)" ]] || need_apt+=(chromium)
[[ -e "$CS_DIR/.complete" || -e /usr/include/gssapi/gssapi.h ]] || need_apt+=(libkrb5-dev)
if ((${#need_apt[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    fail "missing Debian packages: ${need_apt[*]}. Run: sudo apt-get update && sudo apt-get install -y ${need_apt[*]}"
  fi
  log "installing ${need_apt[*]} from apt"
  export DEBIAN_FRONTEND=noninteractive
  quietly apt-get update || fail "apt-get update failed; check that Debian's package mirrors are reachable."
  quietly apt-get install -y --no-install-recommends "${need_apt[@]}" \
    || fail "apt-get install ${need_apt[*]} failed (see above)."
fi
CHROMIUM="$(chromium_bin)"
[[ -n "$CHROMIUM" ]] || fail "chromium is still not on PATH after installing it."

# --- code-server ------------------------------------------------------------------
if [[ ! -e "$CS_DIR/.complete" ]]; then
  log "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (about 3 minutes, 600 MB; log: $INSTALL_LOG)"
  tmp="$(mktemp -d "$CACHE/.code-server-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  # npm 11 skips dependencies' install scripts unless package.json approves
  # them; code-server's postinstall builds VS Code's native modules, so the
  # cache's own package.json approves exactly the packages that need it.
  cat >"$tmp/package.json" <<JSON
{
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
  # npm itself runs on Node 24 so that every lifecycle script, and the
  # node-gyp builds inside them, see Node 24 and its headers.
  npm_cli="$(npm root -g 2>/dev/null)/npm/bin/npm-cli.js"
  [[ -e "$npm_cli" ]] || fail "cannot find npm's npm-cli.js (looked in $npm_cli)."
  (cd "$tmp" \
    && PATH="$(dirname "$NODE24"):$PATH" npm_config_nodedir="$NODE_PREFIX" \
      quietly "$NODE24" "$npm_cli" install --no-audit --no-fund --foreground-scripts --loglevel=warn) \
    || fail "npm install code-server@$CODE_SERVER_VERSION failed (see above); it needs libkrb5-dev and a C++ toolchain (build-essential, python3)."
  # The postinstall is what makes VS Code's server runnable: it installs and
  # builds lib/vscode's own dependencies. If npm skipped it, say so now rather
  # than let code-server fail later with a missing module.
  vscode_dir="$tmp/node_modules/code-server/lib/vscode"
  [[ -d "$vscode_dir/node_modules" ]] \
    || fail "code-server's postinstall did not run (no $vscode_dir/node_modules); npm skipped its install script."
  # Native modules built against another Node load with an ABI error only
  # when VS Code first needs them (the terminal, the log): try two now.
  quietly "$NODE24" -e "require('$vscode_dir/node_modules/@vscode/spdlog'); require('$vscode_dir/node_modules/node-pty')" \
    || fail "code-server's native modules do not load in Node $NODE_VERSION; they were built against another Node (is npm_config_nodedir honoured?)."
  # code-server writes a config file under HOME even for --version; give it a
  # scratch one so provisioning leaves nothing in the real HOME either.
  HOME="$tmp/scratch-home" XDG_CONFIG_HOME="$tmp/scratch-home/.config" XDG_DATA_HOME="$tmp/scratch-home/.local/share" \
    quietly "$NODE24" "$tmp/node_modules/code-server/out/node/entry.js" --version \
    || fail "code-server@$CODE_SERVER_VERSION was installed but does not start."
  rm -rf "$tmp/scratch-home"
  touch "$tmp/.complete"
  rm -rf "$CS_DIR" && mv "$tmp" "$CS_DIR"
  trap - EXIT
fi

echo "NODE24=$NODE24"
echo "CODE_SERVER_ENTRY=$CODE_SERVER_ENTRY"
echo "CHROMIUM=$CHROMIUM"
