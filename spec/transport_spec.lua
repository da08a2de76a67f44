-- Transport: Oersted field against closed forms, AMR conductance
-- (Kirchhoff, isotropic limit, the long-strip AMR law with cross terms),
-- solver agreement, measurement twin, physical inference, bad input.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

local function vortex(x, y)
  local cx, cy = 320e-9, 320e-9
  local a = math.atan(y - cy + 7e-9, x - cx + 3e-9)
  return -math.sin(a), math.cos(a), 0.1
end

local function device(n, shape)
  local f = mh.film{nx = n, ny = n, nz = 1, dx = 640e-9 / n, dy = 640e-9 / n, dz = 20e-9, shape = shape}
  local el = mh.electrodes.grid{cols = 2, rows = 2, pitch = 260e-9, size = 100e-9}
  return f, el
end

local function rel(a, b) return math.abs(a - b) / math.abs(b) end

-- ------------------------------------------------------------- electrodes

function T.test_grid_numbering_row_major_from_top_left()
  local f = device(32)
  local r = mh.electrodes.grid{cols = 5, rows = 7, pitch = 80e-9, size = 30e-9}:rects(f)
  lu.assertEquals(#r, 35)
  lu.assertTrue(r[1].x < r[2].x) -- node 2 right of node 1
  lu.assertTrue(r[1].y > r[6].y) -- node 6 (row 1) below node 1 (row 0 is the top)
  lu.assertAlmostEquals(r[18].x, 320e-9, 1e-15) -- centre node of the 5x7 grid
  lu.assertAlmostEquals(r[18].y, 320e-9, 1e-15)
end

-- ------------------------------------------------------------------- AMR

function T.test_conductance_kirchhoff_properties()
  local f, el = device(48, "disk")
  f:set_m(vortex)
  local G, rr = mh.amr.conductance(f, el)
  lu.assertTrue(rr < 1e-9)
  for i = 1, 4 do
    local s = 0
    for j = 1, 4 do
      s = s + G:get(i, j)
      lu.assertAlmostEquals(G:get(i, j), G:get(j, i), 1e-14)
      if i ~= j then lu.assertTrue(G:get(i, j) < 0) end
    end
    lu.assertAlmostEquals(s, 0, 1e-13)
  end
  -- order of Eq. (1): ~0.05-0.2 S for 20 nm Py at 5e6 S/m
  lu.assertTrue(G:get(1, 1) > 0.05 and G:get(1, 1) < 0.6)
end

function T.test_out_of_plane_m_gives_isotropic_result()
  local f, el = device(32, "disk")
  f:set_m(vortex)
  local Gsat = mh.amr.conductance_saturated(f, el)
  local Gv = mh.amr.conductance(f, el)
  f:set_uniform(0, 0, 1)
  local Gz = mh.amr.conductance(f, el)
  for i = 1, 4 do
    for j = 1, 4 do lu.assertAlmostEquals(Gz:get(i, j), Gsat:get(i, j), 1e-12) end
  end
  -- an in-plane texture lowers conduction (rho_par > rho_perp)
  lu.assertTrue(math.abs(Gv:get(1, 2)) < math.abs(Gz:get(1, 2)))
end

-- Long strip, end contacts: G = t w / (L rho(theta)), rho = rho_perp + (rho_par - rho_perp) cos^2.
local function strip_G(theta, ncells, solver)
  local w_cells, dx = 8, 10e-9
  local nx = ncells + 2
  local f = mh.film{nx = nx, ny = w_cells, nz = 1, dx = dx, dy = dx, dz = 20e-9}
  f:set_uniform(math.cos(theta), math.sin(theta), 0)
  local el = mh.electrodes.custom{{x = dx / 2, y = w_cells * dx / 2, w = dx, h = w_cells * dx},
                                  {x = nx * dx - dx / 2, y = w_cells * dx / 2, w = dx, h = w_cells * dx}}
  local a = 0.05
  local G = assert(mh.amr.conductance(f, el, {amr_ratio = a, solver = solver}))
  local info = mh.amr.solver(f, el, {amr_ratio = a}):info()
  local rpar, rperp = 1 / info.sigma_par, 1 / info.sigma_perp
  local rho = rperp + (rpar - rperp) * math.cos(theta) ^ 2
  local exact = 20e-9 * w_cells * dx / (ncells * dx * rho)
  return -G:get(1, 2), exact
end

function T.test_strip_amr_law_0_45_90_degrees()
  for _, deg in ipairs({0, 45, 90, 30}) do
    local g, exact = strip_G(math.rad(deg), 128)
    lu.assertTrue(rel(g, exact) < 5e-3, ("theta=%d: G=%g exact=%g"):format(deg, g, exact))
  end
  -- the 45-degree case differs from the isotropic one: cross terms matter
  local g0 = strip_G(0, 128)
  local g90 = strip_G(math.rad(90), 128)
  local g45 = strip_G(math.rad(45), 128)
  lu.assertTrue(g0 < g45 and g45 < g90)
  lu.assertTrue(rel(g45, 2 / (1 / g0 + 1 / g90)) < 1e-3) -- series mean of the resistivities
end

function T.test_mean_conductivity_convention()
  local f, el = device(16)
  local info = mh.amr.solver(f, el, {sigma0 = 5e6, amr_ratio = 0.04}):info()
  local sp, spar = info.sigma_perp, info.sigma_par
  lu.assertAlmostEquals(sp + (spar - sp) / 3, 5e6, 1e-6)
  local rpar, rperp = 1 / spar, 1 / sp
  lu.assertAlmostEquals(2 * (rpar - rperp) / (rpar + rperp), 0.04, 1e-12)
end

function T.test_multigrid_agrees_with_direct()
  local f, el = device(32, "disk")
  f:set_m(vortex)
  local G0 = mh.amr.conductance(f, el, {solver = "cholmod"})
  local G, rr = mh.amr.conductance(f, el, {solver = "mg", tol = 1e-11})
  lu.assertNotNil(G)
  lu.assertTrue(rr < 1e-9)
  for i = 1, 4 do
    for j = 1, 4 do lu.assertAlmostEquals(G:get(i, j), G0:get(i, j), 1e-8 * G0:get(1, 1)) end
  end
  H.raises("one of cholmod, mg", mh.amr.conductance, f, el, {solver = "jacobi"})
end

function T.test_non_converging_solve_returns_nil_and_residual()
  local f, el = device(32)
  local G, msg = mh.amr.conductance(f, el, {solver = "mg", maxit = 1, tol = 1e-14})
  lu.assertNil(G)
  lu.assertStrContains(msg, "residual")
end

function T.test_potential_maps_and_currents()
  local f, el = device(32)
  f:set_uniform(1, 0, 0)
  local r = assert(mh.amr.potential(f, el, {1, -1, 1, -1}))
  local G = mh.amr.conductance(f, el)
  local v = {1, -1, 1, -1}
  local sum = 0
  for i = 1, 4 do
    local gi = 0
    for j = 1, 4 do gi = gi + G:get(i, j) * v[j] end
    lu.assertAlmostEquals(r.I:get(i, 1), gi, 1e-12 * math.abs(gi) + 1e-15)
    sum = sum + r.I:get(i, 1)
  end
  lu.assertAlmostEquals(sum, 0, 1e-12)
  local nx, ny = r.phi:shape()
  lu.assertEquals(nx, 32)
  lu.assertTrue(r.J:norm_max() > 0)
  lu.assertTrue(math.abs(r.phi:get(1, 1)) <= 1 + 1e-12)
end

function T.test_multilayer_film_conducts_in_parallel_and_sees_depth()
  local function G_of(nz)
    local f = mh.film{nx = 24, ny = 24, nz = nz, dx = 20e-9, dy = 20e-9, dz = 20e-9 / nz, demag = false}
    f:set_m(function(x, y, z) return math.cos(2e7 * x), math.sin(2e7 * x), 0 end)
    local el = mh.electrodes.grid{cols = 2, rows = 2, pitch = 240e-9, size = 80e-9}
    return mh.amr.conductance(f, el), f, el
  end
  local G1 = G_of(1)
  local G2, f2, el2 = G_of(2)
  for i = 1, 4 do
    for j = 1, 4 do lu.assertAlmostEquals(G2:get(i, j), G1:get(i, j), 1e-12) end
  end
  -- the layer nearer the Au sheet sees the larger field
  local r = assert(mh.oersted.solve{film = f2, electrodes = el2, volts = "+-+-", offset = 40e-9})
  local _, hy1 = r.H:get(12, 12, 1)
  local _, hy2 = r.H:get(12, 12, 2)
  lu.assertTrue(math.abs(hy2) > math.abs(hy1))
end

-- --------------------------------------------------------------- Oersted

local function sheet_field(nx, ny, dx, fill)
  local K = mh.field(nx, ny, 1, 3)
  for j = 1, ny do
    for i = 1, nx do
      local kx, ky = fill(i, j)
      K:set(i, j, 1, kx, ky, 0)
    end
  end
  return K
end

function T.test_oersted_uniform_sheet_closed_form()
  local n, dx, d, K0 = 64, 10e-9, 5e-9, 100
  local K = sheet_field(n, n, dx, function() return K0, 0 end)
  local ok = pcall(mh.oersted.field, K, d)
  lu.assertFalse(ok) -- a Field without cell size is refused
  local f = mh.film{nx = n, ny = n, nz = 1, dx = dx, dy = dx, dz = 2e-9}
  local el = mh.electrodes.custom{{x = dx / 2, y = n * dx / 2, w = dx, h = n * dx},
                                  {x = n * dx - dx / 2, y = n * dx / 2, w = dx, h = n * dx}}
  local r = assert(mh.oersted.solve{film = f, electrodes = el, volts = {1, 0}, offset = d, footprint = "full"})
  -- a sheet current from the solver carries its cell size; overwrite it with a uniform one
  for j = 1, n do for i = 1, n do r.K:set(i, j, 1, K0, 0, 0) end end
  local Hf = mh.oersted.field(r.K, d)
  local hx, hy, hz = Hf:get(n // 2, n // 2, 1)
  -- exact field of a finite uniform rectangle at (x0, y0): sum of four corner solid angles
  local x0, y0, L = (n // 2 - 0.5) * dx, (n // 2 - 0.5) * dx, n * dx
  local ex = 0
  for _, a in ipairs({x0, L - x0}) do
    for _, b in ipairs({y0, L - y0}) do ex = ex + math.atan(a * b / (d * math.sqrt(a * a + b * b + d * d))) end
  end
  ex = ex * K0 / (4 * math.pi)
  lu.assertTrue(rel(hy, ex) < 1e-9, ("Hy=%g exact=%g"):format(hy, ex))
  lu.assertTrue(math.abs(hx) < 1e-9 * K0)
  lu.assertTrue(rel(hy, K0 / 2) < 0.03) -- the infinite-sheet limit K/2 (d << size)
  lu.assertTrue(math.abs(hz) < 0.01 * K0)
end

function T.test_oersted_long_strip_and_wire_limit()
  local nx, ny, dx, d, K0, w = 64, 512, 10e-9, 30e-9, 100, 16
  local f = mh.film{nx = nx, ny = ny, nz = 1, dx = dx, dy = dx, dz = 2e-9}
  local el = mh.electrodes.custom{{x = dx / 2, y = dx / 2, w = dx, h = dx},
                                  {x = nx * dx - dx / 2, y = dx / 2, w = dx, h = dx}}
  local K = assert(mh.oersted.solve{film = f, electrodes = el, volts = {1, 0}, offset = d, footprint = "full"}).K
  local i0 = nx // 2 - w // 2
  for j = 1, ny do
    for i = 1, nx do K:set(i, j, 1, 0, (i > i0 and i <= i0 + w) and K0 or 0, 0) end
  end
  local Hf = mh.oersted.field(K, d)
  local W = w * dx
  for i = i0 - w // 2, i0 + w + w // 2, 4 do
    local x = (i - 0.5) * dx - nx * dx / 2
    local an = -(K0 / (2 * math.pi)) * (math.atan((x + W / 2) / d) - math.atan((x - W / 2) / d))
    local hx = Hf:get(i, ny // 2, 1)
    lu.assertTrue(rel(hx, an) < 0.01, ("x=%g Hx=%g strip formula=%g"):format(x, hx, an))
  end
  -- straight-wire limit: a one-cell strip carrying I; |H| -> I/(2 pi r) far from it
  for j = 1, ny do for i = 1, nx do K:set(i, j, 1, 0, i == nx // 2 and K0 or 0, 0) end end
  Hf = mh.oersted.field(K, d)
  local I = K0 * dx
  for _, r_cells in ipairs({8, 16}) do
    local hx, _, hz = Hf:get(nx // 2 + r_cells, ny // 2, 1)
    local r = math.sqrt((r_cells * dx) ^ 2 + d * d)
    local half = ny * dx / 2 -- finite length correction of a segment seen from its middle
    local wire = I / (2 * math.pi * r) * half / math.sqrt(half * half + r * r)
    lu.assertTrue(rel(math.sqrt(hx * hx + hz * hz), wire) < 0.01)
    lu.assertTrue(rel(math.sqrt(hx * hx + hz * hz), I / (2 * math.pi * r)) < 0.02)
  end
end

function T.test_oersted_solve_currents_and_calibration()
  local f, el = device(32)
  local r = assert(mh.oersted.solve{film = f, electrodes = el, volts = {1, -1, 1, -1}})
  local s = 0
  for k = 1, 4 do s = s + r.I:get(k, 1) end
  lu.assertAlmostEquals(s, 0, 1e-12 * math.abs(r.I:get(1, 1)))
  lu.assertAlmostEquals(r.I:get(1, 1), -r.I:get(2, 1), 1e-9 * math.abs(r.I:get(1, 1)))
  lu.assertEquals(select(3, r.H:shape()), 1)
  f:set_field_map(r.H) -- ready for the film
  -- target peak |H| (20 Oe) by linear scaling
  local t = assert(mh.oersted.solve{film = f, electrodes = el, volts = "++--", target_peak_H = 1591.5})
  lu.assertAlmostEquals(t.H:norm_max(), 1591.5, 1e-6)
  -- the scaling is linear: every output is the unscaled one times scale
  local u = assert(mh.oersted.solve{film = f, electrodes = el, volts = "++--"})
  lu.assertAlmostEquals(t.scale, 1591.5 / u.peak_H, 1e-12 * t.scale)
  for k = 1, 4 do
    lu.assertAlmostEquals(t.I:get(k, 1), t.scale * u.I:get(k, 1), 1e-12 * math.abs(t.I:get(k, 1)))
    lu.assertAlmostEquals(t.pad_volts:get(k, 1), t.scale * u.pad_volts:get(k, 1), 1e-12 * t.scale)
  end
  lu.assertAlmostEquals(t.K:norm_max(), t.scale * u.K:norm_max(), 1e-9 * t.K:norm_max())
  -- series resistance: the pads see Vapp - R I
  local R = 2.0
  local sr = assert(mh.oersted.solve{film = f, electrodes = el, volts = {1, -1, 1, -1}, series_resistance = R})
  for k = 1, 4 do
    lu.assertAlmostEquals(sr.pad_volts:get(k, 1), ({1, -1, 1, -1})[k] - R * sr.I:get(k, 1), 1e-9)
  end
  lu.assertTrue(math.abs(sr.I:get(1, 1)) < math.abs(r.I:get(1, 1)))
  -- an Au footprint given as a mask: only the top half carries current
  local nx0 = select(1, f:shape())
  local fp = mh.field(nx0, nx0, 1, 1)
  for j = nx0 // 2 + 1, nx0 do for i = 1, nx0 do fp:set(i, j, 1, 1) end end
  local el2 = mh.electrodes.custom{{x = 100e-9, y = 500e-9, w = 60e-9, h = 60e-9}, {x = 540e-9, y = 500e-9, w = 60e-9, h = 60e-9}}
  local rf = assert(mh.oersted.solve{film = f, electrodes = el2, volts = {1, 0}, footprint = fp})
  local kx_low, ky_low = rf.K:get(16, 4, 1)
  lu.assertEquals(kx_low * kx_low + ky_low * ky_low, 0)
  lu.assertTrue(math.abs(rf.K:get(16, 25, 1)) > 0)
  H.raises("footprint Field must be", mh.oersted.solve, {film = f, electrodes = el2, volts = {1, 0}, footprint = mh.field(4, 4, 1, 1)})
  -- a sheet current between end contacts of a uniform strip: K = sigma t V / L
  local nx, dx = 40, 10e-9
  local fs = mh.film{nx = nx, ny = 6, nz = 1, dx = dx, dy = dx, dz = 5e-9}
  local es = mh.electrodes.custom{{x = dx / 2, y = 30e-9, w = dx, h = 60e-9}, {x = nx * dx - dx / 2, y = 30e-9, w = dx, h = 60e-9}}
  local rs = assert(mh.oersted.solve{film = fs, electrodes = es, volts = {1, 0}, sigma = 4e7, thickness = 50e-9})
  local kx = rs.K:get(nx // 2, 3, 1)
  lu.assertAlmostEquals(kx, 4e7 * 50e-9 / ((nx - 2) * dx), 1e-9 * kx)
end

-- ------------------------------------------------------ measurement twin

function T.test_seven_wirings_reconstruct_G_and_predict_the_seventh()
  local f, el = device(32, "disk")
  f:set_m(vortex)
  local m = assert(mh.amr.measure_all(f, el))
  lu.assertEquals(#m.measurements, 7)
  lu.assertTrue(m.residual < 1e-8)
  for i = 1, 4 do
    for j = 1, 4 do lu.assertAlmostEquals(m.G:get(i, j), m.G_direct:get(i, j), 1e-9) end
  end
  -- with 0.3 % measurement noise the held-out wiring is still predicted within 2 %
  local mn = assert(mh.amr.measure_all(f, el, {noise = 0.003, seed = 7}))
  lu.assertTrue(mn.residual < 0.02)
  -- the noise is seeded: the same seed repeats every reading, another changes them
  local mn2 = assert(mh.amr.measure_all(f, el, {noise = 0.003, seed = 7}))
  local mn3 = assert(mh.amr.measure_all(f, el, {noise = 0.003, seed = 8}))
  for k = 1, 7 do
    lu.assertEquals(mn2.measurements[k].V, mn.measurements[k].V)
    lu.assertNotEquals(mn3.measurements[k].V, mn.measurements[k].V)
    lu.assertTrue(math.abs(mn.measurements[k].V / m.measurements[k].V - 1) < 0.02)
  end
  -- single wiring: I / V is the cut conductance
  local w = assert(mh.amr.measure(f, el, "++--"))
  local g = -(m.G_direct:get(1, 3) + m.G_direct:get(1, 4) + m.G_direct:get(2, 3) + m.G_direct:get(2, 4))
  lu.assertAlmostEquals(w.g, g, 1e-10)
end

-- ------------------------------------------------------------- inference

-- The physical inference and the network's recall share one path: with the
-- same seed, async recall on the film (pad currents) and on the equivalent
-- weights visit the same nodes and end in the same state after the same
-- number of sweeps, converged only after a full sweep without a flip.
function T.test_async_physical_recall_equals_weight_recall()
  local f = mh.film{nx = 48, ny = 48, nz = 1, dx = 20e-9, dz = 20e-9, shape = "disk"}
  f:set_m(vortex)
  local el = mh.electrodes.grid{cols = 3, rows = 3, pitch = 260e-9, size = 80e-9}
  local net = mh.hopfield.new(mh.amr.weights(f, el))
  local starts = {"+-++--++-", "---++-+-+", "+++++----", "-+-+-+-+-"}
  for seed, label in ipairs(starts) do
    local s0 = mh.hopfield.parse(label)
    local sp, swp, info = mh.amr.infer(f, el, s0, {mode = "async", seed = seed})
    local sw, sww, conv = net:recall(s0, {mode = "async", seed = seed})
    lu.assertEquals(sp, sw, label)
    lu.assertEquals(swp, sww, label)
    lu.assertEquals(info.converged, conv)
    lu.assertTrue(conv)
    lu.assertEquals(info.updates, 9 * swp) -- every sweep measures every node
  end
end

-- The progress of the physical inference: a function option sees every
-- node decision as (sweep, node, N), node running 1..N in each sweep; the
-- terminal line is forced on with progress = true; false keeps it silent.
function T.test_inference_progress()
  local f, el = device(32, "disk")
  f:set_m(vortex)
  local calls = {}
  local s, sweeps, info = mh.amr.infer(f, el, "+--+", {mode = "async", seed = 2,
    progress = function(sweep, node, N) calls[#calls + 1] = {sweep, node, N} end})
  lu.assertNotNil(s)
  lu.assertEquals(#calls, info.updates)
  lu.assertEquals(#calls, 4 * sweeps)
  for k, c in ipairs(calls) do lu.assertEquals(c, {(k - 1) // 4 + 1, (k - 1) % 4 + 1, 4}) end
  H.raises("option 'progress' must be a boolean or a function", mh.amr.infer, f, el, "+--+", {progress = "yes"})
  -- a failed solve on the twin's physical path is named as such (it used to
  -- surface as a bad state for as_state)
  local infer = mh.amr.infer
  mh.amr.infer = function() return nil, "no convergence in 0 iterations" end
  local d0 = mh.twin.new{nodes = 4, preset = "full", cell = 50e-9, init = false}
  local ok, err = pcall(d0.recall, d0, "+--+", {physical = true})
  mh.amr.infer = infer
  lu.assertFalse(ok)
  lu.assertStrContains(err, "twin:recall: AMR solve failed: no convergence in 0 iterations")
  -- the same through the twin (physical path)
  local dev = mh.twin.new{nodes = 4, preset = "full", cell = 50e-9, init = false}
  local n = 0
  dev:recall("+--+", {physical = true, progress = function() n = n + 1 end})
  lu.assertTrue(n >= 4)
  -- an error of the progress function is the caller's bug, not a failed
  -- solve: it is raised as it was, through the inference and the twin
  local function broken() error("progress broke", 0) end
  for _, call in ipairs {function() return mh.amr.infer(f, el, "+--+", {progress = broken}) end,
                         function() return dev:recall("+--+", {physical = true, progress = broken}) end} do
    local ok, err = pcall(call)
    lu.assertFalse(ok)
    lu.assertEquals(err, "progress broke")
  end
end

function T.test_inference_matches_equivalent_weights()
  local f, el = device(32, "disk")
  f:set_m(vortex)
  local w = mh.amr.weights(f, el)
  local s0 = {1, -1, -1, 1}
  local s1, sweeps, info = mh.amr.infer(f, el, s0, {mode = "sync", max_sweeps = 1})
  lu.assertEquals(sweeps, 1)
  for i = 1, 4 do
    local h = 0
    for j = 1, 4 do if j ~= i then h = h + w:get(i, j) * s0[j] end end
    lu.assertEquals(s1[i], h > 0 and 1 or -1)
  end
  local sa, swa, ia = mh.amr.infer(f, el, s0, {mode = "async", seed = 5})
  lu.assertTrue(ia.converged)
  lu.assertTrue(swa >= 1)
  -- the async end state is a fixed point of the same rule
  for i = 1, 4 do
    local h = 0
    for j = 1, 4 do if j ~= i then h = h + w:get(i, j) * sa[j] end end
    if h ~= 0 then lu.assertEquals(sa[i], h > 0 and 1 or -1) end
  end
  lu.assertNotNil(info.history)
end

-- ------------------------------------------------------------- bad input

function T.test_bad_input_raises_naming_the_argument()
  local f, el = device(32)
  local function pads(list) return mh.electrodes.custom(list) end
  H.raises("outside the film", mh.amr.conductance, f, pads{{x = 10e-9, y = 10e-9, w = 100e-9, h = 50e-9},
                                                           {x = 300e-9, y = 300e-9, w = 50e-9, h = 50e-9}})
  H.raises("overlap", mh.amr.conductance, f, pads{{x = 100e-9, y = 100e-9, w = 100e-9, h = 100e-9},
                                                  {x = 150e-9, y = 150e-9, w = 100e-9, h = 100e-9}})
  local fd = device(32, "disk")
  H.raises("outside the film's mask", mh.amr.conductance, fd, pads{{x = 20e-9, y = 20e-9, w = 30e-9, h = 30e-9},
                                                                  {x = 320e-9, y = 320e-9, w = 50e-9, h = 50e-9}})
  H.raises("thickness", mh.amr.conductance, f, el, {thickness = 0})
  H.raises("sigma0", mh.amr.conductance, f, el, {sigma0 = -1})
  H.raises("amr_ratio", mh.amr.conductance, f, el, {amr_ratio = 1.5})
  H.raises("unknown option 'amr_ration'", mh.amr.conductance, f, el, {amr_ration = 0.1})
  H.raises("unknown option", mh.amr.infer, f, el, {1, 1, -1, -1}, {sweeps = 3})
  H.raises("volts[2]", mh.amr.potential, f, el, {1, 0 / 0, 0, 0})
  H.raises("volts", mh.oersted.solve, {film = f, electrodes = el, volts = {1, 0 / 0, 0, 0}})
  H.raises("need 4 values", mh.oersted.solve, {film = f, electrodes = el, volts = {1, 0}})
  H.raises("sigma", mh.oersted.solve, {film = f, electrodes = el, volts = {1, 0, 0, 0}, sigma = 0})
  H.raises("thickness", mh.oersted.solve, {film = f, electrodes = el, volts = {1, 0, 0, 0}, thickness = -1})
  H.raises("electrodes", mh.amr.conductance, f, {})
  H.raises("unknown option", mh.oersted.solve, {film = f, electrodes = el, volts = {1, 0, 0, 0}, sigm = 1})
  H.raises("pitch", mh.electrodes.grid, {cols = 2, rows = 2, size = 1e-7})
  -- a grid too large for the film
  H.raises("outside the film", mh.amr.conductance, f, mh.electrodes.grid{cols = 2, rows = 2, pitch = 600e-9, size = 100e-9})
  local flat, msg = mh.oersted.solve{film = f, electrodes = el, volts = {1, 1, 1, 1}, target_peak_H = 100}
  lu.assertNil(flat)
  lu.assertStrContains(msg, "no current")
end

return {TestTransport = T}
