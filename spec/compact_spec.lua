-- Compact device (Eq. 2): closed form, gradient of the cost, Kirchhoff, Fig. 3 trend.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

local PPMM = {1, 1, -1, -1}
local PMPM = {1, -1, 1, -1}

function T.test_defaults_are_paper_device()
  local dev = mh.compact.new()
  lu.assertEquals(dev.nodes, 4)
  lu.assertEquals(dev.model, "compact")
  lu.assertAlmostEquals(dev.eta, 0.0006, 1e-15)
  local G = dev:conductance():totable()
  lu.assertAlmostEquals(G[1][2], -0.066, 1e-15)
  lu.assertAlmostEquals(G[1][4], -0.046, 1e-15)
  lu.assertAlmostEquals(G[2][3], -0.041, 1e-15)
  local A = dev:alpha():totable()
  lu.assertEquals(A[1][2], 111); lu.assertEquals(A[3][4], 111)
  lu.assertEquals(A[1][4], 277); lu.assertEquals(A[2][3], 277)
end

function T.test_eq1_is_fixed_point_of_pmpm()
  local dev = mh.compact.new()
  local G0 = dev:conductance()
  dev:pulse(PMPM, 100)
  lu.assertTrue((dev:conductance() - G0):maxabs() < 1e-14)
end

function T.test_closed_form()
  local dev = mh.compact.new()
  local G0 = dev:conductance():totable()
  local Gavg = dev:gavg():totable()
  local A = dev:alpha():totable()
  for _, n in ipairs {1, 2, 7, 30, 60} do
    local d = mh.compact.new()
    d:pulse(PPMM, n)
    local G = d:conductance():totable()
    for i = 1, 4 do
      for j = i + 1, 4 do
        local want = mh.compact.closed_form(G0[i][j], Gavg[i][j], A[i][j], 0.0006, PPMM[i] * PPMM[j], n)
        lu.assertAlmostEquals(G[i][j], want, 1e-14 * math.abs(want) + 1e-16)
      end
    end
  end
end

function T.test_pulse_count_zero_and_repeat_equivalence()
  local a, b = mh.compact.new(), mh.compact.new()
  a:pulse(PPMM, 0)
  lu.assertEquals((a:conductance() - b:conductance()):maxabs(), 0)
  a:pulse(PPMM, 5)
  for _ = 1, 5 do b:pulse(PPMM) end
  lu.assertEquals((a:conductance() - b:conductance()):maxabs(), 0)
end

function T.test_kirchhoff_symmetric_zero_row_sums()
  local dev = mh.compact.new()
  for _, x in ipairs {PPMM, {1, -1, -1, 1}, {1, 1, 1, -1}} do
    dev:pulse(x, 13)
    local G = dev:conductance()
    lu.assertTrue((G - G:t()):maxabs() == 0)
    lu.assertTrue(G:row_sums():maxabs() < 1e-15)
    local g = G:totable()
    for i = 1, 4 do for j = 1, 4 do if i ~= j then lu.assertTrue(g[i][j] < 0) end end end
  end
end

function T.test_fig3_directions()
  -- "+-+-" -> "++--": G12, G34 rise; G13, G24 fall; G14, G23 unchanged.
  local dev = mh.compact.new()
  local G0 = dev:conductance():totable()
  dev:pulse(PPMM, 60)
  local G = dev:conductance():totable()
  lu.assertTrue(G[1][2] > G0[1][2] + 0.008)
  lu.assertTrue(G[3][4] > G0[3][4] + 0.008)
  lu.assertTrue(G[1][3] < G0[1][3] - 0.008)
  lu.assertTrue(G[2][4] < G0[2][4] - 0.008)
  lu.assertAlmostEquals(G[1][4], G0[1][4], 1e-14)
  lu.assertAlmostEquals(G[2][3], G0[2][3], 1e-14)
end

