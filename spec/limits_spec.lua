-- Sizes and ranges are checked before anything is allocated or integrated
-- (each refusal is fast and names the argument and the limit), and values
-- near the ends of the double range give a result or an error, never a
-- silent NaN or zero.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

-- fn(...) must raise an error containing every needle, within a second.
local function refused_fast(needles, fn, ...)
  local t0 = mh.wtime()
  local ok, err = pcall(fn, ...)
  local dt = mh.wtime() - t0
  lu.assertFalse(ok, "expected an error")
  for _, s in ipairs(needles) do lu.assertStrContains(tostring(err), s) end
  lu.assertTrue(dt < 1, ("refusal took %.2f s"):format(dt))
end

function T.test_sizes_are_checked_before_allocating()
  refused_fast({"option 'cell'", "4194304 cells"}, mh.twin.new, {cell = 1e-10})
  refused_fast({"option 'nodes'", "2..1024"}, mh.compact.new, {nodes = 100000})
  refused_fast({"cols*rows", "1024"}, mh.compact.grid, {cols = 100, rows = 100})
  refused_fast({"2..1024"}, mh.core.compact, 5000, 1, 1, 1, 1)
end

function T.test_film_memory_is_checked_before_allocating()
  local fh = io.open("/proc/meminfo")
  local kb = fh and tonumber(fh:read("a"):match("MemTotal:%s*(%d+)")) or 0
  if fh then fh:close() end
  if kb == 0 or kb > 100e6 then lu.skip("needs a machine with less than 100 GB of memory") end
  -- 2^28 cells with demag need ~118 GB
  refused_fast({"268435456 cells need about", "GB", "of memory"}, mh.film, {nx = 16384, ny = 16384, dx = 1e-9})
  refused_fast({"exceeds 2^28"}, mh.film, {nx = 65536, ny = 65536, dx = 1e-9})
end

function T.test_twin_drive_is_bounded()
  local dev = mh.twin.new {nodes = 4, preset = "paper", cell = 50e-9, init = false}
  refused_fast({"option 'volts'", "[-1000, 1000] V"}, dev.pulse, dev, "++--", 1, {volts = 1e6})
  refused_fast({"option 'volts'", "peak Oersted field", "100000 A/m"}, dev.pulse, dev, "++--", 1, {volts = 1})
  refused_fast({"option 'peak_H'", "100000 A/m"}, mh.twin.new, {nodes = 4, cell = 50e-9, peak_H = 1e6,
                                                              init = false})
  refused_fast({"volts[1]", "outside [-1000, 1000] V"}, mh.oersted.solve,
               {film = dev.film, electrodes = dev.el, volts = {1e300, -1e300, 1e300, -1e300}})
  refused_fast({"volts[2]", "outside [-1000, 1000] V"}, mh.oersted.solve,
               {film = dev.film, electrodes = dev.el, volts = {1, -1e300, 1, -1}})
  -- the calibrated drive still works, and a large legal drive gives finite fields
  dev:pulse("++--", 1, {width = 1e-11})
  local r = mh.oersted.solve {film = dev.film, electrodes = dev.el, volts = {1e3, -1e3, 1e3, -1e3}}
  lu.assertTrue(r.peak_H > 0 and r.peak_H < math.huge)
end

function T.test_fields_and_materials_beyond_physics_are_refused()
  local f = mh.film {nx = 4, ny = 4, dx = 5e-9, demag = false}
  H.raises("outside [-1e+10, 1e+10] A/m", f.set_field, f, {1e300, 0, 0})
  H.raises("outside [-1e+10, 1e+10] A/m", f.set_field, f, 0, -1e11, 0)
  local g = mh.field(4, 4, 1, 3)
  g:set(2, 2, 1, 0, 1e308, 0)
  H.raises("field map holds 1e+308 A/m", f.set_field_map, f, g)
  H.raises("within [-1e10, 1e10] A/m", f.run, f, 1e-12, {field_fn = function() return 1e300, 1e300, 0 end})
  H.raises("Ms must be in [0, 1e8] A/m", mh.demag.field, f:m(), 1e300)
  local el = mh.electrodes.grid {cols = 2, rows = 2, pitch = 8e-9, size = 4e-9}
  local f2 = mh.film {nx = 8, ny = 8, dx = 2e-9, demag = false}
  H.raises("sigma0 must be in (0, 1e9] S/m", mh.amr.conductance, f2, el, {sigma0 = 1e300})
  H.raises("thickness must be in [1e-12, 1e-3] m", mh.amr.conductance, f2, el, {thickness = 1e-300})
  -- the largest legal field: finite energy and a finite run
  f:set_field {1e10, 0, 0}
  f:set_uniform(0, 1, 0)
  lu.assertTrue(math.abs(f:energy()) < math.huge)
  lu.assertTrue(f:run(1e-13) >= 1)
end

