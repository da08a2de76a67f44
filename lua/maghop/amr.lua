--- Read physics: the AMR conductance matrix of the Py film between the
-- electrodes (DESIGN.md §3.4), the paper's seven-wiring measurement of G
-- (Methods, "Determining the conductance matrix") and its physical
-- inference protocol (Methods, "Inference process for associative memory").
-- Solvers are cached per (film, pad layout, options) and refactor only when
-- the film's magnetization changed.
local core = require "maghop.core"
local electrodes = require "maghop.electrodes"
local solvers = require("maghop.cache").new(16)
local args = require "maghop.args"

local amr = {}

local OPT_KEYS = {sigma0 = true, amr_ratio = true, thickness = true, solver = true, tol = true, maxit = true}

local function check_el(el, fname)
  if not electrodes.is(el) then
    error(("amr.%s: argument 2 (electrodes) must come from mh.electrodes"):format(fname), 3)
  end
end

-- Ranges of the protocol options (checked with args.opt).
local RANGES = {
  current = {gt = 0, max = 1, default = 1e-3, unit = "A"},
  noise = {min = 0, max = 1, default = 0},
  seed = {integer = true, min = 0, default = 1},
  xi = {min = 0, max = 10, default = 0.98},
  volts = {gt = 0, max = 1000, default = 1, unit = "V"},
  max_sweeps = {integer = true, min = 1, max = 1000000, default = 100},
  stable = {integer = true, min = 1, max = 1000000, default = 10},
}
local function check_ranges(fname, opts)
  if type(opts) ~= "table" then return end
  for k, spec in pairs(RANGES) do
    if opts[k] ~= nil then args.opt("amr." .. fname, opts, k, spec) end
  end
end

-- Options of the protocol functions beyond the solver's own.
local PROTOCOL_KEYS = {
  measure = {current = true, noise = true, seed = true, _draws = true},
  measure_all = {current = true, noise = true, seed = true, use = true, wirings = true},
  infer = {mode = true, xi = true, seed = true, max_sweeps = true, volts = true, progress = true},
  weights = {xi = true},
}

local function solver_opts(opts, fname)
  local so = {}
  if opts == nil then return so end
  if type(opts) ~= "table" then error(("amr.%s: options must be a table"):format(fname), 3) end
  local extra = PROTOCOL_KEYS[fname] or {}
  check_ranges(fname, opts)
  for k, v in pairs(opts) do
    if OPT_KEYS[k] then so[k] = v
    elseif not extra[k] then error(("amr.%s: unknown option '%s'"):format(fname, tostring(k)), 3) end
  end
  return so
end

--- A reusable AMR solver: amr.solver(film, electrodes, {sigma0 = 5e6 S/m,
-- amr_ratio = 0.02, thickness = film nz*dz, solver = "cholmod"|"mg",
-- tol =, maxit = (multigrid-preconditioned CG)}). Methods (mode "film" uses the film's m,
-- "saturated" the film saturated out of plane): s:conductance([mode]),
-- s:currents(volts[, mode]), s:potential(volts[, mode]), s:info().
-- @tparam Film film the Py film
-- @tparam Electrodes el pad layout from `mh.electrodes`
-- @tparam[opt] table opts solver options: sigma0 (S/m, default 5e6),
-- amr_ratio (default 0.02), thickness (m, default film nz*dz), solver
-- ("cholmod" or "mg"), tol, maxit (multigrid-preconditioned CG)
-- @return the solver object
-- @raise when el does not come from mh.electrodes, opts is not a table, or
-- on an unknown option key (bad values are rejected by the core)
function amr.solver(film, el, opts)
  check_el(el, "solver")
  return core.amr_solver(film, el:rects(film), solver_opts(opts, "solver"))
end

local function cached(film, el, opts, tag, fname)
  check_el(el, fname)
  local so = solver_opts(opts, fname)
  local key = table.concat({tag, tostring(so.sigma0), tostring(so.amr_ratio), tostring(so.thickness),
                            tostring(so.solver), tostring(so.tol), tostring(so.maxit), el:key(film)}, "|")
  return solvers(film, key, function() return core.amr_solver(film, el:rects(film), so) end)
