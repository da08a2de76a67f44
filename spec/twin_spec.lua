-- The micromagnetic twin on a coarse grid: same interface as the compact
-- model, Kirchhoff G, the Fig. 3 trend, protocol = weights, exact state I/O.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

-- 4-node disk with 50 nm cells (22 x 22): seconds, not minutes.
local function small_twin(init)
  return mh.twin.new {nodes = 4, preset = "paper", cell = 50e-9, width = 5e-9, init = init, init_s = 40e-9}
end

function T.test_interface_and_kirchhoff()
  local dev = small_twin()
  lu.assertEquals(dev.nodes, 4)
  lu.assertEquals(dev.model, "twin")
  lu.assertStrContains(tostring(dev), "Twin device, 4 nodes")
  local G = dev:conductance()
  lu.assertTrue((G - G:t()):maxabs() < 1e-12 * G:maxabs())
  lu.assertTrue(G:row_sums():maxabs() < 1e-9 * G:maxabs())
  local g = G:totable()
  for i = 1, 4 do for j = 1, 4 do if i ~= j then lu.assertTrue(g[i][j] < 0) end end end
  -- AMR > 0: Sigma(m) <= sigma_perp I, so for any pad voltages the film
  -- dissipates no more than when saturated out of plane: v'Gv <= v'G1T v
  local R = dev:reference()
  for _, v in ipairs {{1, -1, 1, -1}, {1, 1, -1, -1}, {1, 0, 0, -1}, {0.3, -1, 0.2, 0.5}} do
    local vv = mh.array(v)
    local pg = (vv:t() * G * vv):get(1, 1)
    local pr = (vv:t() * R * vv):get(1, 1)
    lu.assertTrue(pg <= pr * (1 + 1e-12) and pg > 0.9 * pr)
  end
  R = R:totable()
  local w = dev:weights():totable()
  lu.assertAlmostEquals(w[1][2], g[1][2] - 0.98 * R[1][2], 1e-15)
  lu.assertEquals(w[3][3], 0)
end

function T.test_pulses_move_G_like_fig3()
  local dev = small_twin("+-+-")
  local G0 = dev:conductance():totable()
  dev:pulse("++--", 16) -- 80 ns: past the precessional overshoot
  local G = dev:conductance():totable()
  -- "++--" after "+-+-": G12, G34 rise; G13, G24 fall (off-diagonals < 0)
  lu.assertTrue(G[1][2] > G0[1][2])
  lu.assertTrue(G[3][4] > G0[3][4])
  lu.assertTrue(G[1][3] < G0[1][3])
  lu.assertTrue(G[2][4] < G0[2][4])
end

function T.test_protocol_equals_weights()
  local dev = small_twin("++--")
  for k, s0 in ipairs {{1, 1, 1, -1}, {-1, 1, -1, -1}, {1, -1, 1, 1}} do
    local a = dev:recall(s0, {mode = "sync"})
    local b = dev:recall(s0, {mode = "sync", physical = true})
    lu.assertEquals(b, a, "state " .. k)
  end
end

function T.test_state_roundtrip_is_exact()
  local dir = os.tmpname()
  os.remove(dir)
  local a = small_twin(false)
  a:pulse("+--+", 1)
  local st = a:save_state(dir .. "/s")
  local G_before = a:conductance()
  a:pulse("++++", 1)
  a:load_state(st)
  lu.assertEquals((a:conductance() - G_before):maxabs(), 0)
  -- the same pulse from the same state gives the same G, bit for bit
  a:pulse("+-+-", 1)
  local G1 = a:conductance()
  a:load_state(st)
  a:pulse("+-+-", 1)
  lu.assertEquals((a:conductance() - G1):maxabs(), 0)
  os.execute("rm -rf " .. mh.io.shell_quote(dir))
end

function T.test_full_preset_runs_with_demag()
  -- preset "full" switches demagnetization on (coarse cells here to stay quick)
  local dev = mh.twin.new {nodes = 4, preset = "full", cell = 50e-9, init = false}
  local e0 = select(2, dev.film:energy())
  lu.assertNotNil(e0.demag)
  lu.assertTrue(e0.demag > 0)
  dev:pulse("+-+-", 1, {width = 0.2e-9})
  local G = dev:conductance()
  lu.assertTrue(G:row_sums():maxabs() < 1e-9 * G:maxabs())
end

function T.test_recall_follows_xi()
  -- the cached network must be rebuilt when xi changes, not only when G does
  local dev = small_twin("++--")
  local function expected(s0) return (mh.hopfield.new(dev:weights()):recall(s0, {mode = "sync"})) end
  for _, xi in ipairs {0.98, 0, 1.5, 0.98} do
    dev.xi = xi
    for _, s0 in ipairs {{1, 1, 1, 1}, {1, 1, 1, -1}, {-1, 1, -1, -1}} do
      local got = dev:recall(s0, {mode = "sync"})
      lu.assertEquals(got, expected(s0), ("xi = %g, state %s"):format(xi, mh.hopfield.label(s0)))
    end
  end
end

