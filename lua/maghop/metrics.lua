--- Recall metrics for associative-memory experiments: seeded test sets of
-- distorted patterns, and for a recall rule its accuracy (classification
-- by maximum overlap), exact-restoration rate and mean Hamming distance to
-- the true pattern after recall and before it; seeded weight jitter that
-- makes tie artefacts of a weight matrix visible.
--
-- Why all of these: with few flipped pixels, classifying the distorted
-- input with no recall at all is already (nearly) always right, so the
-- accuracy mostly measures whether a recall does *not* pull an image into
-- the wrong attractor. Restoration (exact rate, Hamming distance after
-- recall next to the input's) is what a memory adds.
local core = require "maghop.core"
local hopfield = require "maghop.hopfield"
local args = require "maghop.args"

local metrics = {}
local RECALL_KEYS = {"mode", "seed", "max_sweeps"}

local function fail(fname, msg, level) error(("metrics.%s: %s"):format(fname, msg), level or 3) end

local function check_patterns(pats, fname)
  if type(pats) ~= "table" or #pats == 0 then fail(fname, "argument 'patterns' must be a non-empty list of ±1 tables") end
  local n = type(pats[1]) == "table" and #pats[1] or 0
  for p, x in ipairs(pats) do
    if type(x) ~= "table" or #x ~= n or n == 0 then
      fail(fname, ("pattern %d must be a ±1 table of %d entries"):format(p, n))
    end
    for i = 1, n do
      if x[i] ~= 1 and x[i] ~= -1 then fail(fname, ("pattern %d, entry %d is %s; +1 or -1 expected"):format(p, i, tostring(x[i]))) end
    end
  end
  return n
end

--- Flip counts from a text: "1-3" -> {1, 2, 3}, "4,6,8" -> {4, 6, 8},
-- "2" -> {2} (ranges and lists may mix: "1-3,6"). Counts must lie in
-- 1..max (max optional). Raises naming the text on anything else.
-- Duplicates are dropped; the result is sorted ascending.
-- @tparam string|integer spec flip counts text (a number is read as its text)
-- @tparam[opt] integer max largest allowed count (pattern length), 1..2^30
-- @treturn {integer,...} sorted distinct counts
-- @raise on a malformed text, a count of 0, a downward range, or a count above max
-- @usage mh.metrics.parse_flips("1-3,6", 35) --> {1, 2, 3, 6}
function metrics.parse_flips(spec, max)
  if max ~= nil then max = args.integer("metrics.parse_flips", "argument 'max'", max, 1, 1 << 30) end
  if type(spec) == "number" then spec = tostring(math.tointeger(spec) or spec) end
  if type(spec) ~= "string" then fail("parse_flips", "flip counts must be a text like \"1-3\" or \"4,6,8\"") end
  local out, seen = {}, {}
  local function add(k)
    if max and k > max then fail("parse_flips", ("flip count %d in %q exceeds the pattern length %d"):format(k, spec, max)) end
    if not seen[k] then seen[k] = true; out[#out + 1] = k end
  end
  for item in (spec .. ","):gmatch("([^,]*),") do
    local a, b = item:match("^%s*(%d+)%s*%-%s*(%d+)%s*$")
    local single = item:match("^%s*(%d+)%s*$")
    if a then
      a, b = math.tointeger(tonumber(a)), math.tointeger(tonumber(b))
      if a < 1 or b < a then fail("parse_flips", ("range %q in %q must run upwards from 1 or more"):format(item, spec)) end
      for k = a, b do add(k) end
    elseif single then
      local k = math.tointeger(tonumber(single))
      if k < 1 then fail("parse_flips", ("flip count 0 in %q; counts start at 1"):format(spec)) end
      add(k)
    else
      fail("parse_flips", ("%q is not a flip count list like \"1-3\" or \"4,6,8\""):format(spec))
    end
  end
  table.sort(out)
  return out
end

--- Seeded test set: for every pattern (label = its index), every flip
-- count k of `flips` and t = 1..per, the pattern with k distinct pixels
-- flipped (seed = seed*1000003 + label*10007 + k*101 + t). Returns a list of
-- {x = distorted ±1 table, label =, k =}.
-- @tparam {{number,...},...} pats non-empty list of ±1 patterns of equal length n
-- @tparam {integer,...} flips non-empty list of counts, each in 0..n
-- @tparam integer per cases per (pattern, count), >= 1
-- @tparam integer seed base seed
-- @treturn {table,...} #pats * #flips * per cases
-- @raise on malformed patterns, an empty flips list or a count out of
-- range, per < 1, or a non-integer seed
-- @usage local set = mh.metrics.test_set(pats, {1, 2, 3}, 20, 1)
function metrics.test_set(pats, flips, per, seed)
  local n = check_patterns(pats, "test_set")
  if type(flips) ~= "table" or #flips == 0 then fail("test_set", "argument 'flips' must be a non-empty list of counts") end
  for _, k in ipairs(flips) do
    if math.type(k) ~= "integer" or k < 0 or k > n then
      fail("test_set", ("flip count %s must be an integer in 0..%d"):format(tostring(k), n))
    end
  end
  if math.type(per) ~= "integer" or per < 1 then fail("test_set", ("'per' must be an integer >= 1, got %s"):format(tostring(per))) end
  if math.type(seed) ~= "integer" then fail("test_set", ("'seed' must be an integer, got %s"):format(tostring(seed))) end
  local set = {}
  for li, x in ipairs(pats) do
    for _, k in ipairs(flips) do
      for t = 1, per do
        set[#set + 1] = {x = core.flip(x, k, seed * 1000003 + li * 10007 + k * 101 + t), label = li, k = k}
      end
    end
  end
  return set
end

local function hamming(x, y)
  local d = 0
  for i = 1, #x do if x[i] ~= y[i] then d = d + 1 end end
  return d
end

--- Evaluate a recall on a test set. recall: function(x) -> state (±1
-- table), or nil for no recall (the input itself is classified). Returns
-- {accuracy = share classified as the true pattern (maximum overlap, first
-- pattern on a tie), exact = share restored exactly, hamming = mean pixels
-- wrong after recall, hamming_input = mean pixels wrong before recall,
-- changed = mean pixels the recall changed, n = cases, confusion =
-- [true][predicted] counts}.
-- @tparam function|nil recall function(x) -> ±1 state, or nil
-- @tparam {{number,...},...} pats the stored ±1 patterns (labels index them)
-- @tparam {table,...} set non-empty test set as from `test_set`
-- @treturn table {accuracy, exact, hamming, hamming_input, changed, n, confusion};
-- accuracy and exact are shares in [0, 1], the Hamming figures are pixels
-- @raise on malformed patterns, a recall that is not a function, an empty
-- set, a case label outside 1..#pats, or a recall result of the wrong length
-- @usage local r = mh.metrics.evaluate(mh.metrics.recall_of(w), pats, set)
function metrics.evaluate(recall, pats, set)
  check_patterns(pats, "evaluate")
  if recall ~= nil and type(recall) ~= "function" then fail("evaluate", "argument 'recall' must be a function or nil") end
  if type(set) ~= "table" or #set == 0 then fail("evaluate", "argument 'set' must be a non-empty test set") end
  local P = #pats
  local confusion = {}
  for i = 1, P do confusion[i] = {} for j = 1, P do confusion[i][j] = 0 end end
  local correct, exact, ham, ham_in, changed = 0, 0, 0, 0, 0
  for c, case in ipairs(set) do
    local truth = pats[case.label]
    if not truth then fail("evaluate", ("case %d has label %s; 1..%d expected"):format(c, tostring(case.label), P)) end
    local s = recall and recall(case.x) or case.x
    if type(s) ~= "table" or #s ~= #truth then fail("evaluate", ("recall of case %d returned no state of %d entries"):format(c, #truth)) end
    local pred = hopfield.classify(s, pats)
    confusion[case.label][pred] = confusion[case.label][pred] + 1
    if pred == case.label then correct = correct + 1 end
    local h = hamming(s, truth)
    if h == 0 then exact = exact + 1 end
    ham = ham + h
    ham_in = ham_in + hamming(case.x, truth)
    changed = changed + hamming(s, case.x)
  end
  local n = #set
  return {accuracy = correct / n, exact = exact / n, hamming = ham / n, hamming_input = ham_in / n,
          changed = changed / n, n = n, confusion = confusion}
end

--- Weights plus seeded symmetric jitter: w_ij + eps * max|w| * u_ij with
-- u_ij uniform in [-1, 1), u_ij = u_ji, zero diagonal. With eps tiny
-- (1e-9) no real decision changes, but a node whose field is exactly zero
-- (where the plain rule keeps its value) now follows the jitter's sign: a
-- score that moves under jitter rests on ties. Returns an Array.
-- The same (w, eps, seed) always gives the same matrix.
-- @tparam Array|table w n x n weight matrix
-- @tparam number eps relative amplitude, in [0, 1]
-- @tparam integer seed jitter seed (u_ij = 2 core.uniform(seed, i, j) - 1, i < j)
-- @treturn Array n x n symmetric matrix with zero diagonal
-- @raise when w is not a square matrix, eps is outside [0, 1] or NaN, or
-- seed is not an integer >= 0
function metrics.jitter(w, eps, seed)
  local t = type(w) == "table" and w or (type(w) == "userdata" and w.totable and w:totable())
  if type(t) ~= "table" or #t == 0 then fail("jitter", "argument 'w' must be a square matrix (table of rows or Array)") end
  local n = #t
  if type(eps) ~= "number" or not (eps >= 0) or eps > 1 then fail("jitter", ("'eps' must be in [0, 1], got %s"):format(tostring(eps))) end
  if math.type(seed) ~= "integer" or seed < 0 then fail("jitter", ("'seed' must be an integer >= 0, got %s"):format(tostring(seed))) end
  local scale = 0
  for i = 1, n do
    if type(t[i]) ~= "table" or #t[i] ~= n then fail("jitter", ("row %d must hold %d numbers"):format(i, n)) end
    for j = 1, n do scale = math.max(scale, math.abs(t[i][j])) end
  end
  local out = {}
  for i = 1, n do out[i] = {} end
  for i = 1, n do
    out[i][i] = 0
    for j = i + 1, n do
      local u = core.uniform(seed, i, j) * 2 - 1
      local v = t[i][j] + eps * scale * u
      out[i][j], out[j][i] = v, v
    end
  end
  return core.array(out)
end

--- Coefficient of determination of predictions p for values y: the share
-- of the variance of y that p explains, R^2 = 1 - sum (y - p)^2 / sum (y -
-- mean y)^2 (1: exact; 0: no better than the mean; negative: worse). NaN
-- when y does not vary.
-- @tparam {number,...} y observed values (non-empty)
-- @tparam {number,...} p predictions, as many as y
-- @treturn number R^2
-- @raise when y or p is not a list of numbers or their lengths differ
-- @usage local r2 = mh.metrics.r2({1, 2, 3}, {1.1, 1.9, 3.2})
function metrics.r2(y, p)
  args.type("metrics.r2", "argument 'y'", y, "table")
  args.type("metrics.r2", "argument 'p'", p, "table")
  if #y == 0 or #p ~= #y then
    fail("r2", ("'y' and 'p' must be non-empty lists of equal length, got %d and %d"):format(#y, #p))
  end
  for i = 1, #y do
    if type(y[i]) ~= "number" or type(p[i]) ~= "number" then
      fail("r2", ("entry %d of 'y' and 'p' must be numbers, got %s and %s"):format(i, type(y[i]), type(p[i])))
    end
  end
  local mean = 0
  for i = 1, #y do mean = mean + y[i] / #y end
  local sr, st = 0, 0
  for i = 1, #y do sr = sr + (y[i] - p[i]) ^ 2; st = st + (y[i] - mean) ^ 2 end
  return st > 0 and 1 - sr / st or 0 / 0
end

--- Recall function of a weight matrix: function(x) -> state, through
-- hopfield.new(w):recall with opts.mode ("sync" default | "async") and
-- opts.seed (async node order).
-- @tparam Array|table w n x n weight matrix
-- @tparam[opt] table opts mode ("sync" default or "async"), seed (integer,
-- async node order), max_sweeps (limit on recall sweeps); see `hopfield`
-- @treturn function recall(x) -> ±1 state
-- @raise on an unknown option key or a w that hopfield.new rejects; option
-- values are checked by the network's recall when the function is called
function metrics.recall_of(w, opts)
  opts = args.options("metrics.recall_of", opts, RECALL_KEYS)
  local net = hopfield.new(w)
  local ropts = {mode = opts.mode or "sync", seed = opts.seed, max_sweeps = opts.max_sweeps}
  return function(x) return (net:recall(x, ropts)) end
end

return metrics
