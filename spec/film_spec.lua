-- Micromagnetic engine: field terms against finite differences of
-- their energies, integrator invariants and order, relax, demag factors,
-- thermal equipartition, errors, and a small standard-problem-4 run.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}
local MU0 = 1.25663706212e-6

-- Smoothly varying, non-uniform unit field on cell centres.
local function wavy(x, y, z)
  return math.cos(3e8 * x + 1e8 * z), math.sin(2e8 * y) + 0.3, 0.5 * math.cos(1e8 * (x - y))
end

-- Check H = -(1/(mu0 Ms V)) dE/dm along both tangent directions of a few
-- cells: E(normalize(m_c + e t)) by central differences (normalization only
-- changes E at second order, so the test covers the constrained energy).
local function check_fd(opts, prep, tolrel)
  local f = mh.film(opts)
  f:set_m(wavy)
  if prep then prep(f) end
  local nx, ny, nz, dx, dy, dz = f:shape()
  local V, Ms = dx * dy * dz, opts.Ms or 8e5
  local m0 = f:m()
  local Hf = f:field()
  local eps = 1e-5
  local worst, scale = 0, 0
  local cells = {{1, 1, 1}, {2, 2, 1}, {nx, ny, nz}, {math.max(1, nx - 1), 1, nz}}
  for _, ijk in ipairs(cells) do
    local i, j, k = ijk[1], ijk[2], ijk[3]
    local mx, my, mz = m0:get(i, j, k)
    if mx * mx + my * my + mz * mz > 0 then
      -- two tangents t1, t2 orthogonal to m
      local ax, ay, az = 0.3, 0.5, 0.8
      local t1 = {my * az - mz * ay, mz * ax - mx * az, mx * ay - my * ax}
      local r = math.sqrt(t1[1] ^ 2 + t1[2] ^ 2 + t1[3] ^ 2)
      t1 = {t1[1] / r, t1[2] / r, t1[3] / r}
      local t2 = {my * t1[3] - mz * t1[2], mz * t1[1] - mx * t1[3], mx * t1[2] - my * t1[1]}
      for _, t in ipairs({t1, t2}) do
        local function E_at(s)
          local g = f:m()
          g:set(i, j, k, mx + s * t[1], my + s * t[2], mz + s * t[3])
          f:set_m_field(g)
          return (f:energy())
        end
        local dE = (E_at(eps) - E_at(-eps)) / (2 * eps)
        f:set_m_field(m0)
        local hx, hy, hz = Hf:get(i, j, k)
        local Ht = hx * t[1] + hy * t[2] + hz * t[3]
        local Hfd = -dE / (MU0 * Ms * V)
        worst = math.max(worst, math.abs(Ht - Hfd))
        scale = math.max(scale, math.sqrt(hx * hx + hy * hy + hz * hz))
      end
    end
  end
  lu.assertTrue(scale > 0)
  lu.assertTrue(worst <= tolrel * scale, ("FD mismatch %g vs field scale %g"):format(worst, scale))
end

function T.test_exchange_field_is_energy_gradient()
  check_fd({nx = 6, ny = 5, nz = 3, dx = 2e-9, dy = 3e-9, dz = 1.5e-9, demag = false, A = 1.3e-11}, nil, 1e-6)
  -- irregular mask: free boundaries at the mask edge
  check_fd({nx = 7, ny = 7, nz = 1, dx = 3e-9, demag = false, shape = "disk"}, nil, 1e-6)
end

function T.test_anisotropy_field_is_energy_gradient()
  check_fd({nx = 3, ny = 2, dx = 4e-9, A = 0, Ku = 5e4, anis_axis = {1, 2, 0.5}, demag = false}, nil, 1e-6)
  check_fd({nx = 3, ny = 2, dx = 4e-9, A = 0, Ku = -3e4, anis_axis = {0, 0, 1}, demag = false}, nil, 1e-6)
end

function T.test_zeeman_field_is_energy_gradient()
  check_fd({nx = 4, ny = 3, dx = 4e-9, A = 0, demag = false}, function(f)
    f:set_field{1e4, -2e4, 3e3}
    local map = mh.field(4, 3, 1, 3)
    for i = 1, 4 do for j = 1, 3 do map:set(i, j, 1, 1e3 * i, -500 * j, 200 * i * j) end end
    f:set_field_map(map)
  end, 1e-6)
end

