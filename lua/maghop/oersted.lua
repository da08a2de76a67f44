--- Write physics: voltages on the Au electrodes -> sheet currents -> the
-- Oersted field in the Py film (DESIGN.md §3.3). The Au solve and the FFT
-- kernels are cached per (film, pad layout, sigma, thickness, offset), so a
-- sequence of pulses that only changes the volts reuses the factorization.
local core = require "maghop.core"
local electrodes = require "maghop.electrodes"
local solvers = require("maghop.cache").new(16)

local oersted = {}

local SOLVE_KEYS = {film = true, electrodes = true, volts = true, sigma = true, thickness = true,
                    offset = true, footprint = true, solver = true, series_resistance = true,
                    target_peak_H = true}

--- A reusable Au solver: oersted.solver(film, electrodes, {sigma = 4.1e7 S/m,
-- thickness = 50e-9 m, offset = (m, Au centre to Py centre; default
-- thickness/2 + 20 nm + film thickness/2), footprint = "film"|"full"|mask
-- Field (nx×ny×1, 1 comp, nonzero = Au),
-- solver = "cholmod"|...}). Methods: s:solve(volts, {series_resistance=,
-- target_peak_H=}), s:conductance() (Au pad conductances).
-- @tparam Film film the Py film (its grid sets the Au grid)
-- @tparam Electrodes el pad layout from `mh.electrodes`
-- @tparam[opt] table opts sigma (S/m, default 4.1e7), thickness (m, default
-- 50e-9), offset (m), footprint, solver, as above
-- @return the solver object
-- @raise when el does not come from mh.electrodes, or on bad options (from the core)
function oersted.solver(film, el, opts)
  if not electrodes.is(el) then error("oersted.solver: argument 2 (electrodes) must come from mh.electrodes", 2) end
  return core.oersted_solver(film, el:rects(film), opts)
end

local ids, next_id = setmetatable({}, {__mode = "k"}), 0 -- footprint Fields -> ids

local function footprint_key(fp)
  if type(fp) ~= "userdata" then return tostring(fp) end
  if not ids[fp] then next_id = next_id + 1; ids[fp] = next_id end
  return "field#" .. ids[fp]
end

local function cached(film, el, opts)
  local key = table.concat({tostring(opts.sigma), tostring(opts.thickness), tostring(opts.offset),
                            footprint_key(opts.footprint), tostring(opts.solver), el:key(film)}, "|")
  return solvers(film, key, function()
    return oersted.solver(film, el, {sigma = opts.sigma, thickness = opts.thickness, offset = opts.offset,
                                     footprint = opts.footprint, solver = opts.solver})
  end)
end

--- mh.oersted.solve{film =, electrodes =, volts = {...} (V per pad),
-- sigma =, thickness =, offset =, series_resistance = (Ω, number or per
-- pad) and/or target_peak_H = (A/m)} -> result with H (Field nx×ny×nz×3,
-- A/m, ready for film:set_field_map), K (sheet current, Field, A/m), phi
-- (V), I (Array of pad currents, A, sums to zero), pad_volts, peak_H
-- (A/m over the film), scale; or nil, message.
-- `volts` may also be a pattern label string, expanded by `electrodes.pattern`.
-- The Au factorization is cached per (film, pads, sigma, thickness, offset,
-- footprint, solver), at most 16 per film.
-- @tparam table o options as above; film, electrodes and volts are required
-- @treturn table result {H, K, phi, I, pad_volts, peak_H, scale}
-- @return or nil, message when the solve fails at run time
-- @raise on a non-table o, an unknown key, a missing film or volts, or
-- electrodes not from mh.electrodes
-- @usage local r = mh.oersted.solve{film = film, electrodes = el, volts = "+-+-"}
function oersted.solve(o)
  if type(o) ~= "table" then error("oersted.solve: options table expected", 2) end
  for k in pairs(o) do
    if not SOLVE_KEYS[k] then error(("oersted.solve: unknown option '%s'"):format(tostring(k)), 2) end
  end
  if o.film == nil then error("oersted.solve: 'film' is required", 2) end
  if not electrodes.is(o.electrodes) then error("oersted.solve: 'electrodes' must come from mh.electrodes", 2) end
  if o.volts == nil then error("oersted.solve: 'volts' is required", 2) end
  local volts = o.volts
  if type(volts) == "string" then volts = electrodes.pattern(volts) end
  local s = cached(o.film, o.electrodes, o)
  return s:solve(volts, {series_resistance = o.series_resistance, target_peak_H = o.target_peak_H})
end

--- Field (Field nx×ny×nz×3, A/m) of a given sheet current K (Field nx×ny×1
-- with 2 or 3 comps and its cell size) in nz layers of thickness dz whose
-- centre is `offset` m below the sheet. (The C function `core.oersted_field`.)
-- @function field
oersted.field = core.oersted_field

return oersted