function T.test_wide_geometry_preset()
  -- init = false: no LLG, only the drive calibration
  local dev = mh.twin.new {nodes = 35, geometry = "wide", init = false, volts = 1e-3}
  local g = dev.geometry
  lu.assertEquals(g.name, "wide")
  lu.assertEquals({g.pitch, g.pad, g.cell, g.nx, g.ny}, {2e-6, 800e-9, 40e-9, 250, 350})
  local nx, ny, _, dx = dev.film:shape()
  lu.assertEquals({nx, ny, dx}, {250, 350, 40e-9})
  lu.assertStrContains(tostring(dev), "geometry wide")
  -- init = false leaves the texture uniform along x (no saturating pulse)
  local mx, my = dev.film:avg()
  lu.assertEquals({mx, my}, {1, 0})
  -- explicit lengths override the preset's
  local d2 = mh.twin.new {nodes = 4, geometry = "wide", pitch = 1.5e-6, cell = 100e-9, init = false, volts = 1e-3}
  lu.assertEquals({d2.geometry.pitch, d2.geometry.pad, d2.geometry.cell}, {1.5e-6, 800e-9, 100e-9})
  lu.assertEquals(d2.geometry.disk_diameter, 4.4e-6)
  -- the default layout is the 500 nm / 200 nm one
  local d3 = mh.twin.new {nodes = 4, cell = 50e-9, init = false}
  lu.assertEquals({d3.geometry.name, d3.geometry.pitch, d3.geometry.pad}, {"default", 500e-9, 200e-9})
end

function T.test_thickness_and_demag_options()
  local a = mh.twin.new {nodes = 4, cell = 50e-9, init = false}
  local b = mh.twin.new {nodes = 4, cell = 50e-9, init = false, thickness = 40e-9}
  lu.assertEquals(select(6, b.film:shape()), 40e-9)
  lu.assertEquals(b.geometry.thickness, 40e-9)
  -- saturated out of plane the film is an isotropic sheet: G^1T = sigma t (...)
  local r = (b:reference() - a:reference() * 2):maxabs() / a:reference():maxabs()
  lu.assertTrue(r < 1e-9, "G1T must double with the thickness, relative error " .. r)
  -- demag on the "paper" preset (off by default), off on "full"
  local d = mh.twin.new {nodes = 4, cell = 50e-9, init = false, demag = true, volts = 1e-3}
  lu.assertTrue(d.geometry.demag)
  lu.assertTrue(select(2, d.film:energy()).demag > 0)
  local f = mh.twin.new {nodes = 4, preset = "full", cell = 50e-9, init = false, demag = false, volts = 1e-3}
  lu.assertFalse(f.geometry.demag)
  lu.assertNil(select(2, f.film:energy()).demag)
  lu.assertFalse(a.geometry.demag)
end

function T.test_state_records_geometry()
  local dir = os.tmpname()
  os.remove(dir)
  local a = small_twin(false)
  local st = a:save_state(dir .. "/s")
  lu.assertEquals(st.geometry.pitch, 500e-9)
  lu.assertEquals(st.geometry.cell, 50e-9)
  lu.assertEquals(st.geometry.name, "default")
  local other = mh.twin.new {nodes = 4, cell = 50e-9, pitch = 450e-9, init = false}
  H.raises("geometry pitch = 5e-07", other.load_state, other, st)
  small_twin(false):load_state(st) -- same geometry: fine
  os.execute("rm -rf " .. mh.io.shell_quote(dir))
end

-- A 4-node disk follows an explicit pitch; a disk too small for its pads is
-- refused by name (it failed deep inside the Oersted solver).
function T.test_four_node_disk_follows_pitch()
  local d = mh.twin.new {nodes = 4, pitch = 600e-9, cell = 50e-9, init = false, volts = 1e-3}
  lu.assertAlmostEquals(d.geometry.disk_diameter, 1.32e-6, 1e-18)
  lu.assertTrue(d:conductance()[1][2] < 0)
  H.raises("option 'disk_diameter'", mh.twin.new, {nodes = 4, pitch = 600e-9, disk_diameter = 1e-6, cell = 50e-9})
end

function T.test_bad_input()
  H.raises("option 'preset'", mh.twin.new, {preset = "fast"})
  H.raises("4 or 35 nodes", mh.twin.new, {nodes = 5})
  H.raises("option 'width'", mh.twin.new, {nodes = 4, width = -1})
  H.raises("option 'geometry' must be one of \"default\", \"wide\"", mh.twin.new, {geometry = "narrow"})
  H.raises("option 'cell'", mh.twin.new, {nodes = 4, cell = 150e-9})
  H.raises("option 'thickness'", mh.twin.new, {nodes = 4, thickness = -1})
  H.raises("option 'demag' must be true or false", mh.twin.new, {nodes = 4, demag = "yes"})
  H.raises("option 'pad'", mh.twin.new, {nodes = 4, pad = 600e-9})
  local film = mh.film {nx = 8, ny = 8, dx = 50e-9, dy = 50e-9, dz = 20e-9}
  local el = mh.electrodes.grid {cols = 2, rows = 2, pitch = 200e-9, size = 100e-9}
  H.raises("option 'pitch' applies to the built-in geometry", mh.twin.new,
    {film = film, electrodes = el, pitch = 1e-6, init = false})
  local dev = small_twin(false)
  H.raises("pattern of 4 entries", dev.pulse, dev, {1, 1, 1})
  H.raises("entries must be +1 or -1", dev.pulse, dev, {1, 0, 1, 1})
  H.raises("non-negative integer", dev.pulse, dev, {1, 1, 1, 1}, -2)
  H.raises("option 'width'", dev.pulse, dev, {1, 1, 1, 1}, 1, {width = 0})
end

return {TestTwin = T}
