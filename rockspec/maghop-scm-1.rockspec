rockspec_format = "3.0"
package = "maghop"
version = "scm-1"
source = {
  url = "git+file:///dev/null", -- install from a checkout: luarocks make rockspec/maghop-scm-1.rockspec
}
description = {
  summary = "Self-learning magnetic Hopfield networks: LLG, Oersted, AMR and Hopfield recall in C for Lua 5.4",
  detailed = [[
maghop simulates a permalloy film whose AMR conductance matrix learns voltage
patterns through Oersted-field-driven magnetization dynamics (an Oja-type
rule), from the compact Eq. (2) model to a full micromagnetic twin, and runs
Hopfield recall, image tiling and logic-gate programming from Lua scripts.
  ]],
  license = "MIT",
  labels = {"physics", "micromagnetics", "neural-networks"},
}
supported_platforms = {"linux"}
-- argparse: option parsing of the example scripts (mh.cli.parse); luaunit: the
-- test suite (`luarocks test`). luaunit is a plain dependency, not a
-- test_dependency, because luarocks 3.8 resolves test_dependencies online
-- whatever --deps-mode says. Offline, scripts/bootstrap.sh registers the
-- Debian packages lua-argparse and lua-unit as rocks_provided (see README).
dependencies = {
  "lua >= 5.4, < 5.5",
  "argparse >= 0.6",
  "luaunit >= 3.3",
}
external_dependencies = {
  FFTW = {header = "fftw3.h", library = "fftw3"},
  CHOLMOD = {header = "suitesparse/cholmod.h", library = "cholmod"},
}
build = {
  type = "make",
  build_variables = {
    CFLAGS = "$(CFLAGS)",
    LUA = "$(LUA)",
    LUA_INCDIR = "$(LUA_INCDIR)",
    FFTW_INCDIR = "$(FFTW_INCDIR)",
    FFTW_LIBDIR = "$(FFTW_LIBDIR)",
  },
  -- the rock also holds the examples (maghop --examples prints where) and,
  -- when ldoc is installed, the HTML API reference (luarocks doc maghop)
  build_target = "all rock-doc",
  install_variables = {
    INST_PREFIX = "$(PREFIX)",
    INST_EXAMPLESDIR = "$(PREFIX)/examples",
    INST_DOCDIR = "$(PREFIX)/doc",
    INST_BINDIR = "$(BINDIR)",
    INST_LIBDIR = "$(LIBDIR)",
    INST_LUADIR = "$(LUADIR)",
  },
}
-- `luarocks test` builds in the checkout and runs the LuaUnit suite; extra
-- arguments after -- filter test names (luarocks test ROCKSPEC -- TestHost).
test = {
  type = "command",
  command = "sh scripts/rock_test.sh",
}
