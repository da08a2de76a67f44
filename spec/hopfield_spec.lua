-- Hopfield layer and learning rules.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

local function direct_energy(w, s)
  local e = 0
  for i = 1, #s do for j = 1, #s do e = e - w[i][j] * s[i] * s[j] end end
  return e
end

function T.test_energy_formula()
  local rand = H.rng(3)
  local w = H.random_symmetric(7, rand)
  w[2][2] = 0.3 -- the diagonal counts in E (a constant for ±1 states)
  local net = mh.hopfield.new(w)
  for _ = 1, 20 do
    local s = H.random_state(7, rand)
    lu.assertAlmostEquals(net:energy(s), direct_energy(w, s), 1e-12)
  end
end

function T.test_async_never_raises_energy()
  -- property test: random symmetric weights, every single flip lowers E
  for seed = 1, 40 do
    local rand = H.rng(seed)
    local n = 3 + seed % 17
    local w = H.random_symmetric(n, rand)
    local net = mh.hopfield.new(w)
    local s = H.random_state(n, rand)
    local e_prev = net:energy(s)
    for sweep = 1, 30 do
      local s2, sweeps, converged = net:recall(s, {mode = "async", seed = seed * 100 + sweep, max_sweeps = 1})
      local e = net:energy(s2)
      lu.assertTrue(e <= e_prev + 1e-12, ("seed %d: E rose %g -> %g"):format(seed, e_prev, e))
      lu.assertEquals(sweeps, 1)
      e_prev, s = e, s2
      if converged then break end
    end
    local final, _, converged = net:recall(s, {mode = "async", seed = seed})
    lu.assertTrue(converged)
    -- a fixed point: no single flip lowers the energy
    local ef = net:energy(final)
    for i = 1, n do
      local f = {table.unpack(final)}
      f[i] = -f[i]
      lu.assertTrue(net:energy(f) >= ef - 1e-12)
    end
  end
end

function T.test_async_seeded_reproducible()
  local rand = H.rng(11)
  local net = mh.hopfield.new(H.random_symmetric(30, rand))
  local s = H.random_state(30, rand)
  local a = net:recall(s, {mode = "async", seed = 5})
  local b = net:recall(s, {mode = "async", seed = 5})
  lu.assertEquals(a, b)
end

function T.test_sync_recalls_stored_pattern()
  local E, C = mh.patterns.letters5x7.E, mh.patterns.letters5x7.L
  local net = mh.hopfield.new(mh.rules.pinv {E, C})
  local x = mh.patterns.distort(E, 3, 7)
  local s, sweeps, converged, cycle = net:recall(x)
  lu.assertTrue(converged)
  lu.assertFalse(cycle)
  lu.assertTrue(sweeps >= 1)
  lu.assertEquals(s, E)
end

