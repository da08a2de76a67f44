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

--- Closed form of Eq. (2) under n pulses of one pattern x:
-- G(n) = G* + (G0 - G*)(1 - 2 alpha eta)^n, G* = Gavg + x_i x_j/(2 alpha).
function compact.closed_form(g0, gavg, alpha, eta, xixj, n)
  local gstar = gavg + xixj / (2 * alpha)
  return gstar + (g0 - gstar) * (1 - 2 * alpha * eta) ^ n
end

return compact