function T.test_gradient_matches_finite_differences()
  local dev = mh.compact.new()
  dev:pulse({1, -1, -1, 1}, 3)
  local G = dev:conductance():totable()
  local grad = dev:gradient(PPMM):totable()
  for i = 1, 4 do
    for j = i + 1, 4 do
      local h = 1e-6
      local Gp, Gm = {}, {}
      for a = 1, 4 do Gp[a], Gm[a] = {}, {} for b = 1, 4 do Gp[a][b], Gm[a][b] = G[a][b], G[a][b] end end
      Gp[i][j], Gp[j][i] = G[i][j] + h, G[i][j] + h
      Gm[i][j], Gm[j][i] = G[i][j] - h, G[i][j] - h
      local fd = (dev:cost(PPMM, Gp) - dev:cost(PPMM, Gm)) / (2 * h)
      lu.assertTrue(math.abs(fd - grad[i][j]) <= 1e-6 * math.abs(grad[i][j]),
        ("dC/dG%d%d: fd %.12g vs %.12g"):format(i, j, fd, grad[i][j]))
    end
  end
end

function T.test_update_is_gradient_descent()
  local dev = mh.compact.new()
  local G = dev:conductance()
  local grad = dev:gradient(PPMM)
  dev:pulse(PPMM)
  local dG = dev:conductance() - G
  local expect = grad * (-0.0006)
  local e, d = expect:totable(), dG:totable()
  for i = 1, 4 do for j = 1, 4 do if i ~= j then
    lu.assertAlmostEquals(d[i][j], e[i][j], 1e-15)
  end end end
end

function T.test_cost_falls_monotonically()
  local dev = mh.compact.new()
  local last = dev:cost(PPMM)
  for _ = 1, 80 do
    dev:pulse(PPMM)
    local c = dev:cost(PPMM)
    lu.assertTrue(c <= last)
    last = c
  end
end

function T.test_user_parameters()
  local n = 3
  local G0 = {{0.2, -0.1, -0.1}, {-0.1, 0.2, -0.1}, {-0.1, -0.1, 0.2}}
  local dev = mh.compact.new {nodes = n, eta = 1e-3, alpha = 50, G0 = G0, Gavg = G0}
  lu.assertEquals(dev.nodes, 3)
  dev:pulse({1, 1, -1}, 1000)
  local G = dev:conductance():totable()
  lu.assertAlmostEquals(G[1][2], -0.1 + 1 / 100, 1e-12)
  lu.assertAlmostEquals(G[1][3], -0.1 - 1 / 100, 1e-12)
end

function T.test_bad_input()
  local dev = mh.compact.new()
  H.raises("length 4 expected", dev.pulse, dev, {1, 1, -1})
  H.raises("entries must be +1 or -1", dev.pulse, dev, {1, 0.5, -1, 1})
  H.raises("entries must be +1 or -1", dev.pulse, dev, {1, 0 / 0, -1, 1})
  H.raises("entry 2 is inf", dev.pulse, dev, {1, 1 / 0, -1, 1})
  H.raises("finite number expected", function() return mh.array {1, 1} * (1 / 0) end)
  H.raises("non-negative integer", dev.pulse, dev, PPMM, -1)
  H.raises("non-negative integer", dev.pulse, dev, PPMM, 2.5)
  H.raises("entries must be +1 or -1", dev.cost, dev, {1, 1, 1, 2})
  H.raises("compact.new: option 'eta' = -1 outside the accepted range (0, 1e+06] S/V^2", mh.compact.new, {eta = -1})
  H.raises("alpha", mh.compact.new, {alpha = -3})
  H.raises("unstable when 2 alpha eta >= 2", mh.compact.new, {alpha = 2000})
  H.raises("option 'nodes'", mh.compact.new, {nodes = 1.5})
  H.raises("option 'G0'", mh.compact.new, {nodes = 3})
  H.raises("option 'G0'", mh.compact.new, {G0 = {{1, 2}, {3}}})
end

