-- Plain lua5.4 with the installed rock: scripts that ran OpenMP regions
-- must exit 0 with all their buffered output, every time. (When the module
-- was unloaded at lua_close, libgomp went with it while a pool thread still
-- ran there: SIGSEGV at exit and the stdout buffer lost, in a fraction of
-- runs; so each script runs 20 times.)
local lu = require "luaunit"
local H = dofile("spec/helpers.lua")

local T = {}
local RUNS = 20

-- Each script writes 2000 lines first (they sit in stdio's buffer when
-- stdout is a file), then computes, then writes "END <name>" and returns:
-- the exit follows the last parallel region at once.
local SCRIPTS = {
  film = [[
local f = mh.film{nx = 16, ny = 16, dx = 5e-9, demag = true}
f:set_uniform(1, 1, 0)
f:run(1e-12)
]],
  amr = [[
local f = mh.film{nx = 24, ny = 24, dx = 20e-9, demag = false}
f:set_uniform(1, 0, 0)
local el = mh.electrodes.grid{cols = 2, rows = 2, pitch = 240e-9, size = 80e-9}
assert(mh.amr.conductance(f, el))
]],
  twin = [[
local dev = mh.twin.new{nodes = 4, preset = "paper", cell = 50e-9, init = false}
dev:pulse("++--", 1, {width = 1e-10})
dev:conductance()
]],
}

local function check_script(name)
  H.once_per_make_test()
  local tree, err = H.rock_tree()
  lu.assertNotNil(tree, err)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. H.shell_quote(dir)))
  local script = dir .. "/" .. name .. ".lua"
  local fh = assert(io.open(script, "w"))
  fh:write('local mh = require "maghop"\n',
           'for i = 1, 2000 do io.write(("line %d of output before the computation\\n"):format(i)) end\n',
           SCRIPTS[name], ('io.write("END %s\\n")\n'):format(name))
  fh:close()
  -- one shell loop: "rc lines last-line" per run (cd /tmp: nothing from the checkout)
  local rc, out = H.sh(("cd /tmp && for i in $(seq %d); do %s lua5.4 %s > %s/out.txt 2> %s/err.txt; "
    .. "echo \"run $i: exit $? lines $(wc -l < %s/out.txt) last '$(tail -n 1 %s/out.txt)'\"; "
    .. "cat %s/err.txt; done"):format(RUNS, H.rock_env(tree), H.shell_quote(script), H.shell_quote(dir),
    H.shell_quote(dir), H.shell_quote(dir), H.shell_quote(dir), H.shell_quote(dir)))
  os.execute("rm -rf " .. H.shell_quote(dir))
  lu.assertEquals(rc, 0, out)
  local good = 0
  for exit, lines, last in out:gmatch("exit (%d+) lines (%d+) last '([^']*)'") do
    if exit == "0" and lines == "2001" and last == "END " .. name then good = good + 1 end
  end
  lu.assertEquals(good, RUNS, out)
end

function T.test_film_with_demag_exits_cleanly() check_script("film") end
function T.test_amr_conductance_exits_cleanly() check_script("amr") end
function T.test_twin_pulse_exits_cleanly() check_script("twin") end

return {TestPlainLua = T}
