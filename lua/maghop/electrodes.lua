--- Electrode layouts: rectangular pads present in both the Au write layer and
-- the Py film. Coordinates are metres in film coordinates: origin at the
-- outer corner of cell (1, 1), x along i, y along j. A pad maps to the film
-- cells whose centres it covers (checked when a solver is built).
local args = require "maghop.args"
local electrodes = {}

local Electrodes = {}
Electrodes.__index = Electrodes

local function num(v, what, positive)
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
    error(("electrodes: %s must be a finite number, got %s"):format(what, tostring(v)), 3)
  end
  if positive and not (v > 0) then
    error(("electrodes: %s must be > 0 m, got %g"):format(what, v), 3)
  end
  return v
end

local function pair(v, what)
  if type(v) == "table" then
    return num(v[1] or v.x or v.w, what .. "[1]", true), num(v[2] or v.y or v.h, what .. "[2]", true)
  end
  local x = num(v, what, true)
  return x, x
end

--- Regular grid of cols × rows square (or w × h) pads, numbered row-major
-- from the top-left: node = row*cols + col + 1, row 0 at the largest y (as
-- in an image). opts: cols, rows, pitch (centre spacing, m, or {px, py}),
-- size (pad side, m, or {w, h}), origin = {x, y} (centre of the array; if
-- absent the array is centred on the film it is used with).
-- @tparam table opts
-- @tparam integer opts.cols pads per row, >= 1 (required)
-- @tparam integer opts.rows pad rows, >= 1, cols*rows >= 2 (required)
-- @tparam number|{number,number} opts.pitch centre spacing, m, > 0 (required)
-- @tparam number|{number,number} opts.size pad side, m, > 0 (required); pads must not overlap
-- @tparam[opt] {number,number} opts.origin centre of the array, m (default: film centre)
-- @treturn Electrodes the layout
-- @raise on a non-table opts, an unknown key, a missing or non-positive
-- pitch/size, cols/rows not integers >= 1, fewer than 2 pads, overlapping pads
-- @usage local el = mh.electrodes.grid{cols = 2, rows = 2, pitch = 400e-9, size = 200e-9}
function electrodes.grid(opts)
  if type(opts) ~= "table" then error("electrodes.grid: options table expected", 2) end
  args.options("electrodes.grid", opts, {"cols", "rows", "pitch", "size", "origin"})
  local cols, rows = opts.cols, opts.rows
  if math.type(cols) ~= "integer" or cols < 1 then error("electrodes.grid: cols must be an integer >= 1", 2) end
  if math.type(rows) ~= "integer" or rows < 1 then error("electrodes.grid: rows must be an integer >= 1", 2) end
  if cols * rows < 2 then error("electrodes.grid: need at least 2 pads (cols*rows >= 2)", 2) end
  if opts.pitch == nil then error("electrodes.grid: pitch (m) is required", 2) end
  if opts.size == nil then error("electrodes.grid: size (m) is required", 2) end
  local px, py = pair(opts.pitch, "pitch")
  local w, h = pair(opts.size, "size")
  if (cols > 1 and w >= px) or (rows > 1 and h >= py) then
    error(("electrodes.grid: pads of %g x %g m overlap at pitch %g x %g m"):format(w, h, px, py), 2)
  end
  local origin
  if opts.origin ~= nil then
    if type(opts.origin) ~= "table" then error("electrodes.grid: origin must be {x, y} (m)", 2) end
    origin = {num(opts.origin[1] or opts.origin.x, "origin[1]"), num(opts.origin[2] or opts.origin.y, "origin[2]")}
  end
  local pads = {}
  for r = 0, rows - 1 do
    for c = 0, cols - 1 do
      pads[r * cols + c + 1] = {x = (c - (cols - 1) / 2) * px, y = ((rows - 1) / 2 - r) * py, w = w, h = h}
    end
  end
  return setmetatable({pads = pads, relative = true, origin = origin, cols = cols, rows = rows,
                       kind = ("grid %dx%d"):format(cols, rows)}, Electrodes)
end