function T.test_demag_field_is_energy_gradient()
  check_fd({nx = 5, ny = 4, nz = 2, dx = 3e-9, dy = 4e-9, dz = 2e-9, A = 0, demag = true}, nil, 1e-5)
end

function T.test_demag_factors_cube_and_thin_film()
  local Ms = 8e5
  local cube = mh.film{nx = 1, ny = 1, dx = 5e-9, Ms = Ms, demag = true}
  for q, dir in ipairs({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}) do
    cube:set_uniform(dir[1], dir[2], dir[3])
    local h = {cube:field():get(1, 1)}
    lu.assertAlmostEquals(-h[q] / Ms, 1 / 3, 1e-9)
  end
  -- a cube made of 4x4x4 cells: average factors still 1/3 each
  local big = mh.film{nx = 4, ny = 4, nz = 4, dx = 2e-9, Ms = Ms, demag = true, A = 0}
  big:set_uniform(0, 0, 1)
  local _, _, hz = big:field():avg()
  lu.assertAlmostEquals(-hz / Ms, 1 / 3, 1e-6)
  -- thin film 64x64 cells of 5 nm, 1 nm thick: Nzz -> 1, in-plane -> 0
  local film = mh.film{nx = 64, ny = 64, dx = 5e-9, dz = 1e-9, Ms = Ms, demag = true, A = 0}
  film:set_uniform(0, 0, 1)
  local _, _, hz2 = film:field():avg()
  film:set_uniform(1, 0, 0)
  local hx2 = film:field():avg()
  lu.assertTrue(-hz2 / Ms > 0.98 and -hz2 / Ms < 1.0)
  lu.assertTrue(-hx2 / Ms < 0.01)
end

-- Closed form of a damped macrospin in a field H along +z, polar angle
-- theta0 from +z at t = 0 and azimuth 0.
local function macrospin_exact(th0, alpha, gamma, Hz, t)
  local g = gamma / (1 + alpha * alpha)
  local th = 2 * math.atan(math.tan(th0 / 2) * math.exp(-alpha * g * Hz * t))
  local ph = g * Hz * t
  return math.sin(th) * math.cos(ph), math.sin(th) * math.sin(ph), math.cos(th)
end

local function macrospin(alpha)
  local f = mh.film{nx = 1, ny = 1, dx = 5e-9, demag = false, alpha = alpha}
  f:set_uniform(math.sin(1.0), 0, math.cos(1.0))
  f:set_field{0, 0, 1e5}
  return f
end

function T.test_rk45_fifth_order_macrospin()
  local tend, err = 2e-10, {}
  for q, dt in ipairs({4e-12, 2e-12, 1e-12}) do
    local f = macrospin(0.1)
    f:run(tend, {solver = "rk45", dt = dt, adaptive = false})
    local ex, ey, ez = macrospin_exact(1.0, 0.1, 2.211e5, 1e5, tend)
    local mx, my, mz = f:avg()
    err[q] = math.sqrt((mx - ex) ^ 2 + (my - ey) ^ 2 + (mz - ez) ^ 2)
  end
  local p1, p2 = math.log(err[1] / err[2], 2), math.log(err[2] / err[3], 2)
  lu.assertTrue(p1 > 4.6 and p1 < 5.6, "order " .. p1)
  lu.assertTrue(p2 > 4.6 and p2 < 5.6, "order " .. p2)
end

function T.test_rk4_heun_orders_and_adaptive_accuracy()
  local function errfor(solver, dt)
    local f = macrospin(0.1)
    f:run(1e-10, {solver = solver, dt = dt})
    local ex, ey, ez = macrospin_exact(1.0, 0.1, 2.211e5, 1e5, 1e-10)
    local mx, my, mz = f:avg()
    return math.sqrt((mx - ex) ^ 2 + (my - ey) ^ 2 + (mz - ez) ^ 2)
  end
  local r4 = math.log(errfor("rk4", 2e-12) / errfor("rk4", 1e-12), 2)
  local r2 = math.log(errfor("heun", 2e-13) / errfor("heun", 1e-13), 2)
  lu.assertTrue(r4 > 3.6 and r4 < 4.6, "rk4 order " .. r4)
  lu.assertTrue(r2 > 1.7 and r2 < 2.4, "heun order " .. r2)
  local f = macrospin(0.1)
  local steps, rej = f:run(1e-10, {tol = 1e-7})
  local ex, ey, ez = macrospin_exact(1.0, 0.1, 2.211e5, 1e5, 1e-10)
  local mx, my, mz = f:avg()
  lu.assertTrue(math.abs(mx - ex) + math.abs(my - ey) + math.abs(mz - ez) < 1e-5)
  lu.assertTrue(steps > 0 and rej >= 0)
  lu.assertAlmostEquals(f:time(), 1e-10, 1e-22)
