#!/bin/bash
# test.sh HOST [pattern] — run the suite twice: under the maghop host, then
# under plain lua5.4 with LUA_PATH/LUA_CPATH from a LuaRocks tree installed
# into build/rocktree (as a user who installed the rock runs it). The tree is
# built once here and handed to the specs as MAGHOP_ROCK_TREE so the specs
# that start plain lua5.4 processes reuse it. Ends with one line
# "N passed, N failed (...)" summing both runs; exits 1 if either failed.
set -u
host=$1
shift
root=$(pwd)
tree=$root/build/rocktree

# A plain (unsanitized) rock even when the outer make has SANITIZE=1: a
# sanitized core.so cannot be loaded by the stock interpreter.
rm -rf "$tree"
if ! env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u SANITIZE \
    luarocks --lua-version=5.4 --tree="$tree" make --deps-mode=none rockspec/maghop-scm-1.rockspec >build/rocktree.log 2>&1; then
  cat build/rocktree.log
  echo "0 passed, 1 failed (luarocks make into build/rocktree failed)"
  exit 1
fi
export MAGHOP_ROCK_TREE=$tree

total_p=0 total_f=0 detail=""
# run_suite LABEL CMD...: runs spec/run.lua, echoes its output, adds its counts.
run_suite() {
  local label=$1 log
  shift
  log=$(mktemp)
  "$@" spec/run.lua "${pattern[@]}" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line p f
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  rm -f "$log"
  if [ -z "$line" ]; then
    p=0 f=1
    echo "$label: the suite ended without a summary line (exit $rc)"
  else
    p=${line%% passed*}
    f=${line#*, }
    f=${f%% failed*}
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  fi
  total_p=$((total_p + p))
  total_f=$((total_f + f))
  detail="$detail${detail:+; }$label: $p passed, $f failed"
}

pattern=("$@")
echo "== suite under the maghop host ($host)"
MAGHOP_HOST=$root/$host run_suite "maghop host" "$host"
echo "== suite under plain lua5.4 from the rock tree (build/rocktree)"
lpath=$(luarocks --lua-version=5.4 --tree="$tree" path --lr-path)
lcpath=$(luarocks --lua-version=5.4 --tree="$tree" path --lr-cpath)
# the specs that start the maghop command use the rock's (plain, as installed)
MAGHOP_HOST=$tree/bin/maghop run_suite "plain lua5.4" env -u LUA_PATH_5_4 -u LUA_CPATH_5_4 MAGHOP_SUITE_PASS=plain LUA_PATH="$lpath;;" LUA_CPATH="$lcpath;;" lua5.4
echo "$total_p passed, $total_f failed ($detail)"
[ "$total_f" -eq 0 ]