end

--- G (Array N×N, siemens) of the film's current magnetization; second
-- result the worst relative residual. nil, message if a solve failed.
-- The solver is cached per (film, pads, options) and refactored only when m changed.
-- @tparam Film film
-- @tparam Electrodes el
-- @tparam[opt] table opts solver options: sigma0 (S/m, default 5e6),
-- amr_ratio (default 0.02), thickness (m, default film nz*dz), solver
-- ("cholmod" or "mg"), tol, maxit (multigrid-preconditioned CG)
-- @treturn Array G, N x N, S
-- @treturn number worst relative residual
-- @return or nil, message
-- @raise as `solver`
-- @usage local G = mh.amr.conductance(film, mh.electrodes.grid{cols = 2, rows = 2, pitch = 400e-9, size = 200e-9})
function amr.conductance(film, el, opts)
  return cached(film, el, opts, "film", "conductance"):conductance("film")
end

--- G of the film saturated out of plane (Σ = σ⊥ I): the 1T reference.
-- @tparam Film film
-- @tparam Electrodes el
-- @tparam[opt] table opts solver options: sigma0 (S/m, default 5e6),
-- amr_ratio (default 0.02), thickness (m, default film nz*dz), solver
-- ("cholmod" or "mg"), tol, maxit (multigrid-preconditioned CG)
-- @treturn Array G^{1T}, N x N, S
-- @treturn number worst relative residual
-- @return or nil, message
-- @raise as `solver`
function amr.conductance_saturated(film, el, opts)
  return cached(film, el, opts, "sat", "conductance_saturated"):conductance("saturated")
end

--- Potential and current density for pad voltages `volts` (table or
-- Array, V): {phi = Field (V), J = Field (A/m², 3 comps, z = 0), I = Array
-- (A into each pad), relres}; or nil, message.
-- @tparam Film film
-- @tparam Electrodes el
-- @tparam table|Array|string volts N pad voltages, V (a "+-" label reads as ±1 V)
-- @tparam[opt] table opts solver options: sigma0 (S/m, default 5e6),
-- amr_ratio (default 0.02), thickness (m, default film nz*dz), solver
-- ("cholmod" or "mg"), tol, maxit (multigrid-preconditioned CG)
-- @treturn table {phi, J, I, relres}
-- @return or nil, message
-- @raise as `solver`, or on a bad label
function amr.potential(film, el, volts, opts)
  if type(volts) == "string" then volts = electrodes.pattern(volts) end
  local phi, J, I, rr = cached(film, el, opts, "film", "potential"):potential(volts, "film")
  if not phi then return nil, J end
  return {phi = phi, J = J, I = I, relres = rr}
end

--- Currents into the pads (Array N×1, A) for pad voltages `volts`.
-- @tparam Film film
-- @tparam Electrodes el
-- @tparam table|Array|string volts N pad voltages, V (a "+-" label reads as ±1 V)
-- @tparam[opt] table opts solver options: sigma0 (S/m, default 5e6),
-- amr_ratio (default 0.02), thickness (m, default film nz*dz), solver
-- ("cholmod" or "mg"), tol, maxit (multigrid-preconditioned CG)
-- @treturn Array I, N x 1, A
-- @return or nil, message
-- @raise as `solver`, or on a bad label
function amr.currents(film, el, volts, opts)
  if type(volts) == "string" then volts = electrodes.pattern(volts) end
  return cached(film, el, opts, "film", "currents"):currents(volts, "film")
end

-- ------------------------------------------------------------------------
-- Measurement twin.

