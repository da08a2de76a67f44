--- The compact device model: the paper's Eq. (2), an Oja-type update of the
-- conductance matrix G per voltage pulse.
--
--   G_ij <- G_ij + eta [ x_i x_j - 2 alpha_ij (G_ij - Gavg_ij) ],  i ~= j
--   G_ii  = -sum_{j ~= i} G_ij                                 (Kirchhoff)
--
-- x_i = +1/-1 is the normalized neuron input (the sign of the Au pad voltage).
-- Units: G and Gavg in siemens, eta in S/V^2, alpha in V^2/S. The fixed point
-- of a pattern is Gavg_ij + x_i x_j / (2 alpha_ij).
local core = require "maghop.core"
local args = require "maghop.args"

local compact = {}

--- The paper's 4-node device (2x2 grid, node 1 top-left, 2 top-right,
-- 3 bottom-left, 4 bottom-right): Eq. (1), the state after saturating with
-- "+-+-", symmetrized from its upper triangle.
-- @field eta learning rate, S/V^2
-- @field alpha_edge decay of grid-neighbour pairs 12, 13, 24, 34, V^2/S
-- @field alpha_diagonal decay of diagonal pairs 14, 23, V^2/S
-- @field pattern0 the pattern of Eq. (1), "+-+-"
-- @field G0 Eq. (1): the 4x4 conductance matrix, S
-- @table paper
compact.paper = {
  eta = 0.0006,           -- S/V^2
  alpha_edge = 111,       -- V^2/S, pairs 12, 13, 24, 34 (grid neighbours)
  alpha_diagonal = 277,   -- V^2/S, pairs 14, 23
  pattern0 = {1, -1, 1, -1},
  G0 = {
    {0.178, -0.066, -0.066, -0.046},
    {-0.066, 0.171, -0.041, -0.065},
    {-0.066, -0.041, 0.173, -0.066},
    {-0.046, -0.065, -0.066, 0.177},
  },
}

local function matrix_table(m, n, what)
  if m == nil then return nil end
  local t = m
  if type(m) == "userdata" and m.totable then t = m:totable()
  elseif type(m) ~= "table" then args.fail("option '%s': %dx%d matrix expected, got %s", what, n, n, type(m)) end
  if #t ~= n then args.fail("option '%s': %dx%d matrix expected, got %d rows", what, n, n, #t) end
  for i = 1, n do
    local row = t[i]
    if type(row) ~= "table" or #row ~= n then args.fail("option '%s': row %d must hold %d numbers", what, i, n) end
    for j = 1, n do
      local v = row[j]
      if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
        args.fail("option '%s': entry [%d][%d] = %s is not a finite number", what, i, j, args.show(v))
      end
    end
  end
  return t
end

--- Row-major grid neighbours: alpha_edge for pairs that share a grid edge,
-- alpha_diagonal otherwise (the paper's values are for the 2x2 device; other
-- layouts need their own alpha, e.g. fitted to measured G(t)).
local function default_alpha(n, cols, a_edge, a_diag)
  local A = {}
  for i = 1, n do
    A[i] = {}
    for j = 1, n do
      local ri, ci = (i - 1) // cols, (i - 1) % cols
      local rj, cj = (j - 1) // cols, (j - 1) % cols
      local edge = math.abs(ri - rj) + math.abs(ci - cj) == 1
      A[i][j] = i == j and 0 or (edge and a_edge or a_diag)
    end
  end
  return A
end

--- Largest device: n x n matrices are built in Lua tables first, so the
-- size is checked before anything is allocated.
compact.MAX_NODES = 1024

local NEW_KEYS = {"nodes", "eta", "alpha", "alpha_edge", "alpha_diagonal", "cols", "G0", "Gavg", "pattern0"}

-- The row count of a matrix option (table of rows or Array), or nil.
local function matrix_rows(m, key)
  if m == nil then return nil end
  if type(m) == "table" then return #m end
  if type(m) == "userdata" and m.shape then return (m:shape()) end
  args.fail("compact.new: option '%s' must be a matrix (table of rows or Array), got %s", key, type(m))
