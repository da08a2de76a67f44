-- demo.lua — `make demo`: run the paper's experiments on built-in defaults
-- and list the figures they wrote. Usage: build/bin/maghop scripts/demo.lua
local core = require "maghop.core"
local mio = require "maghop.io"
local host = arg[-1] or "build/bin/maghop"

-- Each entry: script and its arguments (quick variants for the heavy ones).
local runs = {
  {"examples/fig3_oja_evolution.lua"},
  {"examples/fig4_energy_landscape.lua"},
  {"examples/fig4_letters_tiles.lua"},
  {"examples/logic_gates.lua", "--quiet"},
  {"examples/fig5_letters.lua", "--quiet"},
  {"examples/fig3_oja_evolution.lua", "--model", "twin", "--quick", "--quiet"},
  {"examples/fig5_letters.lua", "--model", "twin", "--quick", "--quiet", "--out", "out/fig5_twin_quick"},
  {"examples/stdprob4.lua", "--quick"},
  {"examples/oersted_map.lua"},
  {"examples/measure_conductance.lua"},
}

local t0, start_epoch = core.wtime(), os.time() - 1
local failed = 0
for _, r in ipairs(runs) do
  local cmd = mio.shell_quote(host)
  for _, a in ipairs(r) do cmd = cmd .. " " .. mio.shell_quote(a) end
  io.write(("== %s\n"):format(table.concat(r, " ")))
  io.flush()
  if not os.execute(cmd) then failed = failed + 1; print("   FAILED") end
end
print(("\nfigures written (%.1f s):"):format(core.wtime() - t0))
local p = io.popen(("find out -name '*.png' -newermt @%d 2>/dev/null | sort"):format(start_epoch))
for line in p:lines() do print("  " .. line) end
p:close()
os.exit(failed == 0 and 0 or 1)