--- The seven wiring geometries of a 4-node device: every split of the
-- nodes into a "+" group (tied to the current source's + end and the
-- lock-in's + input) and a grounded "-" group, up to swapping the ends.
amr.WIRINGS4 = {"++--", "+-+-", "+--+", "+---", "-+--", "--+-", "---+"}

local function parse_wiring(w, N)
  if math.type(w) == "integer" then
    if N ~= 4 or w < 1 or w > 7 then
      error(("amr.measure: wiring index %d needs a 4-node device and 1..7"):format(w), 3)
    end
    w = amr.WIRINGS4[w]
  end
  if type(w) == "string" then w = electrodes.pattern(w) end
  if type(w) ~= "table" or #w ~= N then
    error(("amr.measure: wiring must be a '+-' label or ±1 table of %d nodes"):format(N), 3)
  end
  local plus, minus, signs = 0, 0, {}
  for k = 1, N do
    if w[k] == 1 then plus = plus + 1; signs[k] = 1
    elseif w[k] == -1 then minus = minus + 1; signs[k] = -1
    else error(("amr.measure: wiring entry %d must be +1 or -1"):format(k), 3) end
  end
  if plus == 0 or minus == 0 then error("amr.measure: wiring needs nodes on both ends", 3) end
  return signs
end

local function label(signs)
  local t = {}
  for k = 1, #signs do t[k] = signs[k] > 0 and "+" or "-" end
  return table.concat(t)
end

--- One wiring on the film: the "+" pads tied together and driven by a
-- current source (opts.current, A, default 1 mA) against the grounded "-"
-- pads; the lock-in reads V between the groups. opts.noise adds a relative
-- Gaussian error to V (seeded by opts.seed). Returns {wiring = "+--+",
-- signs = {...}, I = A, V = V, g = I/V (S)}; or nil, message.
-- With noise > 0 the k-th draw of one opts table is core.normal(seed, k)
-- (the core's counter-based generator; the count is kept in opts._draws), so
-- calls sharing one opts table continue one seeded stream.
-- @tparam Film film
-- @tparam Electrodes el
-- @tparam string|table|integer wiring "+-" label, ±1 table of N entries, or
-- an index 1..7 into `WIRINGS4` (4-node devices); both groups non-empty
-- @tparam[opt] table opts current (A, (0, 1], default 1e-3), noise
-- (relative, [0, 1], default 0), seed (integer >= 0, default 1) and the
-- solver options of `conductance`
-- @treturn table the measurement
-- @return or nil, message
-- @raise on a bad wiring, an unknown option key or a value out of range
-- @usage local m = mh.amr.measure(film, el, "+--+", {current = 1e-3})
function amr.measure(film, el, wiring, opts)
  check_el(el, "measure")
  opts = opts == nil and {} or args.type("amr.measure", "argument 'opts'", opts, "table")
  local N = el:count()
  local signs = parse_wiring(wiring, N)
  local v = {}
  for k = 1, N do v[k] = signs[k] > 0 and 1 or 0 end
  local I, err = cached(film, el, opts, "film", "measure"):currents(v, "film")
  if not I then return nil, err end
  local iplus = 0
  for k = 1, N do if signs[k] > 0 then iplus = iplus + I:get(k, 1) end end
  local isrc = opts.current or 1e-3
  local V = isrc / iplus
  if opts.noise and opts.noise > 0 then
    local k = opts._draws or 0
    opts._draws = k + 1
    V = V * (1 + opts.noise * core.normal(opts.seed or 1, k))
  end
  return {wiring = label(signs), signs = signs, I = isrc, V = V, g = isrc / V}
end

-- Row of the cut equation g = Σ_{i∈+, j∈-} c_ij over the pairs i < j.
local function cut_row(signs, N)
  local row = {}
  for i = 1, N - 1 do
    for j = i + 1, N do row[#row + 1] = (signs[i] ~= signs[j]) and 1 or 0 end
  end
  return row
end

--- Reconstruct G from measurements (results of amr.measure) by least squares
-- on the cut equations g_S = Σ_{i∈S, j∉S} (−G_ij). `use` (optional list of
-- indices into meas) selects the equations. Returns G (Array N×N) or nil,
-- message when the wirings do not determine G.
-- @tparam {table,...} meas measurements from `measure`
-- @tparam integer N number of nodes, 2..64
-- @tparam[opt] {integer,...} use indices into meas (default all)
-- @treturn Array G, N x N, S
-- @return or nil, message
-- @raise on a non-table or empty meas, N out of range, or an index in use
-- that names no measurement
function amr.reconstruct(meas, N, use)
  args.type("amr.reconstruct", "argument 'meas'", meas, "table")
  N = args.integer("amr.reconstruct", "argument 'N' (nodes)", N, 2, 64)
  if type(meas) ~= "table" or #meas == 0 then error("amr.reconstruct: list of measurements expected", 2) end
  N = N or #meas[1].signs
  local P = N * (N - 1) // 2
  local idx = use or {}
  if not use then for k = 1, #meas do idx[k] = k end end
  local ATA, ATb = {}, {}
  for a = 1, P do ATA[a] = {}; ATb[a] = 0; for b = 1, P do ATA[a][b] = 0 end end
  for _, k in ipairs(idx) do
    local m = meas[k]
    if not m then error(("amr.reconstruct: no measurement %s"):format(tostring(k)), 2) end
    local row = cut_row(m.signs, N)
    for a = 1, P do
      if row[a] ~= 0 then
        ATb[a] = ATb[a] + row[a] * m.g
        for b = 1, P do ATA[a][b] = ATA[a][b] + row[a] * row[b] end
      end
    end
  end
  local X = core.solve(ATA, ATb)
  if not X then return nil, "amr.reconstruct: these wirings do not determine G" end
  local c = {}
  for a = 1, P do c[a] = X:get(a, 1) end
  local G = core.zeros(N, N)
  local q = 0
  for i = 1, N - 1 do
    for j = i + 1, N do
      q = q + 1
      G:set(i, j, -c[q]); G:set(j, i, -c[q])
    end
  end
  for i = 1, N do
    local s = 0
    for j = 1, N do if j ~= i then s = s - G:get(i, j) end end
    G:set(i, i, s)
  end
  return G
end

--- Voltage that G predicts for a wiring measurement m (same current).
-- @tparam Array G N x N conductance matrix, S
-- @tparam table m a measurement from `measure` (uses m.signs and m.I)
-- @treturn number V = I / Σ_{i∈+, j∈-} (−G_ij), V
-- @raise when G is not a matrix or m not a table
function amr.predict_V(G, m)
  args.matrix("amr.predict_V", "argument 'G'", G)
  args.type("amr.predict_V", "argument 'm' (a measurement)", m, "table")
  local N = #m.signs
  local g = 0
  for i = 1, N do
    for j = 1, N do
      if m.signs[i] > 0 and m.signs[j] < 0 then g = g - G:get(i, j) end
    end
  end
  return m.I / g
end

--- The paper's protocol on a 4-node film: measure the seven wirings,
-- reconstruct G from six (opts.use, default 1..6), predict the voltage of
-- the remaining one. Returns {G =, G_direct = (from amr.conductance),
-- measurements =, held_out =, predicted_V =, measured_V =, residual =
-- |Vpred − Vmeas|/Vmeas}; or nil, message.
-- @tparam Film film
-- @tparam Electrodes el
-- @tparam[opt] table opts current, noise, seed (as `measure`), use (list of
-- wiring indices), wirings (list of wirings; required when N ~= 4) and the
-- solver options
-- @treturn table the protocol result
-- @return or nil, message (a solve failed, or the wirings do not determine G)
-- @raise on an unknown option key, a value out of range, or N ~= 4 without wirings
function amr.measure_all(film, el, opts)
  check_el(el, "measure_all")
  solver_opts(opts, "measure_all") -- validates the option names
  opts = opts or {}
  local N = el:count()
  local wirings = opts.wirings or (N == 4 and amr.WIRINGS4)
  if not wirings then error("amr.measure_all: give opts.wirings for a device with other than 4 nodes", 2) end
  local mopts = {current = opts.current, noise = opts.noise, seed = opts.seed, sigma0 = opts.sigma0,
                 amr_ratio = opts.amr_ratio, thickness = opts.thickness, solver = opts.solver,
                 tol = opts.tol, maxit = opts.maxit}
  local meas = {}
  for k, w in ipairs(wirings) do
    local m, err = amr.measure(film, el, w, mopts)
    if not m then return nil, err end
    meas[k] = m
  end
  local use = opts.use
  if not use then use = {}; for k = 1, #meas - 1 do use[k] = k end end
  local inuse = {}
  for _, k in ipairs(use) do inuse[k] = true end
  local held
  for k = 1, #meas do if not inuse[k] then held = k end end
  local G, err = amr.reconstruct(meas, N, use)
  if not G then return nil, err end
  local out = {G = G, measurements = meas, held_out = held}
  out.G_direct = amr.conductance(film, el, {sigma0 = opts.sigma0, amr_ratio = opts.amr_ratio,
                                            thickness = opts.thickness, solver = opts.solver,
                                            tol = opts.tol, maxit = opts.maxit})
  if held then
    out.predicted_V = amr.predict_V(G, meas[held])
    out.measured_V = meas[held].V
    out.residual = math.abs(out.predicted_V - out.measured_V) / math.abs(out.measured_V)
  end
  return out
end

-- ------------------------------------------------------------------------
-- Physical inference.

--- Equivalent weights of the inference protocol: w = G − ξ·G^{1T} (Array
-- N×N, S), the 1T reference being the film saturated out of plane.
-- @tparam Film film
-- @tparam Electrodes el
-- @tparam[opt] table opts xi (0..10, default 0.98) and the solver options
-- @treturn Array w, N x N, S, zero diagonal
-- @return or nil, message (a solve failed)
-- @raise on an unknown option key or a value out of range
function amr.weights(film, el, opts)
  opts = opts == nil and {} or args.type("amr.weights", "argument 'opts'", opts, "table")
  local xi = opts.xi or 0.98
  local so = solver_opts(opts, "weights")
  local G, e1 = amr.conductance(film, el, so)
  if not G then return nil, e1 end
  local G1, e2 = amr.conductance_saturated(film, el, so)
  if not G1 then return nil, e2 end
  return amr.inference_weights(G, G1, xi)
end

--- w = G − ξ·G^{1T} with a zero diagonal (Array N×N, S) from the two
-- conductance matrices: the weights the inference protocol realizes.
-- @tparam Array G N x N conductance of the film, S
-- @tparam Array G1 N x N conductance of the saturated film, S
-- @tparam[opt=0.98] number xi reference scale, 0..10
-- @treturn Array w, N x N, S
-- @raise when G or G1 is not an Array or xi is out of range
function amr.inference_weights(G, G1, xi)
  args.array("amr.inference_weights", "argument 'G'", G)
  args.array("amr.inference_weights", "argument 'G1'", G1)
  args.number("amr.inference_weights", "argument 'xi'", xi, {min = 0, max = 10, default = 0.98})
  local w = G - G1 * xi
  for i = 1, (G:shape()) do w:set(i, i, 0) end
  return w
end

-- The progress reporter of amr.infer: report(sweep, node) after each node
-- decision and report.finish(); nil when progress is false. A function
-- option is called as progress(sweep, node, N), and an error it raises is
-- kept in report.error ({err}) before it goes on; otherwise a terminal line
-- per sweep (cli.progress over its N decisions, forced by progress = true).
local function progress_of(progress, N)
  if progress == false then return nil end
  if progress ~= nil and progress ~= true and type(progress) ~= "function" then
    error(("amr.infer: option 'progress' must be a boolean or a function, got %s"):format(type(progress)), 3)
  end
  local cli = require "maghop.cli"
  local meter, at = nil, 0
  local report = {}
  function report.finish() if meter then meter.finish() end end
  return setmetatable(report, {__call = function(_, sweep, node)
    if type(progress) == "function" then
      local ok, err = pcall(progress, sweep, node, N)
      if not ok then report.error = {err}; error(err, 0) end
      return
    end
    if sweep ~= at then
      report.finish()
      meter, at = cli.progress(("inference sweep %d, node"):format(sweep), N, {force = progress == true}), sweep
    end
    meter(node)
  end})
end

--- The paper's inference on the film itself (Methods): for node i, with
-- the pads at V_j = volts·s_j, measure the current through pad i (I_i1),
-- invert pad i and measure again (I_i2); I_i = I_i1 + I_i2; the same with
-- the film saturated out of plane gives I_i^{1T}; s_i ← sgn(I_i − ξ I_i^{1T})
-- (unchanged on a tie). The update schedule is the Hopfield network's
-- (core.recall, the path of net:recall): mode = "async" (seeded random node
-- order each sweep, converged after a sweep without a flip) or "sync" (all
-- nodes at once; stops at a fixed point or a 2-cycle). Since
-- I_i − ξ I_i^{1T} = 2 volts Σ_{j≠i} w_ij s_j with w = amr.weights, the
-- result equals net:recall on those weights. opts: mode = "async",
-- xi = 0.98, seed = 1, max_sweeps = 100, volts = 1, progress, and the solver
-- options. Each node decision takes four pad-current solves; on a large film
-- a line per sweep shows the node reached and the sweep's ETA when stderr is
-- a terminal and the sweep takes over 2 s (progress = false: never; true:
-- also off a terminal; a function: called as progress(sweep, node, N) after
-- each decision instead).
-- Returns state (±1 table), sweeps, info = {converged =, cycle =,
-- updates = node decisions measured, history = {states measured in}}.
-- @tparam Film film
-- @tparam Electrodes el
-- @tparam table|string state N values of ±1, or a "+-" label
-- @tparam[opt] table opts mode, xi (0..10), seed (integer >= 0), max_sweeps
-- (1..1000000), volts (V, (0, 1000]), progress (boolean or function) and
-- the solver options
-- @treturn table final ±1 state
-- @treturn integer sweeps
-- @treturn table info {converged, cycle, updates, history}
-- @return or nil, message when a solve fails
-- @raise on a bad state, an unknown mode or option key, or a value out of range
-- @usage local s, sweeps = mh.amr.infer(film, el, "+-+-", {mode = "sync"})
function amr.infer(film, el, state, opts)
  check_el(el, "infer")
  opts = opts == nil and {} or args.type("amr.infer", "argument 'opts'", opts, "table")
  local N = el:count()
  if type(state) == "string" then state = electrodes.pattern(state) end
  if type(state) ~= "table" or #state ~= N then
    error(("amr.infer: argument 3 (state) must be %d values of ±1"):format(N), 2)
  end
  for k = 1, N do
    if state[k] ~= 1 and state[k] ~= -1 then error(("amr.infer: state[%d] must be +1 or -1"):format(k), 2) end
  end
  local mode = opts.mode or "async"
  if mode ~= "async" and mode ~= "sync" then error("amr.infer: mode must be 'async' or 'sync'", 2) end
  local xi, amp = opts.xi or 0.98, opts.volts or 1
  local sf = cached(film, el, opts, "film", "infer")
  local ss = cached(film, el, opts, "sat", "infer")

  local function node_current(solver, mode_name, i, s)
    local v = {}
    for k = 1, N do v[k] = amp * s[k] end
    local I1, err = solver:currents(v, mode_name)
    if not I1 then error("amr.infer: " .. err, 0) end
    v[i] = -v[i]
    local I2, err2 = solver:currents(v, mode_name)
    if not I2 then error("amr.infer: " .. err2, 0) end
    return I1:get(i, 1) + I2:get(i, 1)
  end
  local function key(s)
    local c = {}
    for k = 1, N do c[k] = s[k] > 0 and "+" or "-" end
    return table.concat(c)
  end
  local report = progress_of(opts.progress, N)
  local history, updates, last = {{table.unpack(state)}}, 0, key(state)
  local function field(i, s)
    local k = key(s)
    if k ~= last then history[#history + 1], last = s, k end
    local h = node_current(sf, "film", i, s) - xi * node_current(ss, "saturated", i, s)
    updates = updates + 1
    -- every sweep, sync or async, decides each of the N nodes once
    if report then report((updates - 1) // N + 1, (updates - 1) % N + 1) end
    return h
  end
  local ok, s, sweeps, converged, cycle = pcall(core.recall, state, field,
    {mode = mode, seed = opts.seed or 1, max_sweeps = opts.max_sweeps or 100})
  if report then report.finish() end
  if report and report.error then args.raise_user_error(report.error[1]) end -- the caller's bug, not a failed solve
  if not ok then return nil, tostring(s) end
  if key(s) ~= last then history[#history + 1] = s end
  return s, sweeps, {converged = converged, cycle = cycle, updates = updates, history = history}
end

return amr
