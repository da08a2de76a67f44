--- A second compact model: per-pair update rules fitted to twin traces.
--
-- Eq. 2 (maghop.compact) gives every pair the same rate eta and makes the
-- change of G_ij depend on the pattern only through x_i x_j. On a 35-node
-- film neither holds: distant pairs barely move, and what a pulse writes
-- between pads i and j depends on the local write current (the Oersted
-- field) between them, which all 35 pad voltages shape. This model keeps
-- one small linear rule per pair,
--
--   dG_ij = sum_k theta_ij,k phi_k(x, G_ij)     per pulse of pattern x,
--
-- with features phi = (1, G, x_i x_j, f, s, f G, s G, x_i x_j G, s x_i x_j,
-- s f): a
-- per-pair rate and saturation (the G terms) and the write field along the
-- segment from pad i to pad j, from the Au current solve of pattern x:
-- s = mean |h|^2 (strength) and f = mean (h_perp^2 - h_par^2) (h the in-plane
-- Oersted field over the calibration peak, split along and across the pair
-- axis: a field across the axis turns m across the current between the
-- pads, which AMR reads as a larger |G_ij|). Fitted per pair by ridge
-- regression on standardised features (lambda relative to the data).
-- Units: G in siemens, features dimensionless.
local core = require "maghop.core"
local hopfield = require "maghop.hopfield"
local args = require "maghop.args"
local metrics = require "maghop.metrics"

local pairwise = {}
local FIT_KEYS = {"traces", "features", "lambda", "terms"}
local DEVICE_KEYS = {"G0", "G1T", "xi"}

pairwise.FEATURES = {"one", "G", "xx", "f", "s", "fG", "sG", "xxG", "sxx", "sf"}
local SAMPLES = {0.2, 0.35, 0.5, 0.65, 0.8} -- points along the pad-to-pad segment

local function pair_list(n)
  local pl = {}
  for i = 1, n - 1 do for j = i + 1, n do pl[#pl + 1] = {i, j} end end
  return pl
end
pairwise.pairs = pair_list

--- Pair values (upper triangle, pair order 12, 13, ..., 23, ...) of an N x N
-- matrix (Array or table of rows).
-- @tparam Array|table G N x N matrix (e.g. conductances, S)
-- @treturn {number,...} N(N-1)/2 values, same unit as G
-- @raise when G is not a matrix
function pairwise.upper(G)
  args.matrix("pairwise.upper", "argument 'G'", G)
  local t = type(G) == "table" and G or G:totable()
  local v = {}
  for i = 1, #t - 1 do for j = i + 1, #t do v[#v + 1] = t[i][j] end end
  return v
end

--- Field features of a twin device: returns fn(x) -> {xx = {}, f = {}, s =
-- {}} (one value per pair), from the Oersted field of pattern x at the
-- twin's calibrated drive (dev:field_of), sampled along each pad-to-pad
-- segment; cached per pattern.
-- @tparam Twin dev a device from `mh.twin.new`
-- @treturn function fn(x) -> features of pattern x
-- @raise when dev is not a twin device
function pairwise.field_features(dev)
  if type(dev) ~= "table" or dev.model ~= "twin" then error("pairwise.field_features: a twin device expected", 2) end
  local film, el = dev.film, dev.el
  local nx, ny, _, dx, dy = film:shape()
  local rects = el:rects(film)
  local N = #rects
  local pl = pair_list(N)
  local H0 = dev.peak_H
  -- nearest cell of each sample point
  local geo = {}
  for p, ij in ipairs(pl) do
    local a, b = rects[ij[1]], rects[ij[2]]
    local ex, ey = b.x - a.x, b.y - a.y
    local len = math.sqrt(ex * ex + ey * ey)
    ex, ey = ex / len, ey / len
    local cells = {}
    for k, t in ipairs(SAMPLES) do
      local x, y = a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)
      local ci = math.min(nx, math.max(1, math.floor(x / dx) + 1))
      local cj = math.min(ny, math.max(1, math.floor(y / dy) + 1))
      cells[k] = {ci, cj}
    end
    geo[p] = {ex = ex, ey = ey, cells = cells}
  end
  local cache = {}
  return function(x)
    local key = hopfield.label(x)
    if cache[key] then return cache[key] end
    local H = dev:field_of(x)
    local out = {xx = {}, f = {}, s = {}}
    for p, ij in ipairs(pl) do
      local g = geo[p]
      local f, s = 0, 0
      for _, c in ipairs(g.cells) do
        local hx, hy = H:get(c[1], c[2], 1)
        hx, hy = hx / H0, hy / H0
        local par = hx * g.ex + hy * g.ey
        local perp = -hx * g.ey + hy * g.ex
        f = f + perp * perp - par * par
        s = s + perp * perp + par * par
      end
      out.xx[p] = x[ij[1]] * x[ij[2]]
      out.f[p] = f / #g.cells
      out.s[p] = s / #g.cells
    end
    cache[key] = out
    return out
  end