end

function T.test_alpha0_conserves_norm_and_energy()
  local f = mh.film{nx = 1, ny = 1, dx = 5e-9, demag = false, alpha = 0, Ku = 4e4, anis_axis = {1, 1, 0}}
  f:set_uniform(0.2, 0.5, 0.8)
  f:set_field{2e4, 0, 3e4}
  local E0 = f:energy()
  f:run(1e-9, {tol = 1e-10})
  local E1 = f:energy()
  local mx, my, mz = f:avg()
  lu.assertAlmostEquals(mx * mx + my * my + mz * mz, 1, 1e-14)
  lu.assertTrue(math.abs(E1 - E0) < 1e-6 * math.abs(E0), ("E drift %g of %g"):format(E1 - E0, E0))
end

function T.test_norm_kept_on_grid()
  local f = mh.film{nx = 12, ny = 8, dx = 4e-9, dz = 3e-9, demag = false, shape = "disk", Ku = -2e4}
  f:set_random(7)
  f:set_field{1e4, 5e3, 0}
  f:run(5e-11, {solver = "rk45"})
  local t = f:m():totable()
  local mask = f:mask():totable()[1]
  for c = 1, #t[1] do
    local r = math.sqrt(t[1][c] ^ 2 + t[2][c] ^ 2 + t[3][c] ^ 2)
    if mask[c] == 1 then lu.assertAlmostEquals(r, 1, 1e-12) else lu.assertEquals(r, 0) end
  end
end

function T.test_relax_reaches_threshold_and_minimize()
  local f = mh.film{nx = 16, ny = 8, dx = 5e-9, dz = 3e-9, demag = false, Ku = 1e4, anis_axis = {1, 0, 0}}
  f:set_random(3)
  f:set_field{0, 5e4, 0}
  local steps, tq = f:relax{torque = 1.0}
  lu.assertTrue(steps > 0)
  lu.assertTrue(tq <= 1.0)
  lu.assertTrue(f:max_torque() <= 1.0)
  lu.assertEquals(f:time(), 0) -- relax does not advance time
  f:set_random(4)
  local E0 = f:energy()
  local it, tq2 = f:minimize{torque = 0.5}
  lu.assertTrue(it > 0 and tq2 <= 0.5 and f:max_torque() <= 0.5)
  lu.assertTrue(f:energy() < E0)
  -- a budget too small reports nil, message (not an error)
  f:set_random(5)
  local r, msg = f:relax{torque = 1e-3, max_steps = 2}
  lu.assertNil(r)
  lu.assertStrContains(msg, "relax")
end

-- Equipartition: a cell with strong easy-axis anisotropy has
-- <mx^2> = <my^2> = kB T / (2 Ku V) in the small-angle limit.
function T.test_thermal_equipartition_and_determinism()
  local Ku, V, Tk = 5e5, (4e-9) ^ 3, 300
  local function sample(seed)
    local f = mh.film{nx = 1, ny = 1, dx = 4e-9, A = 0, demag = false, Ku = Ku, anis_axis = {0, 0, 1},
                      alpha = 1, temperature = Tk, seed = seed}
    f:set_uniform(0, 0, 1)
    f:run(2e-10, {solver = "heun", dt = 5e-14})
    local s, n = 0, 0
    f:run(8e-9, {solver = "heun", dt = 5e-14, every = 5e-12, on_step = function(ff)
      local mx, my = ff:avg()
      s, n = s + mx * mx + my * my, n + 1
    end})
    return s / (2 * n), f
  end
  local v, f1 = sample(11)
  -- Boltzmann average of sin^2(theta)/2 for E = Ku V sin^2(theta), by quadrature
  local a, num, den = Ku * V / (1.380649e-23 * Tk), 0, 0
  for q = 1, 20000 do
    local th = (q - 0.5) * math.pi / 20000
    local s = math.sin(th)
    local w = s * math.exp(-a * s * s)
    num, den = num + w * s * s, den + w
  end
  local expect = num / (2 * den)
  lu.assertTrue(math.abs(v / expect - 1) < 0.1, ("<mx^2> %g expected %g"):format(v, expect))
  local _, f2 = sample(11)
  lu.assertEquals({f1:avg()}, {f2:avg()})