-- G(t) of the S1 protocol ("+++-" then "+-++") from a device with known
-- parameters, optionally with seeded noise (siemens).
local function s1_trace(dev, noise, seed)
  local rand = H.rng(seed or 1)
  local rows = {}
  local function rec(k)
    local G = dev:conductance():totable()
    local r = {k}
    for i = 1, 3 do for j = i + 1, 4 do r[#r + 1] = G[i][j] + noise * (2 * rand() - 1) end end
    rows[#rows + 1] = r
  end
  rec(0)
  for k = 1, 120 do
    dev:pulse(k <= 60 and {1, 1, 1, -1} or {1, -1, 1, 1}, 1)
    rec(k)
  end
  return rows
end

function T.test_fit_recovers_parameters()
  local dev = mh.compact.new()
  local truth_gavg = dev:gavg():totable()
  local rows = s1_trace(dev, 0)
  local fit = mh.compact.fit {rows = rows, schedule = {{start = 1, pattern = "+++-"}, {start = 61, pattern = "+-++"}}}
  lu.assertAlmostEquals(fit.eta, 0.0006, 1e-9)
  lu.assertAlmostEquals(fit.alpha[1][2], 111, 1e-6)
  lu.assertAlmostEquals(fit.alpha[2][3], 277, 1e-6)
  lu.assertAlmostEquals(fit.Gavg[3][4], truth_gavg[3][4], 1e-10)
  lu.assertTrue(fit.rms < 1e-12)
  lu.assertEquals(fit.unidentified, {"G13"}) -- x1 x3 = +1 throughout: G13 never moves
  -- with noise: estimates within a few standard errors, errors reported
  local noisy = mh.compact.fit {rows = s1_trace(mh.compact.new(), 2e-6, 5),
    schedule = {{start = 1, pattern = "+++-"}, {start = 61, pattern = "+-++"}}}
  lu.assertTrue(noisy.eta_err > 0)
  lu.assertTrue(math.abs(noisy.eta - 0.0006) < 5 * noisy.eta_err + 1e-12)
  lu.assertTrue(math.abs(noisy.alpha[1][4] - 277) < 5 * noisy.alpha_err[1][4])
end

function T.test_fit_35_nodes()
  -- the 35-node grid model's own trace (E, C, P in turn): every parameter back
  local dev = mh.compact.grid {cols = 5, rows = 7}
  local pats = mh.patterns.set("ECP")
  local function row(k)
    local r = {k}
    local G = dev:conductance():totable()
    for i = 1, 34 do for j = i + 1, 35 do r[#r + 1] = G[i][j] end end
    return r
  end
  local rows = {row(0)}
  for k = 1, 12 do dev:pulse(pats[(k - 1) % 3 + 1], 1); rows[#rows + 1] = row(k) end
  local fit = mh.compact.fit {rows = rows, nodes = 35, schedule = function(k) return pats[(k - 1) % 3 + 1] end}
  lu.assertAlmostEquals(fit.eta, 0.0006, 1e-12)
  lu.assertAlmostEquals(fit.alpha[1][2], 111, 1e-6)
  lu.assertTrue(fit.r2 > 1 - 1e-12)
  lu.assertEquals(#fit.pairs, 595)
  -- eta not separable: x_i x_j the same in every step for every pair
  local same = {rows[1], rows[2], rows[3], rows[4]}
  H.raises("never changes the sign", mh.compact.fit, {rows = same, nodes = 35, schedule = function() return pats[1] end})
end

function T.test_fit_reads_fig3_table_and_reports_unidentified()
  local path = os.tmpname()
  local rows = s1_trace(mh.compact.new(), 0)
  mh.io.write_table(path, {"pulse ()", "G12 (S)", "G13 (S)", "G14 (S)", "G23 (S)", "G24 (S)", "G34 (S)"}, rows)
  local fit = mh.compact.fit {table = path, schedule = function(k) return k <= 60 and {1, 1, 1, -1} or {1, -1, 1, 1} end}
  lu.assertAlmostEquals(fit.eta, 0.0006, 1e-9)
  -- the path once, as 'table' or its older name 'csv' (as plot.lines)
  H.raises("compact.fit: give the table's path as option 'table' (or its older name 'csv'), once", mh.compact.fit,
    {table = path, csv = path, schedule = function() return {1, 1, 1, -1} end})
  -- Fig. 3 protocol: G14, G23 never move, so their alpha and Gavg are unknown
  local d = mh.compact.new()
  local f3 = {}
  for k = 0, 60 do
    local G = d:conductance():totable()
    f3[#f3 + 1] = {k, G[1][2], G[1][3], G[1][4], G[2][3], G[2][4], G[3][4]}
    d:pulse({1, 1, -1, -1}, 1)
  end
  -- one pattern only: eta cannot be separated from alpha and Gavg
  H.raises("pattern switch is needed", mh.compact.fit, {rows = f3, schedule = "++--"})
  os.remove(path)
  H.raises("'schedule'", mh.compact.fit, {rows = rows})
  H.raises("at least 3 rows", mh.compact.fit, {rows = {}, schedule = "++--"})
end

return {TestCompact = T}