end

local function phi_all(ft, p, g)
  local xx, f, s = ft.xx[p], ft.f[p], ft.s[p]
  return {1, g, xx, f, s, f * g, s * g, xx * g, s * xx, s * f}
end

-- features of pair p for the model's terms (indices into FEATURES)
local function phi_of(terms)
  return function(ft, p, g)
    local a, out = phi_all(ft, p, g), {}
    for k, c in ipairs(terms) do out[k] = a[c] end
    return out
  end
end

-- Two patterns (±1 tables or labels) are the same one.
local function same_pattern(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

--- Record a trace: apply `patterns` (list of ±1 tables) to the device one
-- pulse each (dev:pulse(x, 1)) and keep G before and after every pulse.
-- Returns {G = {pair values before pulse 1, after pulse 1, ...}, x = patterns}.
-- A long recording can be checkpointed and continued: opts.on_pulse(k,
-- trace) is called after pulse k (e.g. to save trace and device state), and
-- opts.trace, a partial trace of the first pulses of the same `patterns`
-- with the device in the state it left, is continued from the next pulse.
-- @param dev a device with pulse and conductance methods (twin, compact, pairwise)
-- @tparam {table,...} patterns ±1 patterns (or labels the device accepts), one pulse each
-- @tparam[opt] table opts on_pulse (function), trace (partial trace to continue)
-- @treturn table trace {G, x}; G values in S
-- @raise on an unknown option key, a partial trace that is not a prefix of
-- `patterns`, or whatever dev:pulse or dev:conductance raises
function pairwise.record(dev, patterns, opts)
  opts = args.options("pairwise.record", opts, {"on_pulse", "trace"})
  args.type("pairwise.record", "argument 'patterns'", patterns, "table")
  local trace = opts.trace
  if trace == nil then
    trace = {G = {pairwise.upper(dev:conductance())}, x = {}}
  elseif type(trace) ~= "table" or type(trace.G) ~= "table" or type(trace.x) ~= "table"
         or #trace.G ~= #trace.x + 1 or #trace.x > #patterns then
    error(("pairwise.record: option 'trace' must be a partial trace {G, x} of at most %d pulses with #G = #x + 1")
      :format(#patterns), 2)
  end
  for k = 1, #trace.x do
    if not same_pattern(trace.x[k], patterns[k]) then
      error(("pairwise.record: option 'trace': pulse %d of the partial trace is not patterns[%d]"):format(k, k), 2)
    end
  end
  for k = #trace.x + 1, #patterns do
    local x = patterns[k]
    dev:pulse(x, 1)
    trace.G[k + 1] = pairwise.upper(dev:conductance())
    trace.x[k] = x
    if opts.on_pulse then opts.on_pulse(k, trace) end
  end
  return trace
end

-- Solve the small dense system A t = b (tables) by Gaussian elimination.
local function solve(A, b)
  local X, err = core.solve(A, (function() local c = {} for i = 1, #b do c[i] = {b[i]} end return c end)())
  if not X then return nil, err end
  local t = {}
  for i = 1, #b do t[i] = X:get(i, 1) end
  return t
end

--- Fit the per-pair rules. opts: traces (list of pairwise.record results),
-- features (fn(x) from pairwise.field_features), lambda (ridge strength
-- relative to the mean diagonal of each pair's standardised normal matrix,
-- default 1e-2), terms (list of names from pairwise.FEATURES, default all).
-- Returns a model {theta = {[pair] = coefficients}, pairs,
-- lambda, steps, r2 (in-sample share of the per-pulse dG variance)}.
-- @tparam table opts traces, features (required), lambda, terms
-- @treturn table the model
-- @raise on an unknown option key, missing traces or features, a negative
-- or non-finite lambda, an unknown term, or a singular fit for a pair
function pairwise.fit(opts)
  opts = args.options("pairwise.fit", opts, FIT_KEYS)
  if type(opts.traces) ~= "table" or #opts.traces == 0 then
    error("pairwise.fit: opts.traces (list of recorded traces) required", 2)
  end
  if type(opts.features) ~= "function" then error("pairwise.fit: opts.features (fn(x) -> features) required", 2) end
  local lambda = opts.lambda or 1e-2
  if type(lambda) ~= "number" or not (lambda >= 0) or lambda == math.huge then
    error("pairwise.fit: 'lambda' must be a finite number >= 0, got " .. tostring(lambda), 2)
  end
  local terms, names = {}, {}
  for k, name in ipairs(pairwise.FEATURES) do names[name] = k end
  for k, name in ipairs(opts.terms or pairwise.FEATURES) do
    terms[k] = names[name] or error(("pairwise.fit: unknown term %q (accepted: %s)"):format(tostring(name),
      table.concat(pairwise.FEATURES, ", ")), 2)
  end
  local NF = #terms
  local phi = phi_of(terms)
  local P = #opts.traces[1].G[1]
  local theta, steps = {}, 0
  for _, tr in ipairs(opts.traces) do steps = steps + #tr.x end
  if steps < 2 or (lambda == 0 and steps < NF) then
    error(("pairwise.fit: %d pulses in the traces; at least %d needed%s"):format(steps, lambda == 0 and NF or 2,
      lambda == 0 and " without ridge (lambda = 0)" or ""), 2)
  end
  local fts = {}
  for t, tr in ipairs(opts.traces) do
    fts[t] = {}
    for k, x in ipairs(tr.x) do fts[t][k] = opts.features(x) end
  end
  for p = 1, P do
    -- standardise columns (RMS), ridge on the standardised coefficients
    local rows, ys = {}, {}
    for t, tr in ipairs(opts.traces) do
      for k = 1, #tr.x do
        rows[#rows + 1] = phi(fts[t][k], p, tr.G[k][p])
        ys[#ys + 1] = tr.G[k + 1][p] - tr.G[k][p]
      end
    end
    local sc = {}
    for c = 1, NF do
      local v = 0
      for r = 1, #rows do v = v + rows[r][c] ^ 2 end
      sc[c] = math.sqrt(v / #rows)
      if sc[c] == 0 then sc[c] = 1 end
    end
    local A, b = {}, {}
    for c = 1, NF do A[c] = {} for d = 1, NF do A[c][d] = 0 end b[c] = 0 end
    for r = 1, #rows do
      local z = {}
      for c = 1, NF do z[c] = rows[r][c] / sc[c] end
      for c = 1, NF do
        b[c] = b[c] + z[c] * ys[r]
        for d = 1, NF do A[c][d] = A[c][d] + z[c] * z[d] end
      end
    end
    local tr = 0
    for c = 1, NF do tr = tr + A[c][c] end
    for c = 1, NF do A[c][c] = A[c][c] + lambda * tr / NF + 1e-300 end
    local t, err = solve(A, b)
    if not t then error(("pairwise.fit: pair %d: %s"):format(p, tostring(err)), 2) end
    for c = 1, NF do t[c] = t[c] / sc[c] end
    theta[p] = t
  end
  local model = {theta = theta, pairs = pair_list(math.floor((1 + math.sqrt(1 + 8 * P)) / 2 + 0.5)),
                 lambda = lambda, steps = steps, features = opts.features, phi = phi, terms = opts.terms or pairwise.FEATURES}
  model.r2 = pairwise.r2(model, opts.traces)
  return model
end

--- Predicted change of every pair for one pulse of x from pair values g.
-- @tparam table model from `fit`
-- @tparam {number,...} g pair values (as `upper`), S
-- @tparam table x ±1 pattern
-- @treturn {number,...} predicted change per pair, S
function pairwise.step(model, g, x)
  local ft = model.features(x)
  local d = {}
  for p, t in ipairs(model.theta) do
    local f = model.phi(ft, p, g[p])
    local s = 0
    for c = 1, #t do s = s + t[c] * f[c] end
    d[p] = s
  end
  return d
end

--- R^2 of the one-pulse predictions of dG over traces (each step starts from
-- the recorded G): 1 - sum (dG - pred)^2 / sum (dG - mean dG)^2, over all
-- pairs and pulses.
-- @tparam table model from `fit`
-- @tparam table traces one trace from `record` or a list of them
-- @treturn number R^2 (NaN when dG has no variance)
function pairwise.r2(model, traces)
  if traces.G then traces = {traces} end
  local ys, ps = {}, {}
  for _, tr in ipairs(traces) do
    for k, x in ipairs(tr.x) do
      local d = pairwise.step(model, tr.G[k], x)
      for p = 1, #d do
        ys[#ys + 1] = tr.G[k + 1][p] - tr.G[k][p]
        ps[#ps + 1] = d[p]
      end
    end
  end
  return metrics.r2(ys, ps)
end

local Dev = {}
Dev.__index = Dev

--- A device that runs the fitted rules: pairwise.device(model, {G0 =
-- (N x N start matrix), G1T = (N x N reference), xi =}). Methods as the
-- other devices: dev:pulse(x, count), dev:conductance(), dev:weights()
-- (w = G - xi G1T, zero diagonal), dev.nodes, dev.model = "pairwise".
-- dev:pulse(x[, count = 1]) takes a ±1 table of N entries and count >= 0;
-- dev:conductance() returns the N x N Array (S) with rows summing to zero.
-- @tparam table model from `fit`
-- @tparam table opts G0 and G1T (N x N, Array or table, S; required), xi (0..10, default 1)
-- @treturn table the device
-- @raise on an unknown option key, a model not from fit, a missing G0 or
-- G1T, sizes that differ from the model's, or xi out of range
function pairwise.device(model, opts)
  opts = args.options("pairwise.device", opts, DEVICE_KEYS)
  if type(model) ~= "table" or type(model.theta) ~= "table" then
    error("pairwise.device: argument 'model' must come from pairwise.fit", 2)
  end
  args.opt("pairwise.device", opts, "xi", {min = 0, max = 10, default = 1})
  local G0 = opts.G0 and (type(opts.G0) == "table" and opts.G0 or opts.G0:totable())
  if not G0 then error("pairwise.device: opts.G0 (start conductance matrix) required", 2) end
  local n = #G0
  local G1 = opts.G1T and (type(opts.G1T) == "table" and opts.G1T or opts.G1T:totable())
  if not G1 or #G1 ~= n then error(("pairwise.device: opts.G1T (%dx%d reference) required"):format(n, n), 2) end
  if #model.pairs ~= n * (n - 1) // 2 then error("pairwise.device: model and G0 have different node counts", 2) end
  return setmetatable({g = pairwise.upper(G0), G1 = G1, xi = opts.xi or 1, model_ = model, nodes = n,
                       model = "pairwise"}, Dev)
end

function Dev:pulse(x, count)
  x = args.pm1("pairwise device:pulse", "argument 'x'", x, self.nodes)
  count = args.integer("pairwise device:pulse", "argument 'count'", count, 0, nil, 1)
  for _ = 1, count do
    local d = pairwise.step(self.model_, self.g, x)
    for p = 1, #d do self.g[p] = self.g[p] + d[p] end
  end
  return self
end

function Dev:conductance()
  local n = self.nodes
  local G = {}
  for i = 1, n do G[i] = {} for j = 1, n do G[i][j] = 0 end end
  for p, ij in ipairs(self.model_.pairs) do
    G[ij[1]][ij[2]], G[ij[2]][ij[1]] = self.g[p], self.g[p]
  end
  for i = 1, n do
    local s = 0
    for j = 1, n do if j ~= i then s = s - G[i][j] end end
    G[i][i] = s
  end
  return core.array(G)
end

function Dev:weights()
  local G = self:conductance():totable()
  for i = 1, self.nodes do
    for j = 1, self.nodes do G[i][j] = i == j and 0 or G[i][j] - self.xi * self.G1[i][j] end
  end
  return core.array(G)
end

args.public(Dev, "pairwise device:")
return pairwise
