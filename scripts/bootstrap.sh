#!/bin/sh
# bootstrap.sh — make sure the Debian packages maghop needs are present.
# As root: installs what is missing with apt-get. Otherwise: prints the exact
# apt-get line and stops with an error.
set -e
PKGS="lua5.4 liblua5.4-dev libfftw3-dev lua-unit lua-argparse lua-ldoc luarocks gnuplot-nox libsuitesparse-dev make gcc openmpi-bin libopenmpi-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
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