end

--- New compact device (a CompactDevice: its methods are listed there).
-- With no options: the paper's 4-node device in the state of Eq. (1).
-- @tparam[opt] table opts
-- @int[opt=4] opts.nodes number of pads n (1..compact.MAX_NODES)
-- @number[opt=0.0006] opts.eta learning rate, S/V^2
-- @tparam[opt] number|table opts.alpha decay, V^2/S: an n x n matrix or one number for all pairs
-- @number[opt=111] opts.alpha_edge decay of grid-neighbour pairs, V^2/S
-- @number[opt=277] opts.alpha_diagonal decay of diagonal pairs, V^2/S
-- @int[opt=2] opts.cols grid width for the edge/diagonal split
-- @tparam[opt] table opts.G0 start conductance matrix, S (n x n)
-- @tparam[opt] table opts.Gavg the average conductance, S (n x n)
-- @tparam[opt] table|string opts.pattern0 the pattern G0 is saturated in; sets
--  Gavg = G0 - x x^T / (2 alpha) when Gavg is not given
-- @return the device
-- @raise for an unknown option, a wrong size or a non-finite entry
function compact.new(opts)
  opts = args.options("compact.new", opts, NEW_KEYS)
  local P = compact.paper
  local F = "compact.new"
  local n = args.integer(F, "option 'nodes'", opts.nodes, 2, compact.MAX_NODES,
                         matrix_rows(opts.G0, "G0") or 4)
  local eta = args.opt(F, opts, "eta", {gt = 0, max = 1e6, default = P.eta, unit = "S/V^2"})
  local cols = args.opt(F, opts, "cols", {integer = true, min = 1, max = n, default = math.min(2, n)})
  local a_edge = args.opt(F, opts, "alpha_edge", {gt = 0, lt = 1 / eta, default = P.alpha_edge, unit = "V^2/S", why = "Eq. 2 is unstable when 2 alpha eta >= 2"})
  local a_diag = args.opt(F, opts, "alpha_diagonal", {gt = 0, lt = 1 / eta, default = P.alpha_diagonal, unit = "V^2/S",
                                                        why = "Eq. 2 is unstable when 2 alpha eta >= 2"})
  if opts.pattern0 ~= nil then args.pm1(F, "option 'pattern0'", opts.pattern0, n) end
  local alpha
  if type(opts.alpha) == "number" then
    local a = args.opt(F, opts, "alpha", {gt = 0, lt = 1 / eta, unit = "V^2/S", why = "Eq. 2 is unstable when 2 alpha eta >= 2"})
    alpha = default_alpha(n, cols, a, a)
  elseif opts.alpha then
    alpha = matrix_table(opts.alpha, n, "alpha")
  else
    alpha = default_alpha(n, cols, a_edge, a_diag)
  end
  local G0 = matrix_table(opts.G0, n, "G0")
  if not G0 then
    if n ~= 4 then args.fail("compact.new: option 'G0' is required when nodes ~= 4 (no paper default)") end
    G0 = P.G0
  end
  local Gavg = matrix_table(opts.Gavg, n, "Gavg")
  if not Gavg then
    local x = opts.pattern0 or (n == 4 and not opts.G0 and P.pattern0)
    Gavg = {}
    for i = 1, n do
      Gavg[i] = {}
      for j = 1, n do
        local shift = 0
        if x and i ~= j then shift = x[i] * x[j] / (2 * alpha[i][j]) end
        Gavg[i][j] = G0[i][j] - shift
      end
    end
  end
  return core.compact(n, eta, alpha, Gavg, G0)
end

