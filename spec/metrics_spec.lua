-- Recall metrics on tiny cases whose answers are worked out by hand.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

local A = {1, 1, 1, 1, 1, 1}
local B = {1, 1, 1, -1, -1, -1}
-- one flipped pixel each; labels 1 = A, 2 = B
local CASES = {
  {x = {-1, 1, 1, 1, 1, 1}, label = 1, k = 1},
  {x = {1, 1, 1, -1, -1, 1}, label = 2, k = 1},
  {x = {1, 1, 1, 1, -1, -1}, label = 2, k = 1},
  {x = {1, 1, 1, 1, 1, -1}, label = 1, k = 1},
}

function T.test_no_recall()
  -- overlaps with (A, B): (4, -2), (2, 4), (2, 4), (4, 2): all classified right
  local r = mh.metrics.evaluate(nil, {A, B}, CASES)
  lu.assertEquals({r.accuracy, r.exact, r.hamming, r.hamming_input, r.changed, r.n}, {1, 0, 1, 1, 0, 4})
  lu.assertEquals(r.confusion, {{2, 0}, {0, 2}})
end

function T.test_recall_to_one_attractor()
  -- a recall that returns A for every input: right (and exact) on the two
  -- A cases; after recall 0, 3, 3, 0 pixels wrong; it changed 1, 2, 2, 1
  local r = mh.metrics.evaluate(function() return {table.unpack(A)} end, {A, B}, CASES)
  lu.assertEquals({r.accuracy, r.exact, r.hamming, r.hamming_input, r.changed}, {0.5, 0.5, 1.5, 1, 1.5})
  lu.assertEquals(r.confusion, {{2, 0}, {2, 0}})
end

