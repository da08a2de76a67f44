#!/bin/sh
# rock_test.sh — what `luarocks test` runs (the rockspec's test command):
# build in the checkout and run the suite with the maghop command. Extra
# arguments are a LuaUnit name pattern (luarocks test ROCKSPEC -- TestHost).
# Needs luaunit: Debian lua-unit, or the luaunit rock with the tree on the
# path (eval "$(luarocks --lua-version=5.4 --tree=T path)").
set -e
cd "$(dirname "$0")/.."
make --no-print-directory all >&2
exec build/bin/maghop spec/run.lua "$@"