-- A compact device on a cols x rows pad grid with local connectivity
-- (a phenomenological stand-in for a fitted twin). With d_ij the pad
-- distance in pitches, alpha_ij = alpha1 exp((d - 1)/alpha_decay) (the swing
-- 1/(2 alpha) shrinks with distance) and Gavg_ij = -g1 exp(-(d - 1)/g_decay).
-- Defaults reproduce the 2x2 device's ratios: alpha 111 at d = 1 and 277 at
-- d = sqrt 2, |Gavg| 0.066 S at d = 1 and ~0.046 S at d = sqrt 2. Start: G = Gavg.
-- alpha is capped at alpha_max (default 1/(2 eta), where one pulse reaches
-- the fixed point): beyond 1/eta Eq. (2) overshoots and diverges.
-- opts: cols, rows, eta, alpha1, alpha_decay, alpha_max, g1, g_decay, G0.
local GRID_KEYS = {"cols", "rows", "eta", "alpha1", "alpha_decay", "alpha_max", "g1", "g_decay", "G0"}

--- A compact device on a cols x rows pad grid with local connectivity: with
-- d the pad distance in pitches, alpha_ij = alpha1 exp((d - 1)/alpha_decay)
-- (capped at alpha_max) and Gavg_ij = -g1 exp(-(d - 1)/g_decay); start G = Gavg.
-- @tparam table opts
-- @int[opt=5] opts.cols
-- @int[opt=7] opts.rows
-- @number[opt=0.0006] opts.eta S/V^2
-- @number[opt=111] opts.alpha1 V^2/S at d = 1
-- @number[opt] opts.alpha_decay pitches
-- @number[opt=1/(2 eta)] opts.alpha_max V^2/S
-- @number[opt=0.066] opts.g1 S at d = 1
-- @number[opt] opts.g_decay pitches
-- @tparam[opt] table opts.G0 start matrix, S
-- @return the device
function compact.grid(opts)
  opts = args.options("compact.grid", opts, GRID_KEYS)
  local F = "compact.grid"
  local cols = args.opt(F, opts, "cols", {integer = true, min = 1, max = compact.MAX_NODES, default = 5})
  local rows = args.opt(F, opts, "rows", {integer = true, min = 1, max = compact.MAX_NODES, default = 7})
  local n = cols * rows
  if n < 2 or n > compact.MAX_NODES then
    args.fail("compact.grid: cols*rows = %d outside the accepted range [2, %d] nodes", n, compact.MAX_NODES)
  end
  local eta = args.opt(F, opts, "eta", {gt = 0, max = 1e6, default = compact.paper.eta, unit = "S/V^2"})
  local amax = args.opt(F, opts, "alpha_max", {gt = 0, lt = 1 / eta, default = 1 / (2 * eta), unit = "V^2/S",
                                                       why = "Eq. 2 is unstable when 2 alpha eta >= 2"})
  local a1 = args.opt(F, opts, "alpha1", {gt = 0, default = 111, unit = "V^2/S"})
  local ad = args.opt(F, opts, "alpha_decay", {gt = 0, default = (math.sqrt(2) - 1) / math.log(277 / 111)})
  local g1 = args.opt(F, opts, "g1", {min = 0, max = 1e6, default = 0.066, unit = "S"})
  local gd = args.opt(F, opts, "g_decay", {gt = 0, default = (math.sqrt(2) - 1) / math.log(0.066 / 0.046)})
  local alpha, gavg = {}, {}
  for i = 1, n do
    alpha[i], gavg[i] = {}, {}
    for j = 1, n do
      local ri, ci = (i - 1) // cols, (i - 1) % cols
      local rj, cj = (j - 1) // cols, (j - 1) % cols
      local d = math.sqrt((ri - rj) ^ 2 + (ci - cj) ^ 2)
      alpha[i][j] = i == j and 0 or math.min(amax, a1 * math.exp((d - 1) / ad))
      gavg[i][j] = i == j and 0 or -g1 * math.exp(-(d - 1) / gd)
    end
  end
  return compact.new {nodes = n, eta = opts.eta, alpha = alpha, Gavg = gavg, G0 = opts.G0 or gavg}
end

