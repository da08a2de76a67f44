-- Demagnetization engine (csrc/core/mm/demag.c) through core.demag_*:
-- the Newell tensor against closed forms (cube, Aharoni's prism factors),
-- the FFT convolution against a direct sum, field symmetries, and the
-- field as the energy gradient.
local lu = require "luaunit"
local core = require("maghop").core

local T = {}
local MU0 = 1.25663706212e-6

-- Aharoni (J. Appl. Phys. 83, 3432 (1998)): demag factor along z of a
-- 2a x 2b x 2c prism; along x it is aharoni_z(b, c, a), along y (c, a, b).
local function aharoni_z(a, b, c)
  local sqrt, log, atan = math.sqrt, math.log, math.atan
  local R = sqrt(a * a + b * b + c * c)
  local ab, bc, ac = sqrt(a * a + b * b), sqrt(b * b + c * c), sqrt(a * a + c * c)
  local s = (b * b - c * c) / (2 * b * c) * log((R - a) / (R + a))
    + (a * a - c * c) / (2 * a * c) * log((R - b) / (R + b))
    + b / (2 * c) * log((ab + a) / (ab - a))
    + a / (2 * c) * log((ab + b) / (ab - b))
    + c / (2 * a) * log((bc - b) / (bc + b))
    + c / (2 * b) * log((ac - a) / (ac + a))
    + 2 * atan(a * b / (c * R))
    + (a ^ 3 + b ^ 3 - 2 * c ^ 3) / (3 * a * b * c)
    + (a * a + b * b - 2 * c * c) / (3 * a * b * c) * R
    + c / (a * b) * (ac + bc)
    - (ab ^ 3 + bc ^ 3 + ac ^ 3) / (3 * a * b * c)
  return s / math.pi
end

local function aharoni(lx, ly, lz)
  local a, b, c = lx / 2, ly / 2, lz / 2
  return aharoni_z(b, c, a), aharoni_z(c, a, b), aharoni_z(a, b, c)
end

-- Seeded smooth-ish non-uniform m (not normalized: the energy is a
-- quadratic form in any m, which the finite differences below rely on).
local function random_m(nx, ny, nz, dx, dy, dz, seed)
  local m = core.field(nx, ny, nz, 3)
  m:cellsize(dx, dy, dz)
  local s = seed
  local function r()
    s = (1103515245 * s + 12345) % 2147483648
    return 2 * s / 2147483648 - 1
  end
  for k = 1, nz do
    for j = 1, ny do
      for i = 1, nx do m:set(i, j, k, r(), r(), r()) end
    end
  end
  return m
end

function T.test_tensor_self_terms_match_aharoni()
  local N = {core.demag_tensor(0, 0, 0, 1e-9, 1e-9, 1e-9)}
  for c = 1, 3 do lu.assertAlmostEquals(N[c], 1 / 3, 1e-14) end
  for c = 4, 6 do lu.assertAlmostEquals(N[c], 0, 1e-14) end
  for _, d in ipairs{{2.5e-9, 2.5e-9, 3e-9}, {10e-9, 3e-9, 0.4e-9}, {1e-9, 7e-9, 2e-9}} do
    local nxx, nyy, nzz = core.demag_tensor(0, 0, 0, d[1], d[2], d[3])
    local ax, ay, az = aharoni(d[1], d[2], d[3])
    lu.assertAlmostEquals(nxx, ax, 1e-12)
    lu.assertAlmostEquals(nyy, ay, 1e-12)
    lu.assertAlmostEquals(nzz, az, 1e-12)
    lu.assertAlmostEquals(nxx + nyy + nzz, 1, 1e-13)
  end
end

function T.test_tensor_trace_and_parity()
  local dx, dy, dz = 2e-9, 3e-9, 2.5e-9
  for _, o in ipairs{{1, 0, 0}, {2, 3, 1}, {-4, 1, 2}, {7, -5, 0}, {60, 20, 3}} do
    local X, Y, Z = o[1] * dx, o[2] * dy, o[3] * dz
    local N = {core.demag_tensor(X, Y, Z, dx, dy, dz)}
    local scale = math.max(math.abs(N[1]), math.abs(N[2]), math.abs(N[3]))
    -- outside the source cell the cell-averaged field is divergence-free
    lu.assertTrue(math.abs(N[1] + N[2] + N[3]) < 1e-9 * scale)
    local M = {core.demag_tensor(-X, Y, Z, dx, dy, dz)}
    local tol = 1e-12 * scale
    lu.assertAlmostEquals(M[1], N[1], tol) -- Nxx even in X
    lu.assertAlmostEquals(M[4], -N[4], tol) -- Nxy odd in X
    lu.assertAlmostEquals(M[5], -N[5], tol) -- Nxz odd in X
    lu.assertAlmostEquals(M[6], N[6], tol) -- Nyz even in X
  end
end

-- Near cells use exact Newell sums, far cells a multipole expansion; r^3 N
-- along rays through the switch (40 cells) must be smooth, and far away
-- N must approach the point-dipole tensor.
function T.test_tensor_near_far_is_smooth_and_dipolar()
  local dx, dy, dz = 2.5e-9, 2.5e-9, 3e-9
  for _, u in ipairs{{1, 0.37, 0}, {0.6, 0.8, 0.3}, {0.2, 0.3, 1}} do
    local len = math.sqrt(u[1] ^ 2 + u[2] ^ 2 + u[3] ^ 2)
    local vals = {}
    for s = 0, 16 do
      local r = (36 + 0.5 * s) * dz
      local X, Y, Z = r * u[1] / len, r * u[2] / len, r * u[3] / len
      local N = {core.demag_tensor(X, Y, Z, dx, dy, dz)}
      vals[#vals + 1] = {}
      for c = 1, 6 do vals[#vals][c] = N[c] * r ^ 3 / (dx * dy * dz) end
    end
    for c = 1, 6 do
      for s = 2, #vals - 1 do
        local d2 = vals[s - 1][c] - 2 * vals[s][c] + vals[s + 1][c]
        lu.assertTrue(math.abs(d2) < 1e-6, ("component %d second difference %g"):format(c, d2))
      end
    end
    -- point dipole: N = -(V / 4 pi r^3) (3 u u^T - 1), relative error ~ (d/r)^2
    local r = 300 * dz
    local x = {r * u[1] / len, r * u[2] / len, r * u[3] / len}
    local N = {core.demag_tensor(x[1], x[2], x[3], dx, dy, dz)}
    local pre = -dx * dy * dz / (4 * math.pi * r ^ 3)
    local pairs_ = {{1, 1}, {2, 2}, {3, 3}, {1, 2}, {1, 3}, {2, 3}}
    for c, p in ipairs(pairs_) do
      local want = pre * (3 * x[p[1]] * x[p[2]] / r ^ 2 - (p[1] == p[2] and 1 or 0))
      lu.assertAlmostEquals(N[c], want, 1e-4 * math.abs(pre))
    end
  end
end

function T.test_cube_of_many_cells_has_one_third()
  local N = {core.demag_factors(12, 12, 12, 2e-9, 2e-9, 2e-9)}
  for c = 1, 3 do lu.assertAlmostEquals(N[c], 1 / 3, 1e-10) end
  for c = 4, 6 do lu.assertAlmostEquals(N[c], 0, 1e-12) end
end

function T.test_thin_film_nzz_tends_to_one()
  local nx, ny, dx, dz = 128, 128, 5e-9, 1e-9
  local nxx, nyy, nzz = core.demag_factors(nx, ny, 1, dx, dx, dz)
  local ax, ay, az = aharoni(nx * dx, ny * dx, dz)
  lu.assertAlmostEquals(nzz, az, 1e-9)
  lu.assertAlmostEquals(nxx, ax, 1e-9)
  lu.assertAlmostEquals(nyy, ay, 1e-9)
  lu.assertTrue(nzz > 0.99 and nxx < 0.005 and nyy < 0.005)
  lu.assertAlmostEquals(nxx + nyy + nzz, 1, 1e-10)
end

function T.test_long_bar_matches_aharoni()
  -- 3-D path (nz > 1) and a 2-D one, each against the analytic prism
  for _, g in ipairs{{40, 4, 4, 2.5e-9, 2.5e-9, 2.5e-9}, {60, 6, 1, 2e-9, 2e-9, 3e-9},
                     {5, 9, 7, 3e-9, 1e-9, 2e-9}} do
    local N = {core.demag_factors(g[1], g[2], g[3], g[4], g[5], g[6])}
    local A = {aharoni(g[1] * g[4], g[2] * g[5], g[3] * g[6])}
    for c = 1, 3 do lu.assertAlmostEquals(N[c], A[c], 1e-9) end
  end
end

-- The FFT convolution (padding, symmetry-compressed kernel, pruned
-- transforms) must equal the O(n^2) sum over all cell pairs.
function T.test_field_equals_direct_sum()
  -- (40 x 3 spans two full 16-column blocks of the fused 2-D pass and a partial one)
  for _, g in ipairs{{5, 4, 3}, {7, 5, 1}, {1, 6, 2}, {3, 1, 1}, {40, 3, 1}} do
    local nx, ny, nz = g[1], g[2], g[3]
    local dx, dy, dz, Ms = 2e-9, 3e-9, 2.5e-9, 8e5
    local m = random_m(nx, ny, nz, dx, dy, dz, 7 + nx)
    local Hf = core.demag_field(m, Ms)
    local worst, scale = 0, 0
    for tk = 1, nz do for tj = 1, ny do for ti = 1, nx do
      local h = {0, 0, 0}
      for sk = 1, nz do for sj = 1, ny do for si = 1, nx do
        local N = {core.demag_tensor((ti - si) * dx, (tj - sj) * dy, (tk - sk) * dz, dx, dy, dz)}
        local mx, my, mz = m:get(si, sj, sk)
        h[1] = h[1] - Ms * (N[1] * mx + N[4] * my + N[5] * mz)
        h[2] = h[2] - Ms * (N[4] * mx + N[2] * my + N[6] * mz)
        h[3] = h[3] - Ms * (N[5] * mx + N[6] * my + N[3] * mz)
      end end end
      local got = {Hf:get(ti, tj, tk)}
      for q = 1, 3 do
        worst = math.max(worst, math.abs(got[q] - h[q]))
        scale = math.max(scale, math.abs(h[q]))
      end
    end end end
    lu.assertTrue(worst < 1e-12 * scale, ("%dx%dx%d: %g vs %g"):format(nx, ny, nz, worst, scale))
  end
end

function T.test_single_cube_cell()
  local H, e = core.demag_field(1, 1, 1, 4e-9, 4e-9, 4e-9, 0, 0, 1, 8e5)
  local hx, hy, hz = H:get(1, 1)
  lu.assertAlmostEquals(hz, -8e5 / 3, 1e-8)
  lu.assertAlmostEquals(hx, 0, 1e-8)
  lu.assertAlmostEquals(hy, 0, 1e-8)
  lu.assertAlmostEquals(e, MU0 / 6 * 8e5 ^ 2 * (4e-9) ^ 3, 1e-12 * e)
end

function T.test_uniform_field_symmetries()
  local nx, ny = 12, 8
  local Hx = core.demag_field(nx, ny, 1, 3e-9, 3e-9, 2e-9, 1, 0, 0, 1)
  for j = 1, ny do
    for i = 1, nx do
      local a = {Hx:get(i, j)}
      local b = {Hx:get(nx + 1 - i, j)}
      local c = {Hx:get(i, ny + 1 - j)}
      lu.assertAlmostEquals(a[1], b[1], 1e-13)
      lu.assertAlmostEquals(a[1], c[1], 1e-13)
      lu.assertAlmostEquals(a[2], -b[2], 1e-13)
      lu.assertAlmostEquals(a[2], -c[2], 1e-13)
      lu.assertAlmostEquals(a[3], 0, 1e-13)
      lu.assertTrue(a[1] < 0) -- demagnetizing
    end
  end
  -- a square grid: m along x and m along y are transposes of each other
  local A = core.demag_field(9, 9, 1, 2e-9, 2e-9, 5e-9, 1, 0, 0, 1)
  local B = core.demag_field(9, 9, 1, 2e-9, 2e-9, 5e-9, 0, 1, 0, 1)
  for j = 1, 9 do
    for i = 1, 9 do
      local ax, ay = A:get(i, j)
      local bx, by = B:get(j, i)
      lu.assertAlmostEquals(ax, by, 1e-13)
      lu.assertAlmostEquals(ay, bx, 1e-13)
    end
  end
end

-- H_d = -(1/(mu0 Ms V)) dE/dm_c. E is quadratic in m, so central
-- differences are exact but for rounding.
function T.test_field_is_energy_gradient()
  for _, g in ipairs{{6, 5, 1}, {4, 3, 3}} do
    local nx, ny, nz, dx, dy, dz, Ms = g[1], g[2], g[3], 2e-9, 2.5e-9, 3e-9, 8e5
    local m = random_m(nx, ny, nz, dx, dy, dz, 11)
    local Hf, e0 = core.demag_field(m, Ms)
    -- the energy is -mu0/2 sum M.H V
    local s = 0
    for k = 1, nz do for j = 1, ny do for i = 1, nx do
      local mx, my, mz = m:get(i, j, k)
      local hx, hy, hz = Hf:get(i, j, k)
      s = s + mx * hx + my * hy + mz * hz
    end end end
    lu.assertAlmostEquals(e0, -0.5 * MU0 * Ms * s * dx * dy * dz, 1e-12 * math.abs(e0))
    local eps, V = 1e-3, dx * dy * dz
    for _, c in ipairs{{1, 1, 1}, {nx, ny, nz}, {2, 2, nz}, {nx - 1, 1, 1}} do
      local base = {m:get(c[1], c[2], c[3])}
      local h = {Hf:get(c[1], c[2], c[3])}
      for q = 1, 3 do
        local v = {base[1], base[2], base[3]}
        v[q] = base[q] + eps
        m:set(c[1], c[2], c[3], v[1], v[2], v[3])
        local _, ep = core.demag_field(m, Ms)
        v[q] = base[q] - eps
        m:set(c[1], c[2], c[3], v[1], v[2], v[3])
        local _, em = core.demag_field(m, Ms)
        m:set(c[1], c[2], c[3], base[1], base[2], base[3])
        local grad = -(ep - em) / (2 * eps) / (MU0 * Ms * V)
        lu.assertAlmostEquals(grad, h[q], 1e-7 * Ms)
      end
    end
  end
end

function T.test_bad_arguments_raise()
  local H = dofile("spec/helpers.lua")
  H.raises("grid size", core.demag_field, 0, 1, 1, 1e-9, 1e-9, 1e-9, 1, 0, 0)
  H.raises("cell size", core.demag_field, 1, 1, 1, -1e-9, 1e-9, 1e-9, 1, 0, 0)
  H.raises("finite", core.demag_field, 1, 1, 1, 1e-9, 1e-9, 1e-9, 0 / 0, 0, 0)
  local f = core.field(2, 2, 1, 2)
  f:cellsize(1e-9, 1e-9, 1e-9)
  H.raises("3 components", core.demag_field, f)
  H.raises("cell size", core.demag_field, core.field(2, 2, 1, 3))
end

return {TestDemag = T}
