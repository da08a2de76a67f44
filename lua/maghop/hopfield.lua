--- The Hopfield layer: energy E(s) = -sum_ij w_ij s_i s_j, synchronous and
-- asynchronous recall, energy landscapes, classification by similarity.
local core = require "maghop.core"
local args = require "maghop.args"

local hopfield = {}

--- Give a ±1 table (or label string) the State metatable, so it prints as
-- "+-+-" (tostring, print, ..) and compares element-wise with ==; the
-- table itself is returned (a string is parsed into a new one).
-- @tparam table|string s ±1 entries or a "+-+-" label
-- @treturn table s as a State
function hopfield.as_state(s)
  if type(s) == "string" then return hopfield.parse(s) end
  if type(s) ~= "table" then error(("as_state: table of +1/-1 or a label expected, got %s"):format(type(s)), 2) end
  return core.as_state(s)
end

--- New network from a symmetric weight matrix (table of rows or Array).
-- Methods: `net:energy(s)` → E (same unit as w); `net:recall(s, {mode =
-- "sync"|"async", seed =, max_sweeps =})` → state (a State: prints as
-- "+-+-"), sweeps, converged, cycle; `net:landscape()` → Array of the 2^N
-- energies, entry k for `hopfield.state(k, N)` (N <= 20). A state may be
-- given as a ±1 table, an Array or a "+-+-" label.
-- @tparam table|Array w N x N symmetric weights
-- @return the network
function hopfield.new(w)
  return core.hopfield(w)
end

--- State number k of n nodes (1-based, like every index in maghop: entry k
-- of `net:landscape()` is the energy of `state(k, n)`): k - 1 read as an
-- n-bit binary number, node 1 the top bit, a set bit meaning -1; state(1, n)
-- is all "+".
-- @int k state number, 1..2^n
-- @int n number of nodes, 1..52
-- @treturn table the State (prints as "+-+-")
-- @raise when k or n is out of range
function hopfield.state(k, n)
  if math.type(n) ~= "integer" or n < 1 or n > 52 then
    error(("state: n must be an integer in 1..52, got %s"):format(tostring(n)), 2)
  end
  if math.type(k) ~= "integer" and not (type(k) == "number" and k == math.floor(k)) then
    error(("state: k must be an integer in 1..2^%d, got %s"):format(n, tostring(k)), 2)
  end
  k = math.tointeger(k)
  if not k or k < 1 or k > (1 << n) then
    error(("state: k must be in 1..%d (1-based), got %s"):format(1 << n, tostring(k)), 2)
  end
  local s = {}
  for i = 1, n do
    s[i] = (((k - 1) >> (n - i)) & 1) == 1 and -1 or 1
  end
  return core.as_state(s)
end

--- Number k (1-based) of a ±1 state: the inverse of hopfield.state.
-- @tparam table|string s ±1 entries or a "+-+-" label
-- @treturn int k in 1..2^#s
function hopfield.index(s)
  s = args.pm1("hopfield.index", "argument 's'", s)
  if #s > 62 then args.fail("hopfield.index: a state of %d nodes has no 64-bit index (at most 62)", #s) end
  local k = 0
  for i = 1, #s do k = (k << 1) | (s[i] < 0 and 1 or 0) end
  return k + 1
end

--- "+-+-"-style label of a ±1 state.
function hopfield.label(s)
  s = args.pm1("hopfield.label", "argument 's'", s)
  local c = {}
  for i = 1, #s do c[i] = s[i] > 0 and "+" or "-" end
  return table.concat(c)
end

--- Parse a "+-+-" label into a ±1 State (accepts '-' and the minus sign '−').
-- @string label the label
-- @treturn table the State
-- @raise when the label is empty or has a character other than '+', '-', '−'
function hopfield.parse(label)
  if type(label) ~= "string" then args.fail("hopfield.parse: label must be a string, got %s", type(label)) end
  return core.as_state(args.pm1("hopfield.parse", "label", label))
end

--- Similarity S = x . y of two ±1 vectors.
local function similarity(x, y)
  x = args.pm1("hopfield.similarity", "argument 'x'", x)
  y = args.pm1("hopfield.similarity", "argument 'y'", y)
  if #x ~= #y then args.fail("hopfield.similarity: lengths %d and %d differ", #x, #y) end
  local s = 0
  for i = 1, #x do s = s + x[i] * y[i] end
  return s
end
hopfield.similarity = similarity

--- Index of the pattern with maximum similarity to x (first on ties), and S.
function hopfield.classify(x, patterns)
  x = args.pm1("hopfield.classify", "argument 'x'", x)
  if type(patterns) ~= "table" or #patterns == 0 then
    args.fail("hopfield.classify: argument 'patterns' must be a non-empty list of ±1 patterns, got %s", type(patterns))
  end
  local best, best_s = 1, -math.huge
  for p = 1, #patterns do
    local s = similarity(x, patterns[p]) -- the local: no per-call error wrapper on this hot path
    if s > best_s then best, best_s = p, s end
  end
  return best, best_s
end

--- The argmin state(s) of a landscape Array: the list of state numbers k
-- (1-based, for hopfield.state(k, n)) within a relative `tol` of the
-- minimum, and the minimum energy.
-- @tparam Array energies from net:landscape()
-- @number[opt=1e-12] tol relative tolerance
-- @treturn {int,...} state numbers
-- @treturn number the minimum energy
function hopfield.argmin(energies, tol)
  tol = args.number("hopfield.argmin", "argument 'tol'", tol, {min = 0, max = 1, default = 1e-12})
  if type(energies) ~= "userdata" or not energies.totable then
    args.fail("hopfield.argmin: argument 'energies' must be an Array (net:landscape()), got %s", type(energies))
  end
  local e = energies:totable()
  if type(e[1]) == "table" then args.fail("hopfield.argmin: argument 'energies' must be a vector") end
  local emin = math.huge
  for k = 1, #e do emin = math.min(emin, e[k]) end
  local scale = math.max(1e-300, math.abs(emin))
  local ks = {}
  for k = 1, #e do
    if e[k] - emin <= tol * scale then ks[#ks + 1] = k end
  end
  return ks, emin
end

return hopfield
