--- The micromagnetic twin: the whole chain of the device, with the same
-- interface as the compact model (dev:pulse, dev:conductance, dev:weights,
-- dev.nodes), plus dev:recall (the physical inference protocol) and
-- dev:snapshot.
--
--   pulse: ±V on the Au pads -> sheet currents -> Oersted field H(r) (cached
--          per pattern) -> LLG dynamics of the Py film for `width` seconds,
--          then `rest` seconds with the field off
--   read:  AMR conductivity of m(r) -> anisotropic Laplace solve -> G
--   weights: w = G - xi G^1T, G^1T the film saturated out of plane (xi = 0.98)
--
-- Geometry (our choice; the paper gives no lateral sizes). Pads are 200 nm
-- squares on a 500 nm pitch: several exchange lengths of a 20 Oe field
-- (sqrt(2A/(mu0 Ms H)) ~ 130 nm) between pads, so the texture can bend
-- between neighbours. 4 nodes: a disk of 1.1 um diameter holding the 2x2
-- grid. 35 nodes: a 2.5 um x 3.5 um rectangle holding the 5x7 grid, one
-- pitch per pad (geometry "default"; "wide" scales the pitch to 2 um and
-- the pads to 800 nm, see twin.geometries). Py thickness 20 nm (sheet conductance sigma0 t gives G of
-- the order of the paper's 0.05-0.2 S), Au 50 nm, 20 nm Al2O3 between.
-- Drive: the pad voltage is calibrated once so that the alternating pattern
-- gives a peak in-plane Oersted field of 20 Oe (1.59 kA/m), then every
-- pattern is applied at that voltage.
local core = require "maghop.core"
local electrodes = require "maghop.electrodes"
local oersted = require "maghop.oersted"
local amr = require "maghop.amr"
local hopfield = require "maghop.hopfield"
local mio = require "maghop.io"
local args = require "maghop.args"

local twin = {}

local OE = 1e3 / (4 * math.pi) -- 1 Oe in A/m

--- Presets. "paper": the paper's Table 1 (COMSOL field units converted to
-- SI: A = 1.3e-11 J/m, Ku = -21.6 J/m^3 hard axis z, alpha = 0.3,
-- gamma = 2.21e5 m/(A s)), no demagnetization, 20 nm cells (the texture
-- scale of a 20 Oe field is ~130 nm). "full": the same film with demagnetization and 5 nm cells
-- (below the 5.7 nm exchange length of Py).
twin.presets = {
  paper = {cell = 20e-9, cell4 = 20e-9, demag = false, alpha = 0.3, Ms = 8e5, A = 1.3e-11,
           Ku = -21.6, gamma = 2.21e5},
  full = {cell = 5e-9, cell4 = 5e-9, demag = true, alpha = 0.3, Ms = 8e5, A = 1.3e-11,
          Ku = -21.6, gamma = 2.21e5},
}

twin.geometry = {
  pitch = 500e-9, pad = 200e-9, thickness = 20e-9, disk_diameter = 1.1e-6,
  au_thickness = 50e-9, au_sigma = 4.1e7, spacer = 20e-9,
}

--- Named pad layouts (option `geometry`). "default": 200 nm pads on a
-- 500 nm pitch, cells from the preset (20 nm). "wide": 800 nm pads on a
-- 2 um pitch with 40 nm cells, a pitch well above the texture scale of the
-- 20 Oe drive (~130 nm), so neighbouring pads write nearly independent
-- domains; the 4-node disk scales with the pitch (2.2 pitches across).
-- Lengths in m; explicit options pitch, pad, cell, disk_diameter override.
twin.geometries = {
  default = {pitch = 500e-9, pad = 200e-9, disk_diameter = 1.1e-6},
  wide = {pitch = 2e-6, pad = 800e-9, cell = 40e-9, disk_diameter = 4.4e-6},
}