function T.test_sync_reports_two_cycle()
  local net = mh.hopfield.new {{0, -1}, {-1, 0}}
  local s, sweeps, converged, cycle = net:recall({1, 1}, {mode = "sync"})
  lu.assertFalse(converged)
  lu.assertTrue(cycle)
  lu.assertTrue(sweeps <= 3)
  lu.assertEquals(#s, 2)
end

function T.test_landscape_matches_energy()
  local rand = H.rng(5)
  local n = 6
  local w = H.random_symmetric(n, rand)
  local net = mh.hopfield.new(w)
  local e = net:landscape():totable()
  lu.assertEquals(#e, 2 ^ n)
  for k = 1, 2 ^ n do
    local s = mh.hopfield.state(k, n)
    lu.assertEquals(mh.hopfield.index(s), k)
    lu.assertAlmostEquals(e[k], direct_energy(w, s), 1e-12)
  end
  lu.assertEquals(mh.hopfield.label(mh.hopfield.state(4, 4)), "++--")
  lu.assertEquals(mh.hopfield.label(mh.hopfield.state(1, 4)), "++++")
  lu.assertEquals(mh.hopfield.index("----"), 16)
  lu.assertEquals(mh.hopfield.parse("+−+−"), {1, -1, 1, -1})
end

function T.test_seven_patterns_are_energy_minima()
  -- Fig. 4a-g: train each independent 4-node pattern on the compact device;
  -- the landscape's argmin is the pattern or its mirror.
  local count = 0
  for k = 1, 8 do
    local x = mh.hopfield.state(k, 4)
    if k ~= 1 then
      count = count + 1
      local dev = mh.compact.new()
      dev:pulse(x, 60)
      local net = mh.hopfield.new(dev:weights())
      local ks = mh.hopfield.argmin(net:landscape(), 1e-9)
      local mirror = 17 - k -- the mirror of state k is state 2^4 + 1 - k
      lu.assertEquals(#ks, 2)
      table.sort(ks)
      lu.assertEquals(ks, {math.min(k, mirror), math.max(k, mirror)})
    end
  end
  lu.assertEquals(count, 7)
end

function T.test_rule_outer_formula()
  local pats = {{1, -1, 1, 1, -1}, {-1, -1, 1, -1, 1}}
  local w = mh.rules.outer(pats):totable()
  for i = 1, 5 do
    for j = 1, 5 do
      local want = 0
      if i ~= j then for _, p in ipairs(pats) do want = want + p[i] * p[j] / 5 end end
      lu.assertAlmostEquals(w[i][j], want, 1e-15)
    end
  end
end

function T.test_rule_storkey_formula()
  local rand = H.rng(9)
  local n, P = 8, 3
  local pats = {}
  for p = 1, P do pats[p] = H.random_state(n, rand) end
  -- reference: straight from the definition
  local w = {}
  for i = 1, n do w[i] = {} for j = 1, n do w[i][j] = 0 end end
  for _, x in ipairs(pats) do
    local function hloc(i, j)
      local s = 0
      for k = 1, n do if k ~= i and k ~= j then s = s + w[i][k] * x[k] end end
      return s
    end
    local new = {}
    for i = 1, n do
      new[i] = {}
      for j = 1, n do
        new[i][j] = i == j and 0 or w[i][j] + (x[i] * x[j] - x[i] * hloc(j, i) - hloc(i, j) * x[j]) / n
      end
    end
    w = new
  end
  local got = mh.rules.storkey(pats):totable()
  for i = 1, n do for j = 1, n do lu.assertAlmostEquals(got[i][j], w[i][j], 1e-14) end end
end

function T.test_rule_pinv_projects_patterns()
  local pats = mh.patterns.set("ECPDL")
  local W = mh.rules.pinv(pats, {keep_diagonal = true})
  for _, x in ipairs(pats) do
    local Wx = (W * mh.array(x)):totable()
    for i = 1, #x do lu.assertAlmostEquals(Wx[i], x[i], 1e-10) end
  end
  lu.assertTrue((W - W:t()):maxabs() < 1e-12)
  local W0 = mh.rules.pinv(pats):totable()
  for i = 1, 35 do lu.assertEquals(W0[i][i], 0) end
  -- orthogonal patterns: projection = outer product + diagonal
  local o = mh.rules.pinv({{1, 1, 1, 1}, {1, -1, 1, -1}}):totable()
  local h = mh.rules.outer({{1, 1, 1, 1}, {1, -1, 1, -1}}):totable()
  for i = 1, 4 do for j = 1, 4 do lu.assertAlmostEquals(o[i][j], h[i][j], 1e-14) end end
end

function T.test_bad_input()
  H.raises("square weight matrix", mh.hopfield.new, {{1, 2, 3}, {4, 5, 6}})
  H.raises("symmetric weights expected", mh.hopfield.new, {{0, 1}, {2, 0}})
  H.raises("not finite", mh.hopfield.new, {{0, 0 / 0}, {0 / 0, 0}})
  local net = mh.hopfield.new {{0, 1}, {1, 0}}
  H.raises("length 2 expected", net.energy, net, {1, 1, 1})
  H.raises("entries must be +1 or -1", net.recall, net, {1, 0})
  H.raises("option 'mode' = 'sideways' not one of sync, async", net.recall, net, {1, 1}, {mode = "sideways"})
  H.raises("max_sweeps", net.recall, net, {1, 1}, {max_sweeps = 0})
  H.raises("at most 20 nodes", mh.hopfield.new(H.random_symmetric(21, H.rng(1))).landscape,
           mh.hopfield.new(H.random_symmetric(21, H.rng(1))))
  H.raises("linearly dependent", mh.rules.pinv, {{1, 1, -1}, {1, 1, -1}})
  H.raises("pattern 2: length 3 expected", mh.rules.outer, {{1, 1, -1}, {1, 1}})
  H.raises("pattern 1: entry 2 is 3", mh.rules.storkey, {{1, 3, -1}})
end

-- One convention: states are numbered 1..2^n everywhere; states print as
-- labels; a "+-+-" label is accepted wherever a ±1 pattern is.
function T.test_states_one_based_and_printed_as_labels()
  local H4 = mh.hopfield
  lu.assertEquals(tostring(H4.state(1, 4)), "++++")
  lu.assertEquals(tostring(H4.state(16, 4)), "----")
  H.raises("1-based", H4.state, 0, 4)
  H.raises("1..16", H4.state, 17, 4)
  lu.assertEquals(tostring(H4.parse("+-+-")), "+-+-")
  lu.assertEquals("state " .. H4.parse("++--"), "state ++--")
  lu.assertTrue(H4.parse("+-+-") == H4.state(6, 4))
  local dev = mh.compact.new()
  dev:pulse("++--", 60)
  local net = H4.new(dev:weights())
  local s, sweeps, converged = net:recall("+---", {mode = "async", seed = 1})
  lu.assertEquals(tostring(s), "++--")
  lu.assertEquals(s[1], 1)
  lu.assertEquals(#s, 4)
  lu.assertTrue(converged)
  lu.assertTrue(sweeps >= 1)
  lu.assertEquals(net:energy("++--"), net:energy({1, 1, -1, -1}))
  local ks = H4.argmin(net:landscape(), 1e-9)
  table.sort(ks)
  lu.assertEquals(ks, {H4.index("++--"), H4.index("--++")})
  -- labels wherever a pattern goes: compact:pulse, rules, gradient
  local a, b = mh.compact.new(), mh.compact.new()
  a:pulse("+-+-", 5)
  b:pulse({1, -1, 1, -1}, 5)
  lu.assertEquals(a:conductance():totable(), b:conductance():totable())
  lu.assertEquals(mh.rules.outer({"+-+-", "++--"}):totable(), mh.rules.outer({{1, -1, 1, -1}, {1, 1, -1, -1}}):totable())
  lu.assertEquals(a:cost("+−+−"), a:cost({1, -1, 1, -1})) -- the minus sign U+2212 too
  lu.assertEquals(H4.similarity("+-+-", {1, 1, 1, -1}), 2)
  lu.assertEquals(H4.label("+−+−"), "+-+-")
  lu.assertEquals({H4.classify("++-+", {"+-+-", "++--"})}, {2, 2})
  H.raises("has 'x' at position 3", a.pulse, a, "+-x-")
  H.raises("length 4 expected, got 3", a.pulse, a, "+-+")
end

return {TestHopfield = T}