end

-- The run loop's output schedule (csrc/core/mm/run.c): outputs land on
-- multiples of every and at the end, max_steps caps the steps, and an
-- on_step error surfaces with the table file closed and complete so far.
function T.test_run_output_schedule()
  local f = macrospin(0.1)
  local ts = {}
  local function record(_, t) ts[#ts + 1] = t end
  f:run(1e-11, {every = 3e-12, on_step = record})
  lu.assertEquals(#ts, 4)
  for k, want in ipairs{3e-12, 6e-12, 9e-12, 1e-11} do lu.assertAlmostEquals(ts[k], want, 1e-24) end
  ts = {}
  f:run(2e-12, {every = 5e-12, on_step = record}) -- interval longer than the run
  lu.assertEquals(#ts, 1)
  lu.assertAlmostEquals(ts[1], 1.2e-11, 1e-24)
  -- cut short by max_steps: not a success (nil, message), the state stays where it got
  local steps, msg = f:run(1e-9, {solver = "heun", dt = 1e-13, max_steps = 7})
  lu.assertNil(steps)
  lu.assertStrContains(msg, "max_steps = 7 reached")
  lu.assertAlmostEquals(f:time(), 1.27e-11, 1e-22)
  local path = os.tmpname()
  H.raises("stop here", f.run, f, 1e-11, {table = path, every = 5e-12,
                                           on_step = function() error("stop here") end})
  local lines = {}
  for line in io.lines(path) do lines[#lines + 1] = line end
  os.remove(path)
  lu.assertEquals(#lines, 3) -- header, start state, first output
  lu.assertAlmostEquals(tonumber(lines[3]:match("^(%S+)")), 1.77e-11, 1e-22)
end

function T.test_field_fn_table_and_on_step()
  local f = macrospin(0.1)
  local path = os.tmpname()
  local calls = 0
  f:set_field{0, 0, 0}
  local steps = f:run(5e-11, {field_fn = function(t) return 0, 0, 1e5 end, table = path, every = 1e-11,
                              on_step = function() calls = calls + 1 end})
  lu.assertEquals(calls, 5)
  lu.assertTrue(steps >= 5)
  local ex, ey, ez = macrospin_exact(1.0, 0.1, 2.211e5, 1e5, 5e-11)
  local mx, my, mz = f:avg()
  lu.assertTrue(math.abs(mx - ex) + math.abs(my - ey) + math.abs(mz - ez) < 1e-4)
  local lines = {}
  for line in io.lines(path) do lines[#lines + 1] = line end
  os.remove(path)
  lu.assertEquals(#lines, 7)
  lu.assertStrContains(lines[1], "max_torque")
  lu.assertAlmostEquals(tonumber(lines[7]:match("^(%S+)")), 5e-11, 1e-20)
  -- on_step returning false stops the run early
  local g = macrospin(0.1)
  g:run(1e-10, {every = 1e-11, on_step = function(_, t) return t < 3e-11 - 1e-20 end})
  lu.assertAlmostEquals(g:time(), 3e-11, 1e-20)
  -- callback errors surface as Lua errors
  H.raises("boom", function() g:run(1e-11, {field_fn = function() error("boom") end}) end)
  H.raises("three finite numbers", function() g:run(1e-11, {field_fn = function() return 0 / 0, 0, 0 end}) end)
end

function T.test_ovf_round_trip()
  local f = mh.film{nx = 5, ny = 4, nz = 2, dx = 3e-9, demag = false}
  f:set_random(9)
  local path = os.tmpname()
  local ok, err = f:save_ovf(path, {format = "binary8"})
  lu.assertTrue(ok, err)
  local g = mh.film{nx = 5, ny = 4, nz = 2, dx = 3e-9, demag = false}
  lu.assertTrue(g:load_ovf(path))
  os.remove(path)
  lu.assertEquals(g:m():totable(), f:m():totable())
  local h = mh.film{nx = 4, ny = 4, nz = 2, dx = 3e-9, demag = false}
  f:save_ovf(path, {format = "text"})
  local r, msg = h:load_ovf(path)
  os.remove(path)
  lu.assertNil(r)
  lu.assertStrContains(msg, "4x4x2")
  local r2, msg2 = h:load_ovf("/nonexistent/x.ovf")
  lu.assertNil(r2)
  lu.assertStrContains(msg2, "load_ovf")
end

-- The OOMMF-written SP4 start state (read from ../shared, never copied here).
function T.test_load_oommf_sp4_start_state()
  local path = "../shared/data/stdprob4/stdprob4-cs2.50x2.50x3.00-start.omf"
  if not mh.io.exists(path) then lu.skip("SP4 start state not present at " .. path) end
  local f = mh.film{nx = 200, ny = 50, dx = 2.5e-9, dz = 3e-9, demag = false}
  local ok, err = f:load_ovf(path)
  lu.assertTrue(ok, err)
  local mx, my, mz = f:avg()
  lu.assertTrue(mx > 0.96 and mx < 0.97 and my > 0.12 and my < 0.13 and math.abs(mz) < 1e-3,
                ("S-state <m> = %g %g %g"):format(mx, my, mz))
  local r, msg = mh.film{nx = 100, ny = 25, dx = 5e-9, dz = 3e-9, demag = false}:load_ovf(path)
  lu.assertNil(r)
  lu.assertStrContains(msg, "200x50x1")
end

function T.test_bad_inputs_name_the_option()
  H.raises("'nx' and 'ny' are required", mh.film, {ny = 2, dx = 1e-9})
  H.raises("option 'dx'", mh.film, {nx = 2, ny = 2, dx = -1e-9})
  H.raises("option 'Ms': finite number expected, got", mh.film, {nx = 2, ny = 2, dx = 1e-9, Ms = 0 / 0})
  H.raises("option 'Ms'", mh.film, {nx = 2, ny = 2, dx = 1e-9, Ms = 0})
  H.raises("option 'alpha'", mh.film, {nx = 2, ny = 2, dx = 1e-9, alpha = -1})
  H.raises("option 'nz'", mh.film, {nx = 2, ny = 2, nz = 1.5, dx = 1e-9})
  H.raises("unknown option 'Aex'", mh.film, {nx = 2, ny = 2, dx = 1e-9, Aex = 1})
  H.raises("option 'shape'", mh.film, {nx = 2, ny = 2, dx = 1e-9, shape = "hexagon"})
  H.raises("option 'anis_axis'", mh.film, {nx = 2, ny = 2, dx = 1e-9, anis_axis = {0, 0, 0}})
  H.raises("option 'temperature'", mh.film, {nx = 2, ny = 2, dx = 1e-9, temperature = -3})
  local f = mh.film{nx = 2, ny = 2, dx = 1e-9, demag = false}
  H.raises("option 'solver'", f.run, f, 1e-12, {solver = "euler"})
  H.raises("needs option 'dt'", f.run, f, 1e-12, {solver = "rk4"})
  H.raises("option 'tol'", f.run, f, 1e-12, {tol = 5})
  H.raises("unknown option 'step'", f.run, f, 1e-12, {step = 1})
  H.raises("duration", f.run, f, -1)
  H.raises("nonzero", f.set_uniform, f, 0, 0, 0)
  H.raises("field map must be 2x2x1", f.set_field_map, f, mh.field(3, 2, 1, 3))
  H.raises("option 'torque'", f.relax, f, {torque = -1})
  H.raises("outside 1..2", function() f:m():get(3, 1) end)
  local g = mh.film{nx = 1, ny = 1, dx = 1e-9, demag = false, temperature = 10}
  H.raises("fixed-step solver", g.run, g, 1e-12, {})
end

function T.test_film_and_field_objects()
  local f = mh.film{nx = 3, ny = 2, nz = 1, dx = 2e-9, demag = false, shape = "disk"}
  lu.assertStrContains(tostring(f), "Film 3x2x1")
  local m = f:m()
  lu.assertEquals(tostring(m), "Field 3x2x1 (3 comps)")
  lu.assertEquals(#m, 6)
  lu.assertEquals({m:shape()}, {3, 2, 1, 3})
  lu.assertAlmostEquals(m:norm_max(), 1, 1e-15)
  f:set_m(function(x, y, z) return 0, 0, 2 end)
  lu.assertEquals({f:avg()}, {0, 0, 1})
  f:close()
  f:close() -- idempotent
  H.raises("closed", f.avg, f)
  local mask = mh.field(4, 4, 1, 1)
  mask:set(2, 3, 1, 1)
  local g = mh.film{nx = 4, ny = 4, dx = 2e-9, demag = false, shape = mask}
  lu.assertEquals(select(7, g:shape()), 1)
  lu.assertEquals({g:m():get(1, 1)}, {0, 0, 0})
  lu.assertEquals({g:m():get(2, 3)}, {1, 0, 0})
end

-- Same input, 1 or 2 threads: bit-identical state (tiles are reduced in a
-- fixed order whatever thread ran them).
function T.test_thread_count_does_not_change_results()
  local host = dofile("spec/helpers.lua").host()
  local script = os.tmpname()
  local fh = assert(io.open(script, "w"))
  fh:write([[
    local mh = require "maghop"
    local f = mh.film{nx = 64, ny = 48, dx = 4e-9, dz = 3e-9, demag = true, Ku = 1e3}
    f:set_random(5)
    f:set_field{1e4, 2e3, 0}
    f:run(5e-12, {})
    local E = f:energy()
    local t = f:m():totable()
    local h = 0
    for q = 1, 3 do for c = 1, #t[q] do h = (h * 31 + math.floor(t[q][c] * 2^40)) % 2^50 end end
    local _, Ed = mh.demag.field(f:m(), 8e5)
    -- a grid whose x transforms are threaded FFTW plans (>= 2^17 padded
    -- cells), one plan per team size
    local g = mh.film{nx = 256, ny = 256, dx = 5e-9, dz = 3e-9}
    g:set_random(3)
    g:run(3e-13, {solver = "rk4", dt = 1e-13})
    local tg, hg = g:m():totable(), 0
    for q = 1, 3 do for c = 1, #tg[q], 7 do hg = (hg * 31 + math.floor(tg[q][c] * 2^40)) % 2^50 end end
    io.write(("%a %a %d %a %d %a"):format(E, f:max_torque(), h, Ed, hg, g:energy()))
  ]])
  fh:close()
  local function run(env)
    local p = io.popen(("env %s %s %s"):format(env, host, script))
    local out = p:read("a")
    p:close()
    return out
  end
  -- fixed teams of 1 and 2, the default team fitted to the free CPUs, all cores
  local a, b = run("OMP_NUM_THREADS=1"), run("OMP_NUM_THREADS=2")
  local c, d = run("-u OMP_NUM_THREADS -u MAGHOP_THREADS"), run("-u OMP_NUM_THREADS MAGHOP_THREADS=fixed")
  os.remove(script)
  lu.assertTrue(#a > 10, "child produced: " .. a)
  lu.assertEquals(a, b)
  lu.assertEquals(a, c)
  lu.assertEquals(a, d)
end

-- Standard problem 4 on a coarse 100x25 grid (5 nm cells): relaxed S-state,
-- then field 1. Coarse cells shift the numbers a little; the shape must hold.
function T.test_stdprob4_small_grid()
  local f = mh.film{nx = 100, ny = 25, dx = 5e-9, dy = 5e-9, dz = 3e-9, Ms = 8e5, A = 1.3e-11,
                    alpha = 0.02, demag = true}
  f:set_uniform(1, 0.25, 0.1)
  lu.assertNotNil(f:minimize{torque = 1.0})
  local mx0, my0 = f:avg()
  lu.assertTrue(mx0 > 0.95 and my0 > 0.05 and my0 < 0.2, ("S-state %g %g"):format(mx0, my0))
  f:set_field{-24.6e-3 / MU0, 4.3e-3 / MU0, 0}
  local prev, tzero, mmin, tmin = mx0, nil, 1, nil
  f:run(3e-10, {every = 2e-12, on_step = function(ff, t)
    local mx = ff:avg()
    if not tzero and prev > 0 and mx <= 0 then tzero = t end
    if mx < mmin then mmin, tmin = mx, t end
    prev = mx
  end})
  lu.assertNotNil(tzero)
  lu.assertTrue(tzero > 0.11e-9 and tzero < 0.17e-9, "zero crossing at " .. tostring(tzero))
  lu.assertTrue(mmin > -0.95 and mmin < -0.75, "min mx " .. mmin)
  lu.assertTrue(tmin > 0.17e-9 and tmin < 0.26e-9, "min at " .. tmin)
end

return {TestFilm = T}
