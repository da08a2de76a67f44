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
  local t = type(m) == "table" and m or m:totable()
  if #t ~= n then error(("option '%s': %dx%d matrix expected"):format(what, n, n), 3) end
  for i = 1, n do
    if type(t[i]) ~= "table" or #t[i] ~= n then
      error(("option '%s': row %d must hold %d numbers"):format(what, i, n), 3)
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

--- New compact device.
-- opts (all optional): nodes (default 4), eta, alpha (n x n matrix or a
-- number for all pairs), alpha_edge, alpha_diagonal, cols (grid width for the
-- edge/diagonal split, default 2), G0 (start matrix, S), Gavg (n x n, S),
-- pattern0 (the pattern G0 is saturated in; sets Gavg = G0 - x x^T/(2 alpha)
-- when Gavg is not given).
function compact.new(opts)
  opts = opts or {}
  if type(opts) ~= "table" then error("compact.new: options table expected", 2) end
  local P = compact.paper
  local n = opts.nodes or (opts.G0 and #(type(opts.G0) == "table" and opts.G0 or opts.G0:totable())) or 4
  if math.type(n) ~= "integer" or n < 2 then
    error("option 'nodes': integer >= 2 expected, got " .. tostring(n), 2)
  end
  local eta = opts.eta or P.eta
  local alpha
  if type(opts.alpha) == "number" then
    alpha = default_alpha(n, opts.cols or 2, opts.alpha, opts.alpha)
  elseif opts.alpha then
    alpha = matrix_table(opts.alpha, n, "alpha")
  else
    alpha = default_alpha(n, opts.cols or 2, opts.alpha_edge or P.alpha_edge,
                          opts.alpha_diagonal or P.alpha_diagonal)
  end
  local G0 = matrix_table(opts.G0, n, "G0")
  if not G0 then
    if n ~= 4 then error("option 'G0': required when nodes ~= 4 (no paper default)", 2) end
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

--- A compact device on a cols x rows pad grid with local connectivity
-- (a phenomenological stand-in for a fitted twin). With d_ij the pad
-- distance in pitches, alpha_ij = alpha1 exp((d - 1)/alpha_decay) (the swing
-- 1/(2 alpha) shrinks with distance) and Gavg_ij = -g1 exp(-(d - 1)/g_decay).
-- Defaults reproduce the 2x2 device's ratios: alpha 111 at d = 1 and 277 at
-- d = sqrt 2, |Gavg| 0.066 S at d = 1 and ~0.046 S at d = sqrt 2. Start: G = Gavg.
-- alpha is capped at alpha_max (default 1/(2 eta), where one pulse reaches
-- the fixed point): beyond 1/eta Eq. (2) overshoots and diverges.
-- opts: cols, rows, eta, alpha1, alpha_decay, alpha_max, g1, g_decay, G0.
function compact.grid(opts)
  opts = opts or {}
  local cols, rows = opts.cols or 5, opts.rows or 7
  if math.type(cols) ~= "integer" or math.type(rows) ~= "integer" or cols < 1 or rows < 1 or cols * rows < 2 then
    error("compact.grid: 'cols' and 'rows' must be positive integers with cols*rows >= 2", 2)
  end
  local n = cols * rows
  local a1, ad = opts.alpha1 or 111, opts.alpha_decay or (math.sqrt(2) - 1) / math.log(277 / 111)
  local amax = opts.alpha_max or 1 / (2 * (opts.eta or compact.paper.eta))
  local g1, gd = opts.g1 or 0.066, opts.g_decay or (math.sqrt(2) - 1) / math.log(0.066 / 0.046)
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
  if trace.csv then
    local mio = require "maghop.io"
    header, rows = mio.read_csv(trace.csv)
    if not header then error("compact.fit: cannot read csv " .. tostring(trace.csv) .. ": " .. tostring(rows), 3) end
  end
  if type(rows) ~= "table" or #rows < 3 then
    error("compact.fit: trace needs 'csv' or 'rows' with at least 3 rows (pulse, G12, G13, ...)", 3)
  end
  local pl = pair_list(n)
  local col = {}
  if header then
    local idx = {}
    for k, name in ipairs(header) do idx[name] = k end
    for p, ij in ipairs(pl) do
      col[p] = idx[("G%d%d"):format(ij[1], ij[2])]
      if not col[p] then error(("compact.fit: csv has no column G%d%d"):format(ij[1], ij[2]), 3) end
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
-- trace: {csv = path | rows = {{pulse, G12, G13, ...}, ...} (header optional),
--         schedule = "++--" | {{start = pulse, pattern = "++--"}, ...} | fn(pulse) -> x,
--         nodes = 4}
-- Each step G(k) -> G(k+1) is linear in (eta, 2 eta alpha_ij, 2 eta alpha_ij Gavg_ij),
-- so one joint linear least-squares problem gives all parameters; standard
-- errors come from the residual variance and the normal matrix (delta method
-- for alpha and Gavg). The trace must switch patterns for at least one pair,
-- otherwise eta cannot be told apart from alpha and Gavg.
-- Returns {eta, eta_err, alpha = {[i][j]}, alpha_err, Gavg, Gavg_err, rms, pairs,
-- steps, unidentified = {"G14", ...}} (pairs whose G never moved: no alpha, Gavg).
function compact.fit(trace)
  if type(trace) ~= "table" then error("compact.fit: trace table expected", 2) end
  local n = trace.nodes or 4
  local rows, pl = trace_rows(trace, n)
  local pattern = schedule_fn(trace.schedule or error("compact.fit: 'schedule' (patterns applied) is required", 2))
  local P = #pl
  -- A pair whose G never moves carries no information on its alpha, Gavg:
  -- leave those out (reported in res.unidentified) instead of a singular fit.
  local qcol, rcol, m = {}, {}, 1 -- unknowns: eta, then q = 2 eta alpha, r = q Gavg
  for p = 1, P do
    local lo, hi = math.huge, -math.huge
    for r = 1, #rows do lo = math.min(lo, rows[r][p + 1]); hi = math.max(hi, rows[r][p + 1]) end
    if hi - lo > 1e-12 * math.max(math.abs(hi), math.abs(lo)) then
      qcol[p], rcol[p] = m + 1, m + 2
      m = m + 2
    end
  end
  local A, b = {}, {}
  for i = 1, m do A[i] = {} for j = 1, m do A[i][j] = 0 end b[i] = 0 end
  local eqs, switching = {}, {}
  for p = 1, P do switching[p] = {} end
  for r = 1, #rows - 1 do
    local pulses = rows[r + 1][1] - rows[r][1]
    if pulses ~= 1 then error(("compact.fit: rows %d and %d are %s pulses apart; one pulse per row expected"):format(r, r + 1, pulses), 2) end
    local x = pattern(rows[r + 1][1])
    for p, ij in ipairs(pl) do
      local xx = x[ij[1]] * x[ij[2]]
      switching[p][xx] = true
      if qcol[p] then
        local g, dg = rows[r][p + 1], rows[r + 1][p + 1] - rows[r][p + 1]
        -- dg = eta*xx - q*g + r
        local cols = {[1] = xx, [qcol[p]] = -g, [rcol[p]] = 1}
        eqs[#eqs + 1] = {cols = cols, y = dg}
        for ci, vi in pairs(cols) do
          b[ci] = b[ci] + vi * dg
          for cj, vj in pairs(cols) do A[ci][cj] = A[ci][cj] + vi * vj end
        end
      end
    end
  end
  local any_switch = false
  for p = 1, P do if qcol[p] and switching[p][1] and switching[p][-1] then any_switch = true end end
  if not any_switch then
    error("compact.fit: the schedule never changes the sign of x_i x_j for any pair; "
      .. "a trace with a pattern switch is needed to separate eta from alpha and Gavg", 2)
  end
  local core = require "maghop.core"
  local eye = {}
  for i = 1, m do eye[i] = {} for j = 1, m do eye[i][j] = i == j and 1 or 0 end end
  local inv, err = core.solve(A, eye)
  if not inv then error("compact.fit: normal equations are " .. err .. " (trace does not determine every parameter)", 2) end
  inv = inv:totable()
  local theta = {}
  for i = 1, m do
    local s = 0
    for j = 1, m do s = s + inv[i][j] * b[j] end
    theta[i] = s
  end
  local ss = 0
  for _, e in ipairs(eqs) do
    local pred = 0
    for c, v in pairs(e.cols) do pred = pred + v * theta[c] end
    ss = ss + (e.y - pred) ^ 2
  end
  local dof = math.max(1, #eqs - m)
  local s2 = ss / dof
  local function cov(i, j) return s2 * inv[i][j] end
  local eta = theta[1]
  local res = {eta = eta, eta_err = math.sqrt(cov(1, 1)), alpha = {}, alpha_err = {}, Gavg = {},
               Gavg_err = {}, rms = math.sqrt(ss / #eqs), pairs = pl, steps = #rows - 1}
  for i = 1, n do res.alpha[i], res.alpha_err[i], res.Gavg[i], res.Gavg_err[i] = {}, {}, {}, {} end
  res.unidentified = {}
  for p, ij in ipairs(pl) do
    local i, j = ij[1], ij[2]
    local qi, ri = qcol[p], rcol[p]
    if not qi then
      res.unidentified[#res.unidentified + 1] = ("G%d%d"):format(i, j)
    else
      local q, r = theta[qi], theta[ri]
      -- alpha = q / (2 eta): gradient over (eta, q); Gavg = r / q: over (q, r)
      local ga = {[1] = -q / (2 * eta * eta), [qi] = 1 / (2 * eta)}
      local gg = {[qi] = -r / (q * q), [ri] = 1 / q}
      local function sd(g)
        local v = 0
        for a, x in pairs(g) do for c, y in pairs(g) do v = v + x * y * cov(a, c) end end
        return math.sqrt(math.max(0, v))
      end
      res.alpha[i][j], res.alpha_err[i][j] = q / (2 * eta), sd(ga)
      res.Gavg[i][j], res.Gavg_err[i][j] = r / q, sd(gg)
      res.alpha[j][i], res.alpha_err[j][i] = res.alpha[i][j], res.alpha_err[i][j]
      res.Gavg[j][i], res.Gavg_err[j][i] = res.Gavg[i][j], res.Gavg_err[i][j]
    end
  end
  return res
end

return compact