--- Custom pads: a list of {x =, y =, w =, h =} (centre, width, height, m,
-- film coordinates). Node k is the k-th entry. Positional {x, y, w, h} works too.
-- @tparam {table,...} list at least 2 pads; x, y finite (m), w, h > 0 (m)
-- @treturn Electrodes the layout
-- @raise on fewer than 2 pads, a pad that is not a table, or a non-finite
-- coordinate or non-positive size
function electrodes.custom(list)
  if type(list) ~= "table" or #list < 2 then error("electrodes.custom: list of at least 2 pads expected", 2) end
  local pads = {}
  for k, p in ipairs(list) do
    if type(p) ~= "table" then error(("electrodes.custom: pad %d must be a table {x=, y=, w=, h=}"):format(k), 2) end
    pads[k] = {x = num(p.x or p[1], ("pad %d x"):format(k)), y = num(p.y or p[2], ("pad %d y"):format(k)),
               w = num(p.w or p[3], ("pad %d w"):format(k), true), h = num(p.h or p[4], ("pad %d h"):format(k), true)}
  end
  return setmetatable({pads = pads, relative = false, kind = "custom"}, Electrodes)
end

--- True when v is an electrode layout.
-- @param v any value
-- @treturn boolean
function electrodes.is(v) return getmetatable(v) == Electrodes end

--- Pad voltages from a "+-+-" label: +amplitude / -amplitude per node
-- ('0' gives 0 V). A Unicode minus sign (U+2212) counts as '-'.
-- @tparam string label one of '+', '-', '0' per node
-- @tparam[opt=1] number amplitude pad voltage, V, in [-1000, 1000]
-- @treturn {number,...} volts per node, V
-- @raise on any other character in label or an amplitude out of range
-- @usage mh.electrodes.pattern("+--+", 0.5) --> {0.5, -0.5, -0.5, 0.5}
function electrodes.pattern(label, amplitude)
  amplitude = args.number("electrodes.pattern", "argument 'amplitude'", amplitude,
                          {min = -1000, max = 1000, default = 1, unit = "V"})
  local v = {}
  for ch in tostring(label):gsub("\u{2212}", "-"):gmatch(".") do
    if ch == "+" then v[#v + 1] = amplitude
    elseif ch == "-" then v[#v + 1] = -amplitude
    elseif ch == "0" then v[#v + 1] = 0
    else error(("electrodes.pattern: '%s' is not a +/-/0 label"):format(label), 2) end
  end
  return v
end

--- Number of pads (nodes); also `#el`.
-- @treturn integer
function Electrodes:count() return #self.pads end
Electrodes.__len = Electrodes.count

--- Pads in absolute film coordinates for `film` (a grid without origin is
-- centred on the film): list of {x=, y=, w=, h=}.
-- @tparam Film film the film that sets the centre
-- @treturn {table,...} pads {x =, y =, w =, h =}, m (centre, width, height)
-- @raise when film is not a Film
function Electrodes:rects(film)
  args.film("electrodes", "film", film)
  local ox, oy = 0, 0
  if self.relative then
    if self.origin then
      ox, oy = self.origin[1], self.origin[2]
    else
      local nx, ny, _, dx, dy = film:shape()
      ox, oy = nx * dx / 2, ny * dy / 2
    end
  end
  local out = {}
  for k, p in ipairs(self.pads) do out[k] = {x = p.x + ox, y = p.y + oy, w = p.w, h = p.h} end
  return out
end

--- A string that identifies the resolved pads on `film` (solver caches use
-- it, so equal layouts built twice share one factorization).
-- @tparam Film film
-- @treturn string key with the pads' coordinates at full precision
-- @raise when film is not a Film
function Electrodes:key(film)
  local parts = {}
  for k, p in ipairs(self:rects(film)) do
    parts[k] = ("%.17g,%.17g,%.17g,%.17g"):format(p.x, p.y, p.w, p.h)
  end
  return table.concat(parts, ";")
end

function Electrodes:__tostring()
  return ("Electrodes %s (%d pads)"):format(self.kind, #self.pads)
end

args.public(Electrodes, "electrodes:")
return electrodes