function T.test_single_pattern_outer_product_restores_everything()
  -- w = x x^T / N restores any state within N/2 - 1 flips in one sync sweep
  local x = {1, -1, -1, 1, 1, -1, 1, 1}
  local set = mh.metrics.test_set({x}, {1, 2, 3}, 5, 7)
  lu.assertEquals(#set, 15)
  local r = mh.metrics.evaluate(mh.metrics.recall_of(mh.rules.outer({x})), {x}, set)
  lu.assertEquals({r.accuracy, r.exact, r.hamming, r.hamming_input, r.changed}, {1, 1, 0, 2, 2})
  local ra = mh.metrics.evaluate(mh.metrics.recall_of(mh.rules.outer({x}), {mode = "async", seed = 3}), {x}, set)
  lu.assertEquals(ra.exact, 1)
end

function T.test_test_set_is_seeded_and_has_k_flips()
  local set = mh.metrics.test_set({A, B}, {1, 3}, 4, 2)
  lu.assertEquals(#set, 16)
  for _, c in ipairs(set) do
    lu.assertEquals(mh.patterns.hamming(c.x, c.label == 1 and A or B), c.k)
  end
  -- the formula fig5_letters.lua has always used
  lu.assertEquals(set[6].x, mh.patterns.distort(A, 3, 2 * 1000003 + 1 * 10007 + 3 * 101 + 2))
  lu.assertEquals(mh.metrics.test_set({A, B}, {1, 3}, 4, 2), set)
end

function T.test_parse_flips()
  lu.assertEquals(mh.metrics.parse_flips("1-3"), {1, 2, 3})
  lu.assertEquals(mh.metrics.parse_flips("4,6,8"), {4, 6, 8})
  lu.assertEquals(mh.metrics.parse_flips("6, 1-2"), {1, 2, 6})
  lu.assertEquals(mh.metrics.parse_flips(2), {2})
  H.raises("flip count 0", mh.metrics.parse_flips, "0")
  H.raises("must run upwards", mh.metrics.parse_flips, "3-1")
  H.raises("is not a flip count list", mh.metrics.parse_flips, "a")
  H.raises("exceeds the pattern length 8", mh.metrics.parse_flips, "9", 8)
end

-- The core's counter-based draws that the Lua half uses (measurement noise,
-- weight jitter): pure functions of (seed, step, idx), with the moments of
-- their distributions, and integer arguments >= 0.
function T.test_core_draws()
  local core = mh.core
  lu.assertEquals(core.normal(3, 5, 7), core.normal(3, 5, 7))
  lu.assertEquals(core.normal(3, 5), core.normal(3, 5, 0))
  lu.assertNotEquals(core.normal(3, 5), core.normal(4, 5))
  lu.assertNotEquals(core.uniform(3, 5), core.uniform(3, 6))
  local n, s1, s2, u1, u2, lo, hi = 40000, 0, 0, 0, 0, 1, 0
  for k = 0, n - 1 do
    local g, u = core.normal(11, k), core.uniform(11, k)
    s1, s2, u1, u2 = s1 + g, s2 + g * g, u1 + u, u2 + u * u
    lo, hi = math.min(lo, u), math.max(hi, u)
  end
  -- standard errors: mean 1/sqrt(n) = 0.005, variance about 0.007 (normal);
  -- uniform mean 1/sqrt(12 n) = 0.0014; limits at about 5 of them
  lu.assertTrue(math.abs(s1 / n) < 0.025)
  lu.assertTrue(math.abs(s2 / n - 1) < 0.035)
  lu.assertTrue(math.abs(u1 / n - 0.5) < 0.008)
  lu.assertTrue(math.abs(u2 / n - (u1 / n) ^ 2 - 1 / 12) < 0.004)
  lu.assertTrue(lo > 0 and hi < 1)
  H.raises("'seed' must be an integer >= 0", core.normal, -1, 0)
  H.raises("'step' must be an integer >= 0", core.uniform, 1, -2)
  H.raises("number has no integer representation", core.normal, 1.5, 0)
  H.raises("'seed' must be an integer >= 0", mh.metrics.jitter, {{0, 1}, {1, 0}}, 1e-3, -1)
end

function T.test_r2()
  lu.assertEquals(mh.metrics.r2({1, 2, 3}, {1, 2, 3}), 1)
  lu.assertEquals(mh.metrics.r2({1, 2, 3}, {2, 2, 2}), 0) -- the mean explains nothing
  -- residuals 0.5, -0.5, 0 over a variance sum of 2
  lu.assertAlmostEquals(mh.metrics.r2({1, 2, 3}, {0.5, 2.5, 3}), 1 - 0.5 / 2, 1e-15)
  local nan = mh.metrics.r2({2, 2}, {1, 3})
  lu.assertTrue(nan ~= nan)
  H.raises("metrics.r2: 'y' and 'p' must be non-empty lists of equal length, got 2 and 1", mh.metrics.r2, {1, 2}, {1})
  H.raises("entry 2 of 'y' and 'p' must be numbers", mh.metrics.r2, {1, "x"}, {1, 2})
end

function T.test_jitter()
  local w = {{0, 1, -2}, {1, 0, 0.5}, {-2, 0.5, 0}}
  local a = mh.metrics.jitter(w, 1e-3, 1):totable()
  lu.assertEquals(mh.metrics.jitter(w, 1e-3, 1):totable(), a)
  lu.assertNotEquals(mh.metrics.jitter(w, 1e-3, 2):totable(), a)
  for i = 1, 3 do
    lu.assertEquals(a[i][i], 0)
    for j = 1, 3 do
      lu.assertEquals(a[i][j], a[j][i])
      if i ~= j then
        lu.assertTrue(a[i][j] ~= w[i][j] and math.abs(a[i][j] - w[i][j]) <= 1e-3 * 2)
      end
    end
  end
  lu.assertEquals(mh.metrics.jitter(w, 0, 5):totable(), w)
end

function T.test_jitter_breaks_a_tie()
  -- node 1 sees s2 + s3 = 0 from {1, 1, -1}: the plain rule keeps +1; with
  -- jitter its field is w12 - w13 = u12 - u13, negative for some seeds
  local w = {{0, 1, 1}, {1, 0, 0}, {1, 0, 0}}
  local plain = mh.hopfield.new(w):recall({1, 1, -1}, {mode = "sync", max_sweeps = 1})
  lu.assertEquals(plain[1], 1)
  local flipped = 0
  for seed = 1, 20 do
    local s = mh.hopfield.new(mh.metrics.jitter(w, 1e-9, seed)):recall({1, 1, -1}, {mode = "sync", max_sweeps = 1})
    if s[1] == -1 then flipped = flipped + 1 end
  end
  lu.assertTrue(flipped > 0 and flipped < 20, "jitter decides the tie both ways, got " .. flipped .. "/20")
end

function T.test_bad_input()
  H.raises("argument 'patterns'", mh.metrics.evaluate, nil, {}, CASES)
  H.raises("pattern 2 must be", mh.metrics.evaluate, nil, {A, {1, 1}}, CASES)
  H.raises("argument 'recall'", mh.metrics.evaluate, 3, {A, B}, CASES)
  H.raises("has label 3", mh.metrics.evaluate, nil, {A, B}, {{x = A, label = 3}})
  H.raises("'per' must be", mh.metrics.test_set, {A}, {1}, 0, 1)
  H.raises("flip count 7", mh.metrics.test_set, {A}, {7}, 1, 1)
  H.raises("'eps' must be", mh.metrics.jitter, {{0}}, -1, 1)
  H.raises("unknown option 'sync'", mh.metrics.recall_of, {{0, 1}, {1, 0}}, {sync = true})
end

return {TestMetrics = T}
