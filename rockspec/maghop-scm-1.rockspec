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
dependencies = {
  "lua >= 5.4, < 5.5",
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
  install_variables = {
    INST_PREFIX = "$(PREFIX)",
    INST_BINDIR = "$(BINDIR)",
    INST_LIBDIR = "$(LIBDIR)",
    INST_LUADIR = "$(LUADIR)",
  },
}