--- Closed form of Eq. (2) under n pulses of one pattern x:
-- G(n) = G* + (G0 - G*)(1 - 2 alpha eta)^n, G* = Gavg + x_i x_j/(2 alpha).
function compact.closed_form(g0, gavg, alpha, eta, xixj, n)
  local F = "compact.closed_form"
  args.number(F, "argument 'g0'", g0)
  args.number(F, "argument 'gavg'", gavg)
  args.number(F, "argument 'alpha'", alpha, {gt = 0})
  args.number(F, "argument 'eta'", eta, {gt = 0})
  if xixj ~= 1 and xixj ~= -1 then args.fail("%s: argument 'xixj' = %s must be +1 or -1", F, args.show(xixj)) end
  args.number(F, "argument 'n'", n, {min = 0})
  local gstar = gavg + xixj / (2 * alpha)
  return gstar + (g0 - gstar) * (1 - 2 * alpha * eta) ^ n
end

local function pair_list(n)
  local pairs_ = {}
  for i = 1, n - 1 do for j = i + 1, n do pairs_[#pairs_ + 1] = {i, j} end end
  return pairs_
end

-- Normalize a fit trace into rows {pulse, G_pair1, G_pair2, ...} in pair order.
local function trace_rows(trace, n)
  local rows, header = trace.rows, trace.header
  if trace.table ~= nil and trace.csv ~= nil then
    error("compact.fit: give the table's path as option 'table' (or its older name 'csv'), once", 3)
  end
  local path = trace.table or trace.csv
  if path then
    local mio = require "maghop.io"
    header, rows = mio.read_table(path)
    if not header then error("compact.fit: cannot read table " .. tostring(path) .. ": " .. tostring(rows), 3) end
  end
  if type(rows) ~= "table" or #rows < 3 then
    error("compact.fit: trace needs 'table' or 'rows' with at least 3 rows (pulse, G12, G13, ...)", 3)
  end
  local pl = pair_list(n)
  local col = {}
  if header then
    local idx = {}
    for k, name in ipairs(header) do idx[name] = k end
    for p, ij in ipairs(pl) do
      col[p] = idx[("G%d%d"):format(ij[1], ij[2])]
      if not col[p] then error(("compact.fit: the table has no column G%d%d"):format(ij[1], ij[2]), 3) end
    end
  else
    for p = 1, #pl do col[p] = p + 1 end
  end
  local out = {}
  for r, row in ipairs(rows) do
    local o = {row[1]}
    for p = 1, #pl do
      local v = row[col[p]]
      if type(v) ~= "number" or v ~= v or math.abs(v) == math.huge then
        error(("compact.fit: row %d, pair %d%d: finite number expected"):format(r, pl[p][1], pl[p][2]), 3)
      end
      o[p + 1] = v
    end
    out[r] = o
  end
  return out, pl
end

-- Pattern applied to reach row `pulse` from the previous one.
local function schedule_fn(schedule)
  local hop = require "maghop.hopfield"
  if type(schedule) == "function" then return schedule end
  if type(schedule) == "string" then schedule = {{start = 1, pattern = schedule}} end
  if type(schedule) ~= "table" or #schedule == 0 then
    error("compact.fit: 'schedule' must be a pattern label, a list of {start=, pattern=} or a function", 3)
  end
  local segs = {}
  for k, seg in ipairs(schedule) do
    local x = type(seg.pattern) == "string" and hop.parse(seg.pattern) or seg.pattern
    segs[k] = {start = seg.start or 1, x = x}
  end
  table.sort(segs, function(a, b) return a.start < b.start end)
  return function(pulse)
    local x = segs[1].x
    for _, s in ipairs(segs) do if pulse >= s.start then x = s.x end end
    return x
  end
end

--- Least-squares fit of the compact model to a measured or simulated G(t).
-- trace: {table = path (a table as mh.io.read_table reads it, such as
--         fig3_oja_evolution's; `csv` is its older name) |
--         rows = {{pulse, G12, G13, ...}, ...} (header optional),
--         schedule = "++--" | {{start = pulse, pattern = "++--"}, ...} | fn(pulse) -> x,
--         nodes = 4}
-- Each step G(k) -> G(k+1) is linear in (eta, q_ij = 2 eta alpha_ij,
-- r_ij = q_ij Gavg_ij): dG = eta x_i x_j - q G + r. Only eta couples the
-- pairs, so the normal matrix is block-arrow shaped and is solved exactly
-- pair by pair (Schur complement on eta, G centred per pair): any number of
-- nodes, cost linear in pairs x steps. Standard errors come from the
-- residual variance and the exact inverse of that matrix (delta method for
-- alpha and Gavg). The trace must switch patterns for at least one pair,
-- otherwise eta cannot be told apart from alpha and Gavg.
-- Returns {eta, eta_err, alpha = {[i][j]}, alpha_err, Gavg, Gavg_err, rms, r2
-- (share of the variance of the per-pulse dG explained), pairs, steps,
-- unidentified = {"G14", ...}} (pairs whose G never moved: no alpha, Gavg).
-- Raises naming the reason when eta is not determined.
function compact.fit(trace)
  trace = args.options("compact.fit", trace, {"table", "csv", "rows", "header", "schedule", "nodes"})
  local n = args.integer("compact.fit", "option 'nodes'", trace.nodes, 2, compact.MAX_NODES, 4)
  local rows, pl = trace_rows(trace, n)
  local pattern = schedule_fn(trace.schedule or error("compact.fit: 'schedule' (patterns applied) is required", 2))
  local P, S = #pl, #rows - 1
  local xs = {}
  for r = 1, S do
    local pulses = rows[r + 1][1] - rows[r][1]
    if pulses ~= 1 then error(("compact.fit: rows %d and %d are %s pulses apart; one pulse per row expected"):format(r, r + 1, pulses), 2) end
    local x = pattern(rows[r + 1][1])
    if type(x) ~= "table" or #x < n then error(("compact.fit: schedule gave no pattern of %d entries for pulse %s"):format(n, tostring(rows[r + 1][1])), 2) end
    xs[r] = x
  end
  -- Per pair p, over the steps: a = x_i x_j, b = -G (before the step), y = dG.
  -- Centred: a~ = a - mean a etc.; B = b~.b~; the residual of u after the
  -- pair's own (q, r) fit is u~ - b~ (b~.u~)/B.
  local per = {}
  local any_switch, D, Nnum, sst = false, 0, 0, 0
  local ysum, ycount = 0, 0
  for p, ij in ipairs(pl) do
    local a, b, y = {}, {}, {}
    local ma, mb, my, gmax = 0, 0, 0, 0
    local seen = {}
    for r = 1, S do
      local g = rows[r][p + 1]
      a[r] = xs[r][ij[1]] * xs[r][ij[2]]
      b[r] = -g
      y[r] = rows[r + 1][p + 1] - g
      seen[a[r]] = true
      ma, mb, my = ma + a[r], mb + b[r], my + y[r]
      gmax = math.max(gmax, math.abs(g), math.abs(rows[r + 1][p + 1]))
    end
    ma, mb, my = ma / S, mb / S, my / S
    local B, ba, by, aa, ay, yy = 0, 0, 0, 0, 0, 0
    for r = 1, S do
      local ac, bc, yc = a[r] - ma, b[r] - mb, y[r] - my
      B, ba, by = B + bc * bc, ba + bc * ac, by + bc * yc
      aa, ay, yy = aa + ac * ac, ay + ac * yc, yy + yc * yc
    end
    for r = 1, S do ysum = ysum + y[r]; ycount = ycount + 1 end
    local q = {a = a, b = b, y = y, ma = ma, mb = mb, my = my, B = B, ba = ba, by = by}
    -- a pair whose G never moved (relative to its size) carries no information
    if B <= S * (1e-12 * gmax) ^ 2 or gmax == 0 then
      q.skip = true
    else
      if seen[1] and seen[-1] then any_switch = true end
      -- this pair's share of the Schur complement on eta
      D = D + aa - ba * ba / B
      Nnum = Nnum + ay - ba * by / B
    end
    per[p] = q
  end
  if not any_switch then
    error("compact.fit: the schedule never changes the sign of x_i x_j for any pair; "
      .. "a trace with a pattern switch is needed to separate eta from alpha and Gavg", 2)
  end
  local scale = 0
  for _, q in ipairs(per) do if not q.skip then scale = scale + S end end
  if not (D > 1e-9 * scale) then
    error(("compact.fit: eta is not determined: in every pair that moved, x_i x_j is (to %.1e of its variance) "
      .. "a linear function of G_ij over the trace, so eta cannot be told apart from alpha and Gavg"):format(D / scale), 2)
  end
  local eta = Nnum / D
  -- pair parameters at that eta, residuals
  local ss, neq, m = 0, 0, 1
  for _, q in ipairs(per) do
    if not q.skip then
      m = m + 2
      q.q = (q.by - eta * q.ba) / q.B
      q.r = q.my - eta * q.ma - q.q * q.mb
      for t = 1, S do
        local e = q.y[t] - (eta * q.a[t] + q.q * q.b[t] + q.r)
        ss, neq = ss + e * e, neq + 1
      end
    end
  end
  local ymean = ysum / ycount
  for _, q in ipairs(per) do
    if not q.skip then for t = 1, S do sst = sst + (q.y[t] - ymean) ^ 2 end end
  end
  local s2 = ss / math.max(1, neq - m)
  local res = {eta = eta, eta_err = math.sqrt(s2 / D), alpha = {}, alpha_err = {}, Gavg = {},
               Gavg_err = {}, rms = math.sqrt(ss / math.max(1, neq)), r2 = sst > 0 and 1 - ss / sst or 0 / 0,
               pairs = pl, steps = S}
  for i = 1, n do res.alpha[i], res.alpha_err[i], res.Gavg[i], res.Gavg_err[i] = {}, {}, {}, {} end
  res.unidentified = {}
  local var_eta = s2 / D
  for p, ij in ipairs(pl) do
    local i, j, q = ij[1], ij[2], per[p]
    if q.skip then
      res.unidentified[#res.unidentified + 1] = ("G%d%d"):format(i, j)
    else
      -- (q, r) = M^-1 B'(y - eta a) with B = [b, 1]; M^-1 of the 2x2 [b.b, sum b; sum b, S]
      local sb, sbb = q.mb * S, q.B + S * q.mb * q.mb
      local det = sbb * S - sb * sb
      local Mi = {{S / det, -sb / det}, {-sb / det, sbb / det}}
      local sab, sa = q.ba + S * q.mb * q.ma, q.ma * S
      local c = {Mi[1][1] * sab + Mi[1][2] * sa, Mi[2][1] * sab + Mi[2][2] * sa} -- M^-1 B'a
      -- covariance of (eta, q, r): s2 [[1/D, -c'/D], [-c/D, M^-1 + c c'/D]]
      local cov = {
        {var_eta, -var_eta * c[1], -var_eta * c[2]},
        {-var_eta * c[1], s2 * Mi[1][1] + var_eta * c[1] * c[1], s2 * Mi[1][2] + var_eta * c[1] * c[2]},
        {-var_eta * c[2], s2 * Mi[2][1] + var_eta * c[2] * c[1], s2 * Mi[2][2] + var_eta * c[2] * c[2]},
      }
      local function sd(g)
        local v = 0
        for x = 1, 3 do for y = 1, 3 do v = v + g[x] * g[y] * cov[x][y] end end
        return math.sqrt(math.max(0, v))
      end
      -- alpha = q / (2 eta), Gavg = r / q
      res.alpha[i][j], res.alpha_err[i][j] = q.q / (2 * eta), sd {-q.q / (2 * eta * eta), 1 / (2 * eta), 0}
      res.Gavg[i][j], res.Gavg_err[i][j] = q.r / q.q, sd {0, -q.r / (q.q * q.q), 1 / q.q}
      res.alpha[j][i], res.alpha_err[j][i] = res.alpha[i][j], res.alpha_err[i][j]
      res.Gavg[j][i], res.Gavg_err[j][i] = res.Gavg[i][j], res.Gavg_err[i][j]
    end
  end
  return res
end

return compact
