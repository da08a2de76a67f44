--- The Hopfield layer: energy E(s) = -sum_ij w_ij s_i s_j, synchronous and
-- asynchronous recall, energy landscapes, classification by similarity.
local core = require "maghop.core"

local hopfield = {}

--- New network from a symmetric weight matrix (table of rows or Array).
-- Methods: net:energy(s), net:recall(s, {mode="sync"|"async", seed=, max_sweeps=})
-- -> state, sweeps, converged, cycle; net:landscape() -> Array of 2^N energies.
function hopfield.new(w)
  return core.hopfield(w)
end

--- State number k (0-based, as in net:landscape()) of n nodes as a ±1 table:
-- k read as an n-bit binary number, node 1 the top bit, a set bit meaning -1.
function hopfield.state(k, n)
  local s = {}
  for i = 1, n do
    s[i] = ((k >> (n - i)) & 1) == 1 and -1 or 1
  end
  return s
end

--- Index k of a ±1 state (inverse of hopfield.state).
function hopfield.index(s)
  local k = 0
  for i = 1, #s do k = (k << 1) | (s[i] < 0 and 1 or 0) end
  return k
end

--- "+-+-"-style label of a ±1 state.
function hopfield.label(s)
  local c = {}
  for i = 1, #s do c[i] = s[i] > 0 and "+" or "-" end
  return table.concat(c)
end

--- Parse a "+-+-" label into a ±1 table (accepts '-' and the minus sign '−').
function hopfield.parse(label)
  local s = {}
  label = label:gsub("\u{2212}", "-")
  for ch in label:gmatch("[+-]") do s[#s + 1] = ch == "+" and 1 or -1 end
  if #s == 0 then error("hopfield.parse: no '+'/'-' in " .. ("%q"):format(label), 2) end
  return s
end

--- Similarity S = x . y of two ±1 vectors.
function hopfield.similarity(x, y)
  if #x ~= #y then error(("similarity: lengths %d and %d differ"):format(#x, #y), 2) end
  local s = 0
  for i = 1, #x do s = s + x[i] * y[i] end
  return s
end

--- Index of the pattern with maximum similarity to x (first on ties), and S.
function hopfield.classify(x, patterns)
  local best, best_s = 1, -math.huge
  for p = 1, #patterns do
    local s = hopfield.similarity(x, patterns[p])
    if s > best_s then best, best_s = p, s end
  end
  return best, best_s
end

--- The argmin state(s) of a landscape Array: index list (0-based k) and E.
function hopfield.argmin(energies, tol)
  tol = tol or 1e-12
  local e = energies:totable()
  local emin = math.huge
  for k = 1, #e do emin = math.min(emin, e[k]) end
  local scale = math.max(1e-300, math.abs(emin))
  local ks = {}
  for k = 1, #e do
    if e[k] - emin <= tol * scale then ks[#ks + 1] = k - 1 end
  end
  return ks, emin
end

return hopfield