--- Limits checked before anything is allocated or integrated: the film's
-- cell count (2^22 cells: a few GB with the Oersted and AMR solvers), and
-- the peak Oersted field of any drive (1e5 A/m, about 1260 Oe: 60 times
-- the paper's 20 Oe; stronger fields need ever smaller LLG steps).
twin.MAX_CELLS = 1 << 22
twin.MAX_PEAK_H = 1e5

local Twin = {}
Twin.__index = function(self, k)
  if k == "nodes" then return self.el:count() end
  if k == "model" then return "twin" end
  return Twin[k]
end

local function length_opt(opts, k, max)
  local v = opts[k]
  if v == nil then return nil end
  if type(v) ~= "number" or not (v > 0) or v > max then
    error(("twin.new: option '%s' must be a length in (0, %g] m, got %s"):format(k, max, tostring(v)), 4)
  end
  return v
end

-- The built-in film and pad grid; returns film, electrodes, geometry record.
local function geometry_film(nodes, preset, opts)
  local gname = opts.geometry or "default"
  local gp = twin.geometries[gname]
  if type(gname) ~= "string" or not gp then
    local names = {}
    for k in pairs(twin.geometries) do names[#names + 1] = ("%q"):format(k) end
    table.sort(names)
    error(("twin.new: option 'geometry' must be one of %s, got %s"):format(table.concat(names, ", "),
      tostring(gname)), 3)
  end
  local g = {}
  for k, v in pairs(twin.geometry) do g[k] = v end
  for k, v in pairs(gp) do g[k] = v end
  for _, k in ipairs {"pitch", "pad", "disk_diameter"} do g[k] = length_opt(opts, k, 1e-3) or g[k] end
  -- an explicit pitch too large for the preset's 4-node disk widens the disk
  -- to 2.2 pitches (the presets' ratio) unless its diameter is given too
  if opts.pitch ~= nil and opts.disk_diameter == nil then g.disk_diameter = math.max(g.disk_diameter, 2.2 * g.pitch) end
  g.thickness = length_opt(opts, "thickness", 1e-6) or g.thickness
  local cell = length_opt(opts, "cell", 1e-6) or gp.cell or (nodes == 4 and preset.cell4 or preset.cell)
  if cell > g.pad / 2 then
    error(("twin.new: option 'cell' (%g m) must be at most half the pad size (%g m)"):format(cell, g.pad), 3)
  end
  if g.pad >= g.pitch then
    error(("twin.new: option 'pad' (%g m) must be smaller than the pitch (%g m)"):format(g.pad, g.pitch), 3)
  end
  local demag = preset.demag
  if opts.demag ~= nil then
    if type(opts.demag) ~= "boolean" then
      error(("twin.new: option 'demag' must be true or false, got %s"):format(tostring(opts.demag)), 3)
    end
    demag = opts.demag
  end
  local cols, rows, shape, w, h
  if nodes == 4 then
    -- the pads' outer corners lie sqrt(2) (pitch + pad) / 2 from the centre
    local reach = math.sqrt(2) * (g.pitch + g.pad)
    if g.disk_diameter < reach then
      error(("twin.new: option 'disk_diameter' (%g m) must be at least sqrt(2) (pitch + pad) = %g m so the "
        .. "pads lie on the disk"):format(g.disk_diameter, reach), 3)
    end
    cols, rows, shape = 2, 2, "disk"
    w, h = g.disk_diameter, g.disk_diameter
  elseif nodes == 35 then
    cols, rows, shape = 5, 7, "rect"
    w, h = cols * g.pitch, rows * g.pitch
  else
    error("twin.new: built-in geometries have 4 or 35 nodes; give 'film' and 'electrodes' for others", 3)
  end
  local nx, ny = math.floor(w / cell + 0.5), math.floor(h / cell + 0.5)
  if nx * ny > twin.MAX_CELLS then
    error(("twin.new: option 'cell' = %g m gives a %d x %d grid (%d cells), above the limit of %d cells "
      .. "(twin.MAX_CELLS); use a larger cell"):format(cell, nx, ny, nx * ny, twin.MAX_CELLS), 3)
  end
  local film = core.film {nx = nx, ny = ny, nz = 1, dx = cell, dy = cell, dz = g.thickness, shape = shape,
                          Ms = preset.Ms, A = preset.A, Ku = preset.Ku, anis_axis = {0, 0, 1},
                          alpha = preset.alpha, gamma = preset.gamma, demag = demag}
  local el = electrodes.grid {cols = cols, rows = rows, pitch = g.pitch, size = g.pad}
  local rec = {name = gname, nodes = nodes, pitch = g.pitch, pad = g.pad, cell = cell,
               thickness = g.thickness, demag = demag, nx = nx, ny = ny}
  if nodes == 4 then rec.disk_diameter = g.disk_diameter end
  return film, el, rec
end

--- New twin device.
-- opts: nodes (4 or 35, built-in geometry) with geometry = "default" |
-- "wide" (twin.geometries) and per-option overrides pitch, pad,
-- disk_diameter, cell, thickness (Py film, m) and demag (true/false,
-- overrides the preset's); or film + electrodes (your own; thickness then
-- only sets the AMR sheet thickness);
-- preset = "paper" | "full"; width (pulse length, s,
-- default 5 ns), rest (field-off time after each pulse, s, default 0);
-- peak_H (calibration target, A/m, default 20 Oe); volts (fixed pad voltage
-- instead of calibrating); amr_ratio (default 0.04: the 1T reference then
-- sits mid-way in the AMR range, where xi = 0.98 is the paper's value);
-- sigma0 (5e6 S/m); xi (0.98); init = pattern label to saturate the texture
-- with at start (default "+-+-..." alternating) and init_s (its length,
-- default 20 ns); tol (RK45 tolerance, 1e-4); seed.
-- dev.geometry records the layout ({name, nodes, pitch, pad, cell,
-- thickness, demag, nx, ny}; name "custom" for your own film).
-- Construction calibrates the drive (one Oersted solve, unless volts is
-- given) and, unless init = false, integrates the LLG equation for init_s.
-- @function new
-- @tparam[opt] table opts as above; width, rest, init_s in s, each <= 1e-6
-- @treturn Twin the device
-- @raise on an unknown option key or a value out of range (the message names
-- the option), film without electrodes or the reverse, geometry options
-- given with your own film, peak_H above `MAX_PEAK_H`, a film above
-- `MAX_CELLS` cells, or a failed drive calibration
-- @usage local dev = mh.twin.new{nodes = 4, preset = "paper", cell = 50e-9}
local NEW_KEYS = {"nodes", "geometry", "pitch", "pad", "disk_diameter", "cell", "thickness", "demag", "film",
                  "electrodes", "preset", "width", "rest", "peak_H", "volts", "amr_ratio", "sigma0", "xi", "init",
                  "init_s", "tol", "seed"}

function twin.new(opts)
  opts = args.options("twin.new", opts, NEW_KEYS)
  local F = "twin.new"
  args.opt(F, opts, "rest", {min = 0, max = 1e-6, default = 0, unit = "s"})
  args.opt(F, opts, "width", {gt = 0, max = 1e-6, default = 5e-9, unit = "s"})
  args.opt(F, opts, "init_s", {gt = 0, max = 1e-6, default = 20e-9, unit = "s"})
  args.opt(F, opts, "sigma0", {gt = 0, max = 1e9, default = 5e6, unit = "S/m"})
  args.opt(F, opts, "amr_ratio", {min = 0, lt = 1, default = 0.04})
  args.opt(F, opts, "xi", {min = 0, max = 10, default = 0.98})
  args.opt(F, opts, "tol", {min = 1e-12, max = 0.1, default = 1e-4})
  args.opt(F, opts, "seed", {integer = true, min = 0, default = 1})
  local preset = twin.presets[opts.preset or "paper"]
  if not preset then
    error(("twin.new: option 'preset' must be \"paper\" or \"full\", got %q"):format(tostring(opts.preset)), 2)
  end
  local film, el, geom = opts.film, opts.electrodes, nil
  if film == nil or el == nil then
    if film ~= nil or el ~= nil then error("twin.new: give both 'film' and 'electrodes', or 'nodes'", 2) end
    film, el, geom = geometry_film(opts.nodes or 4, preset, opts)
  elseif not electrodes.is(el) then
    error("twin.new: option 'electrodes' must come from mh.electrodes", 2)
  else
    for _, k in ipairs {"geometry", "pitch", "pad", "disk_diameter", "cell", "demag"} do
      if opts[k] ~= nil then
        error(("twin.new: option '%s' applies to the built-in geometry, not to your own film"):format(k), 2)
      end
    end
    local nx, ny, _, dx, _, dz = film:shape()
    geom = {name = "custom", nodes = el:count(), cell = dx, thickness = dz, nx = nx, ny = ny}
  end
  local function positive(name, default)
    local v = opts[name] == nil and default or opts[name]
    if type(v) ~= "number" or not (v >= 0) or v == math.huge then
      error(("twin.new: option '%s' must be a finite number >= 0, got %s"):format(name, tostring(v)), 3)
    end
    return v
  end
  local self = setmetatable({
    film = film, el = el, geometry = geom,
    width = positive("width", 5e-9), rest = positive("rest", 0),
    peak_H = positive("peak_H", 20 * OE), xi = positive("xi", 0.98),
    tol = positive("tol", 1e-4),
    amr_opts = {sigma0 = opts.sigma0 or 5e6, amr_ratio = opts.amr_ratio or 0.04,
                thickness = geom.name == "custom" and opts.thickness or nil},
    au_opts = {sigma = twin.geometry.au_sigma, thickness = twin.geometry.au_thickness},
    fields = {}, -- pattern label -> H Field
    G = nil,     -- cached conductance of the current texture
    timing = {llg = 0, oersted = 0, amr = 0, recall = 0},
  }, Twin)
  if self.width <= 0 then error("twin.new: option 'width' must be > 0 s", 2) end
  if self.peak_H > twin.MAX_PEAK_H then
    error(("twin.new: option 'peak_H' = %g A/m is above the limit of %g A/m (twin.MAX_PEAK_H)"):format(
      self.peak_H, twin.MAX_PEAK_H), 2)
  end
  local N = self.nodes
  -- calibrate the pad voltage on the alternating pattern
  local ref = {}
  for k = 1, N do ref[k] = (k % 2 == 1) and 1 or -1 end
  if opts.volts then
    self.volts = positive("volts", 1)
  else
    local t0 = core.wtime()
    local r, err = oersted.solve {film = film, electrodes = el, volts = ref, target_peak_H = self.peak_H,
                                  sigma = self.au_opts.sigma, thickness = self.au_opts.thickness}
    if not r then error("twin.new: drive calibration failed: " .. tostring(err), 2) end
    local vmax = 0
    for k = 1, N do vmax = math.max(vmax, math.abs(r.pad_volts:get(k, 1))) end
    self.volts = vmax
    self.timing.oersted = self.timing.oersted + core.wtime() - t0
  end
  -- initial texture: in-plane uniform, then saturated by the init pattern
  film:set_uniform(1, 0, 0)
  local init = opts.init
  if init == nil then init = hopfield.label(ref) end
  if init ~= false then
    self:pulse(type(init) == "string" and hopfield.parse(init) or init, 1, {width = opts.init_s or 20e-9})
  end
  return self
end

local function check_pattern(self, x)
  local N = self.nodes
  if type(x) == "string" then x = hopfield.parse(x) end
  if type(x) ~= "table" or #x ~= N then
    error(("twin: pattern of %d entries (+1/-1) expected"):format(N), 3)
  end
  for k = 1, N do
    if x[k] ~= 1 and x[k] ~= -1 then error(("twin: pattern entry %d is %s; entries must be +1 or -1"):format(k, tostring(x[k])), 3) end
  end
  return x
end

-- Oersted field of a pattern at the calibrated voltage (cached).
function Twin:field_of(x, volts)
  volts = volts or self.volts
  if type(volts) ~= "number" or not (math.abs(volts) <= 1e3) then
    error(("twin: option 'volts' must be a number in [-1000, 1000] V, got %s"):format(tostring(volts)), 3)
  end
  local key = hopfield.label(x) .. "@" .. ("%.9g"):format(volts)
  local H = self.fields[key]
  if not H then
    local t0 = core.wtime()
    local v = {}
    for k = 1, #x do v[k] = volts * x[k] end
    local r, err = oersted.solve {film = self.film, electrodes = self.el, volts = v,
                                  sigma = self.au_opts.sigma, thickness = self.au_opts.thickness}
    if not r then error("twin: Oersted solve failed: " .. tostring(err), 0) end
    if not (r.peak_H <= twin.MAX_PEAK_H) then
      error(("twin: option 'volts' = %g V drives a peak Oersted field of %g A/m, above the limit of %g A/m "
        .. "(twin.MAX_PEAK_H; the calibrated drive gives %g A/m)"):format(volts, r.peak_H, twin.MAX_PEAK_H,
        self.peak_H), 3)
    end
    H = r.H
    self.fields[key] = H
    self.timing.oersted = self.timing.oersted + core.wtime() - t0
  end
  return H
end

local function run(self, seconds, progress)
  if seconds <= 0 then return end
  local t0 = core.wtime()
  -- every segment starts from the same trial step, so a resumed run repeats
  -- an uninterrupted one exactly
  local steps, err = self.film:run(seconds, {solver = "rk45", dt = 1e-13, tol = self.tol, progress = progress})
  if not steps then error("twin: LLG integration failed: " .. tostring(err), 0) end
  self.timing.llg = self.timing.llg + core.wtime() - t0
end

--- Apply `count` pulses of pattern x (±1 table or "+-+-" label). opts:
-- width (s), rest (s), volts (V; default the calibrated drive), progress
-- (false: no progress line; by default one shows on a terminal when the
-- pulses take over 2 s). Integrates the LLG equation (RK45) for
-- count*(width + rest) s of film time; the conductance is recomputed lazily.
-- @tparam table|string x ±1 pattern of N entries or a "+-" label
-- @tparam[opt=1] integer count pulses, >= 0
-- @tparam[opt] table opts width (s, (0, 1e-6], default the device's), rest
-- (s, [0, 1e-6]), volts (V, [-1000, 1000]), progress (boolean)
-- @return self
-- @raise on a bad pattern, count or option, a drive whose peak field exceeds
-- `MAX_PEAK_H`, or a failed Oersted solve or LLG integration
-- @usage dev:pulse("+--+", 60)
function Twin:pulse(x, count, opts)
  opts = args.options("twin:pulse", opts, {"width", "rest", "volts", "progress"})
  args.opt("twin:pulse", opts, "rest", {min = 0, max = 1e-6, default = 0, unit = "s"})
  x = check_pattern(self, x)
  count = count == nil and 1 or count
  if math.type(count) ~= "integer" or count < 0 then
    error("twin:pulse: count must be a non-negative integer, got " .. tostring(count), 2)
  end
  opts = opts or {}
  local width, rest = opts.width or self.width, opts.rest or self.rest
  if type(width) ~= "number" or not (width > 0) or width > 1e-6 then
    error("twin:pulse: option 'width' must be in (0, 1e-6] s", 2)
  end
  local H = self:field_of(x, opts.volts)
  -- progress: one line over the pulses (a single pulse shows film:run's own)
  local meter = count > 1 and opts.progress ~= false
    and require("maghop.cli").progress("twin " .. hopfield.label(x) .. " pulses", count) or nil
  local inner = (count > 1 or opts.progress == false) and false or nil
  for k = 1, count do
    self.film:set_field_map(H)
    run(self, width, inner)
    self.film:set_field_map(nil)
    run(self, rest, inner)
    if meter then meter(k) end
  end
  if meter then meter.finish() end
  self.G = nil
  return self
end

-- A copy of the matrix cached in self[key], solved first with
-- solve(film, electrodes, amr_opts) when absent; the time goes to timing.amr.
local function solved(self, key, solve)
  if not self[key] then
    local t0 = core.wtime()
    local G, err = solve(self.film, self.el, self.amr_opts)
    if not G then error("twin: AMR solve failed: " .. tostring(err), 0) end
    self[key] = G
    self.timing.amr = self.timing.amr + core.wtime() - t0
  end
  return self[key]:copy()
end

--- Conductance matrix (N x N Array, siemens) of the current texture.
-- Cached until the next pulse or load_state.
-- @treturn Array G, N x N, S (a copy)
-- @raise when the AMR solve fails
function Twin:conductance()
  return solved(self, "G", amr.conductance)
end

--- G of the film saturated out of plane (isotropic AMR), computed once.
-- @treturn Array G^{1T}, N x N, S (a copy)
-- @raise when the AMR solve fails
function Twin:reference()
  return solved(self, "G1", amr.conductance_saturated)
end

--- Weights of the physical inference protocol, w = G - xi G^1T (zero
-- diagonal), as an N x N Array.
-- @treturn Array w, N x N, S
-- @raise when an AMR solve fails
function Twin:weights()
  return amr.inference_weights(self:conductance(), self:reference(), self.xi)
end

--- Recall through the paper's inference protocol. The protocol's node
-- current I_i = I_i1 + I_i2 = 2 sum_{j != i} G_ij V_j is linear in the pad
-- voltages, so it equals a Hopfield update with w = G - xi G^1T: by default
-- we use that (fast, exact); opts.physical = true runs the pad-current
-- solves on the film instead (amr.infer, with its progress line per sweep
-- on a terminal). opts: mode, seed, max_sweeps, physical, progress.
-- @tparam table|string state ±1 start state of N entries or a "+-" label
-- @tparam[opt] table opts mode ("async" default or "sync"), seed (integer,
-- async node order), max_sweeps, physical (boolean, default false),
-- progress (physical path: false, true or a function(sweep, node, N), as
-- amr.infer)
-- @return the final state (a State)
-- @treturn integer sweeps
-- @treturn boolean converged
-- @treturn boolean cycle (sync 2-cycle; false on the physical path)
-- @raise on an unknown option key or a bad state or option value
-- @usage local s = dev:recall("+---")
function Twin:recall(state, opts)
  opts = args.options("twin:recall", opts, {"mode", "seed", "max_sweeps", "physical", "progress"})
  local t0 = core.wtime()
  local s, sweeps, converged, cycle
  if opts.physical then
    local info
    s, sweeps, info = amr.infer(self.film, self.el, state, {mode = opts.mode or "async", seed = opts.seed,
      max_sweeps = opts.max_sweeps, xi = self.xi, sigma0 = self.amr_opts.sigma0,
      amr_ratio = self.amr_opts.amr_ratio, thickness = self.amr_opts.thickness, progress = opts.progress})
    if not s then error("twin:recall: AMR solve failed: " .. tostring(sweeps), 0) end
    converged, cycle = info.converged, false
  else
    -- the cached network is valid for one texture (G) and one xi
    local net = self.net_cache
    if not net or self.net_G ~= self.G or self.net_xi ~= self.xi then
      net = hopfield.new(self:weights())
      self.net_cache, self.net_G, self.net_xi = net, self.G, self.xi
    end
    s, sweeps, converged, cycle = net:recall(state, {mode = opts.mode or "async", seed = opts.seed,
                                                     max_sweeps = opts.max_sweeps})
  end
  self.timing.recall = self.timing.recall + core.wtime() - t0
  return hopfield.as_state(s), sweeps, converged, cycle
end

--- Save the magnetization (OVF 2.0 binary 8) and a colour-wheel PNG of the
-- in-plane angle with its colour key. `path` "x.png" or "x.ovf" names that
-- file exactly and the other gets the same stem; any other path is the stem
-- of both (path .. ".ovf", path .. ".png"). Parent folders are created.
-- Returns the OVF path and the PNG path (nil without gnuplot).
-- @tparam string path file name or stem
-- @tparam[opt="maghop twin"] string title OVF title and PNG caption
-- @treturn string OVF path
-- @treturn string|nil PNG path
-- @raise on an empty or non-string path or a failed OVF write
function Twin:snapshot(path, title)
  if type(path) ~= "string" or path == "" then
    error(("twin:snapshot: path must be a non-empty string, got %s"):format(tostring(path)), 2)
  end
  -- "x.png" or "x.ovf" name one of the two files exactly; any other path is the common stem
  local stem = path:match("^(.*)%.[Pp][Nn][Gg]$") or path:match("^(.*)%.[Oo][Vv][Ff]$") or path
  local ovf, png_path = stem .. ".ovf", stem .. ".png"
  if path:match("%.[Pp][Nn][Gg]$") then png_path = path elseif path:match("%.[Oo][Vv][Ff]$") then ovf = path end
  local ok, err = self.film:save_ovf(ovf, {format = "binary8", title = title or "maghop twin"})
  if not ok then error("twin:snapshot: " .. tostring(err), 2) end
  local plot = require "maghop.plot"
  local png = plot.mwheel {png = png_path, m = self.film:m(), mask = self.film:mask(), title = title}
  return ovf, png
end

--- State for checkpoints: the magnetization written to `prefix`.ovf
-- (binary 8, exact), atomically, and the geometry it belongs to. Returns a
-- table to store in a checkpoint: {ovf = path, geometry = dev.geometry,
-- time = film time (s)}.
-- @tparam string prefix path without ".ovf"; folders are created
-- @treturn table {ovf, geometry, time}
-- @raise when the OVF cannot be written or renamed
function Twin:save_state(prefix)
  mio.mkdir(mio.dirname(prefix))
  local tmp = prefix .. ".tmp.ovf"
  local ok, err = self.film:save_ovf(tmp, {format = "binary8"})
  if not ok then error("twin:save_state: " .. tostring(err), 2) end
  local rok, rerr = os.rename(tmp, prefix .. ".ovf")
  if not rok then error("twin:save_state: " .. tostring(rerr), 2) end
  local g = {}
  for k, v in pairs(self.geometry) do g[k] = v end
  -- the film clock too: a run's step sequence depends on its absolute start
  -- time, so a restored state repeats the original run only at the same t
  return {ovf = prefix .. ".ovf", geometry = g, time = self.film:time()}
end

--- Restore a state saved by save_state. A state that records its geometry
-- must match this device's (every recorded key), otherwise an error names
-- the first key that differs (numbers compare to a relative 1e-9).
-- @tparam table st a table from save_state (e.g. read from a checkpoint)
-- @return self
-- @raise on a st without an ovf path, a non-table geometry, a geometry
-- mismatch, an unreadable OVF, or a non-finite time
function Twin:load_state(st)
  if type(st) ~= "table" or type(st.ovf) ~= "string" then
    error("twin:load_state: state table with 'ovf' (path) expected", 2)
  end
  if st.geometry ~= nil then
    if type(st.geometry) ~= "table" then error("twin:load_state: 'geometry' must be a table", 2) end
    local keys = {}
    for k in pairs(st.geometry) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local a, b = st.geometry[k], self.geometry[k]
      local same = a == b or (type(a) == "number" and type(b) == "number"
                              and math.abs(a - b) <= 1e-9 * math.max(math.abs(a), math.abs(b)))
      if not same then
        error(("twin:load_state: state was saved with geometry %s = %s, this device has %s"):format(
          k, tostring(a), tostring(b)), 2)
      end
    end
  end
  local ok, err = self.film:load_ovf(st.ovf)
  if not ok then error("twin:load_state: " .. tostring(err), 2) end
  if st.time ~= nil then
    if type(st.time) ~= "number" or st.time ~= st.time or math.abs(st.time) == math.huge then
      error("twin:load_state: 'time' must be a finite number (s), got " .. tostring(st.time), 2)
    end
    self.film:time(st.time)
  end
  self.G = nil
  return self
end

--- Seconds spent per stage: {llg=, oersted=, amr=, recall=}.
-- @treturn table wall seconds per stage (a copy)
function Twin:timings()
  local t = {}
  for k, v in pairs(self.timing) do t[k] = v end
  return t
end

function Twin:__tostring()
  local nx, ny = self.film:shape()
  return ("Twin device, %d nodes, geometry %s, film %dx%d cells, drive %.3g V"):format(self.nodes,
    self.geometry.name, nx, ny, self.volts)
end

args.public(Twin, "twin:")
return twin
