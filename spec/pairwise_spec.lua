-- The per-pair compact model: exact recovery of a known linear rule, the
-- device it runs, and the field features of a small twin.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

-- fake features for 4 nodes: xx from the pattern, f and s fixed per pattern
local function fake_features(x)
  local out = {xx = {}, f = {}, s = {}}
  local pl = mh.pairwise.pairs(4)
  for p, ij in ipairs(pl) do
    out.xx[p] = x[ij[1]] * x[ij[2]]
    out.f[p] = 0.1 * (x[1] + 2 * x[2]) * p / 6
    out.s[p] = 0.02 * (x[1] + x[3] + 2) + 0.03 * x[2] * x[4] * p / 6 + 0.01 * p
  end
  return out
end

-- dG = theta . (1, G, xx, f, s, fG, sG, xxG) per pair, theta known
local THETA = {}
for p = 1, 6 do THETA[p] = {1e-4 * p, -0.05, 2e-4, 3e-5, -1e-4, 0.01, 0, -0.02} end

local function synthetic_trace(patterns, g0)
  local tr = {G = {g0}, x = {}}
  local g = {table.unpack(g0)}
  for k, x in ipairs(patterns) do
    local ft = fake_features(x)
    for p = 1, 6 do
      local G, xx, f, s = g[p], ft.xx[p], ft.f[p], ft.s[p]
      local phi = {1, G, xx, f, s, f * G, s * G, xx * G}
      local d = 0
      for c = 1, 8 do d = d + THETA[p][c] * phi[c] end
      g[p] = G + d
    end
    tr.G[k + 1], tr.x[k] = {table.unpack(g)}, x
  end
  return tr
end

local function patterns(n, seed)
  local rand, out = H.rng(seed), {}
  for k = 1, n do
    out[k] = {}
    for i = 1, 4 do out[k][i] = rand() < 0.5 and -1 or 1 end
  end
  return out
end

function T.test_fit_recovers_a_linear_rule_and_predicts_held_out()
  local g0 = {-0.06, -0.04, -0.05, -0.045, -0.055, -0.065}
  local fit_tr = synthetic_trace(patterns(40, 3), g0)
  local model = mh.pairwise.fit {traces = {fit_tr}, features = fake_features, lambda = 0}
  for p = 1, 6 do
    for c = 1, 8 do lu.assertAlmostEquals(model.theta[p][c], THETA[p][c], 1e-6 * (math.abs(THETA[p][c]) + 1e-3)) end
  end
  lu.assertTrue(model.r2 > 1 - 1e-9)
  local held = synthetic_trace(patterns(12, 9), g0)
  lu.assertTrue(mh.pairwise.r2(model, held) > 1 - 1e-9)
  -- the device runs the rule: same G as the held-out trace, pulse by pulse
  local G0 = mh.zeros(4, 4)
  for p, ij in ipairs(mh.pairwise.pairs(4)) do G0:set(ij[1], ij[2], g0[p]); G0:set(ij[2], ij[1], g0[p]) end
  local dev = mh.pairwise.device(model, {G0 = G0, G1T = mh.zeros(4, 4), xi = 1})
  for k, x in ipairs(held.x) do dev:pulse(x, 1) end
  local G = dev:conductance()
  for p, ij in ipairs(mh.pairwise.pairs(4)) do lu.assertAlmostEquals(G:get(ij[1], ij[2]), held.G[13][p], 1e-12) end
  lu.assertTrue(G:row_sums():maxabs() < 1e-15)
  lu.assertEquals(dev:weights():get(2, 2), 0)
  -- ridge shrinks: a large lambda leaves a worse in-sample fit
  local ridge = mh.pairwise.fit {traces = {fit_tr}, features = fake_features, lambda = 10}
  lu.assertTrue(ridge.r2 < model.r2)
end

function T.test_field_features_of_a_twin()
  local dev = mh.twin.new {nodes = 4, cell = 50e-9, init = false}
  local feat = mh.pairwise.field_features(dev)
  local a, b = feat({1, -1, 1, -1}), feat({-1, 1, -1, 1})
  lu.assertEquals(a.xx, {-1, 1, -1, -1, 1, -1})
  -- the field reverses with the pattern; its squares (f, s) do not
  for p = 1, 6 do
    lu.assertAlmostEquals(a.f[p], b.f[p], 1e-12 * (1 + math.abs(a.f[p])))
    lu.assertAlmostEquals(a.s[p], b.s[p], 1e-12 * (1 + a.s[p]))
    lu.assertTrue(a.s[p] >= math.abs(a.f[p]))
  end
end

function T.test_bad_input()
  H.raises("opts.traces", mh.pairwise.fit, {features = fake_features})
  H.raises("opts.features", mh.pairwise.fit, {traces = {{G = {{0}}, x = {}}}})
  H.raises("unknown term", mh.pairwise.fit, {traces = {synthetic_trace(patterns(10, 1), {0, 0, 0, 0, 0, 0})},
                                           features = fake_features, terms = {"one", "bogus"}})
  H.raises("a twin device expected", mh.pairwise.field_features, {})
  H.raises("unknown option 'lamda'", mh.pairwise.fit, {traces = {}, features = fake_features, lamda = 1})
  local m = mh.pairwise.fit {traces = {synthetic_trace(patterns(12, 2), {0, 0, 0, 0, 0, 0})}, features = fake_features}
  H.raises("unknown option 'G'", mh.pairwise.device, m, {G = {}})
  local dev = mh.pairwise.device(m, {G0 = mh.zeros(4, 4), G1T = mh.zeros(4, 4)})
  H.raises("has 3 entries, 4 expected", dev.pulse, dev, {1, 1, 1})
  H.raises("argument 'count'", dev.pulse, dev, {1, 1, 1, 1}, -1)
  -- the device's message leaves pairwise.record as it was, named once
  local ok, err = pcall(mh.pairwise.record, dev, {{1, 1, 1}})
  lu.assertFalse(ok)
  lu.assertStrContains(err, "pairwise device:pulse: argument 'x'")
  lu.assertNil(err:find("pairwise.record", 1, true), err)
end

return {TestPairwise = T}
