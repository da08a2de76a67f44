#!/bin/sh
# bootstrap.sh — make sure the Debian packages maghop needs are present.
# As root: installs what is missing with apt-get. Otherwise: prints the exact
# apt-get line and stops with an error. Then tells LuaRocks that the Debian
# packages lua-argparse and lua-unit provide the rocks the rockspec depends on
# (rocks_provided), so a plain `luarocks make` works offline.
set -e
PKGS="lua5.4 liblua5.4-dev libfftw3-dev lua-unit lua-argparse lua-ldoc luarocks gnuplot-nox libsuitesparse-dev make gcc openmpi-bin libopenmpi-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

# rocks_provided entries for the Debian Lua packages that stand in for rocks.
provide_rocks() {
  cfg=/etc/luarocks/config-5.4.lua
  [ -f "$cfg" ] || return 0
  grep -q '^ *rocks_provided' "$cfg" && return 0 # an existing table is the admin's
  entries=""
  for pair in lua-argparse:argparse lua-unit:luaunit; do
    v=$(dpkg-query -W -f='${Version}' "${pair%%:*}" 2>/dev/null) || continue
    v=${v#*:}; v=${v%%+*} # drop a Debian epoch and binNMU suffix: 0.7.1-2
    entries="$entries ${pair#*:} = \"$v\","
  done
  [ -n "$entries" ] || return 0
  line="rocks_provided = {$entries } -- Debian packages (maghop bootstrap)"
  if [ -w "$cfg" ]; then
    echo "$line" >>"$cfg"
    echo "bootstrap: $cfg: $line" >&2
  else
    echo "bootstrap: to let 'luarocks make' use the Debian Lua packages, add to $cfg:" >&2
    echo "  $line" >&2
  fi
}

if [ -z "$missing" ]; then provide_rocks; exit 0; fi
if [ "$(id -u)" = 0 ]; then
  echo "bootstrap: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >&2
else
  echo "bootstrap: missing Debian packages:$missing" >&2
  echo "run:  sudo apt-get install -y$missing" >&2
  exit 1
fi
provide_rocks