function T.test_set_m_normalizes_huge_and_tiny_vectors()
  local f = mh.film {nx = 2, ny = 2, dx = 5e-9, demag = false}
  f:set_m(function() return 1e200, 1e200, 0 end)
  local mx, my, mz = f:avg()
  lu.assertAlmostEquals(mx, math.sqrt(0.5), 1e-15)
  lu.assertAlmostEquals(my, math.sqrt(0.5), 1e-15)
  lu.assertEquals(mz, 0)
  lu.assertTrue(f:energy() == f:energy())
  f:set_m(function() return 0, 1e-300, 1e-300 end)
  mx, my, mz = f:avg()
  lu.assertAlmostEquals(my, math.sqrt(0.5), 1e-15)
  local g = f:m()
  for j = 1, 2 do for i = 1, 2 do g:set(i, j, 1, -1e300, 0, 1e300) end end
  f:set_m_field(g)
  mx, my, mz = f:avg()
  lu.assertAlmostEquals(mx, -math.sqrt(0.5), 1e-15)
  lu.assertAlmostEquals(mz, math.sqrt(0.5), 1e-15)
  H.raises("three finite numbers", f.set_m, f, function() return 1 / 0, 0, 0 end)
  H.raises("zero vector", f.set_m, f, function() return 0, 0, 0 end)
end

function T.test_demag_tensor_far_and_elongated()
  -- far offsets: the dipole limit goes to zero, never NaN
  for _, X in ipairs {1e100, -1e300, 1e-3} do
    local N = {mh.demag.tensor(X, 0, 0, 5e-9, 5e-9, 5e-9)}
    for c = 1, 6 do lu.assertTrue(N[c] == N[c], "NaN at X = " .. X) end
    lu.assertTrue(N[1] <= 0 and N[1] > -1e-16)
  end
  -- the point dipole at 1 um: Nxx = -2 V/(4 pi r^3)
  local N = {mh.demag.tensor(1e-6, 0, 0, 5e-9, 5e-9, 5e-9)}
  lu.assertAlmostEquals(N[1], -2 * (5e-9) ^ 3 / (4 * math.pi * 1e-18), 1e-12)
  -- scale invariance: the same geometry in metres or in kilometres
  local a = {mh.demag.tensor(3e-9, 1e-9, 0, 2e-9, 2e-9, 1e-9)}
  local b = {mh.demag.tensor(3e3, 1e3, 0, 2e3, 2e3, 1e3)}
  for c = 1, 6 do lu.assertAlmostEquals(a[c], b[c], 1e-12) end
  -- cells too elongated for the Newell formulas are refused, not zero
  H.raises("differ by a factor", mh.demag.factors, 4, 4, 1, 5e-9, 5e-9, 1e3)
  H.raises("differ by a factor", mh.demag.tensor, 0, 0, 0, 1e-9, 1e-9, 1e3)
  H.raises("differ by a factor", mh.film, {nx = 2, ny = 2, dx = 1e-9, dz = 1e-3, demag = true})
  -- large cells are fine: a cube is 1/3 whatever its size
  local F = {mh.demag.factors(2, 2, 2, 1e-3, 1e-3, 1e-3)}
  lu.assertAlmostEquals(F[1], 1 / 3, 1e-9)
  F = {mh.demag.factors(4, 4, 1, 5e-9, 5e-9, 5e-5)}
  lu.assertTrue(F[1] > 0.4 and F[3] < 0.01)
end

function T.test_ovf_with_other_cell_size_is_refused()
  local f = mh.film {nx = 4, ny = 3, dx = 5e-9, demag = false}
  f:set_uniform(0, 1, 0)
  local path = os.tmpname()
  assert(f:save_ovf(path))
  local g = mh.film {nx = 4, ny = 3, dx = 5e-9, demag = false}
  lu.assertTrue(g:load_ovf(path))
  local h = mh.film {nx = 4, ny = 3, dx = 6e-9, demag = false}
  local ok, msg = h:load_ovf(path)
  lu.assertNil(ok)
  lu.assertStrContains(msg, "cells of 5e-09 x 5e-09 x 5e-09 m, the film 6e-09 x 6e-09 x 6e-09 m")
  -- a header claiming a huge step size
  local fh = assert(io.open(path, "rb"))
  local text = fh:read("a")
  fh:close()
  text = text:gsub("# xstepsize: [^\n]*", "# xstepsize: 1e300"):gsub("# xmax: [^\n]*", "# xmax: 4e300")
  fh = assert(io.open(path, "wb"))
  fh:write(text)
  fh:close()
  ok, msg = g:load_ovf(path)
  os.remove(path)
  lu.assertNil(ok)
  lu.assertStrContains(msg, "1e+300")
  local mx, my = g:avg()
  lu.assertEquals(my, 1) -- the earlier state is kept
end

return {TestLimits = T}
