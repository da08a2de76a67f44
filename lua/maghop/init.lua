--- maghop: a self-learning magnetic Hopfield network, simulated.
-- `local mh = require "maghop"` gives the whole library: C-backed arrays,
-- the compact (Eq. 2) device, the Hopfield layer, learning rules, patterns,
-- logic gates, the micromagnetic engine and transport.
-- @module maghop
local core = require "maghop.core"

local mh = {
  core = core,
}

--- The library version (a string, e.g. "0.1.0"; `maghop -v` prints it).
mh.version = "0.1.0"

-- Numeric arrays (C-backed, row-major; a vector is n x 1).
mh.array = core.array
mh.zeros = core.zeros
mh.wtime = core.wtime -- monotonic wall-clock seconds

-- The Lua half, one module per entry, loaded in this order (mh.<name>).
local MODULES = {
  -- device models, network, rules and protocols
  "compact", "hopfield", "rules", "patterns", "logic",
  -- tables and files, plots, command line, checkpoints
  "io", "plot", "cli", "checkpoint",
  -- recall accuracy, restoration, Hamming distance, tie jitter
  "metrics",
  -- transport: mh.electrodes.grid{...}/custom{...}; mh.oersted.solve{...} ->
  -- {H=, K=, I=, ...}; mh.amr.conductance(film, electrodes, opts) -> G,
  -- the measurement twin and inference
  "electrodes", "oersted", "amr",
  -- the micromagnetic twin device, and a second compact model (per-pair
  -- rules fitted to twin traces)
  "twin", "pairwise",
  -- parameter sweeps, serial or over MPI ranks (mh.sweep{params=, seeds=, run=, out=})
  "sweep",
}
for _, name in ipairs(MODULES) do mh[name] = require("maghop." .. name) end

-- Micromagnetic film and vector fields:
-- mh.film{nx=, ny=, dx=, ...} -> Film (see csrc/lua/l_film.c); mh.field(nx, ny, nz, ncomp) -> Field.
mh.film = core.film
mh.field = core.field

-- OVF 2.0 files and the demag engine on its own:
-- mh.ovf.read(path) -> Field, header | nil, msg; mh.ovf.write(path, field,
-- {format = "binary8"|"binary4"|"text", title=, desc=}) -> true | nil, msg.
-- mh.demag.field(m_field[, Ms]) -> H, energy; .tensor(X, Y, Z, dx, dy, dz);
-- .factors(nx, ny, nz, dx, dy, dz) -> Nxx, Nyy, Nzz, Nxy, Nxz, Nyz.
mh.ovf = {read = core.ovf_read, write = core.ovf_write}
-- mh.vtk.write(path, field, {name =, format = "binary"|"ascii", title =}) -> true | nil, msg:
-- VTK legacy STRUCTURED_POINTS (ParaView); film:save_vtk(path) writes m.
mh.vtk = {write = core.vtk_write}

--- Allow (true, the default) or silence (false) the progress lines with an
-- ETA that film:run, film:relax and film:minimize print on a terminal
-- (their option `progress` overrides it per call; MAGHOP_PROGRESS=0 in the
-- environment silences them too). The examples' --quiet calls it.
-- @bool on
function mh.set_progress(on)
  if type(on) ~= "boolean" then error(("set_progress: boolean expected, got %s"):format(type(on)), 2) end
  core.set_progress(on)
end

--- film:snapshot(path, {k =, title =, key =}): PNG map of m (colour wheel of
-- the in-plane angle, lightness from mz) of layer k (default 1) with its
-- colour key, written to exactly `path` (parent folders created). Returns
-- the path, or nil and a message (gnuplot missing or failing).
function core.Film.snapshot(film, path, opts)
  if type(path) ~= "string" or path == "" then
    error(("snapshot: path must be a non-empty string, got %s"):format(tostring(path)), 2)
  end
  opts = opts or {}
  if type(opts) ~= "table" then error(("snapshot: options must be a table, got %s"):format(type(opts)), 2) end
  for key in pairs(opts) do
    if key ~= "k" and key ~= "title" and key ~= "key" then
      error(("snapshot: unknown option '%s' (accepted: k, title, key)"):format(tostring(key)), 2)
    end
  end
  local _, _, nz = film:shape()
  local k = opts.k or 1
  if math.type(k) ~= "integer" or k < 1 or k > nz then
    error(("snapshot: option 'k' must be a layer 1..%d, got %s"):format(nz, tostring(k)), 2)
  end
  return mh.plot.mwheel {png = path, m = film:m(), mask = film:mask(), k = k, title = opts.title,
                         key = opts.key}
end
mh.demag = {field = core.demag_field, tensor = core.demag_tensor, factors = core.demag_factors}

-- mh.mpi: rank(), size(), barrier() (a one-rank stand-in when MPI is absent).
mh.mpi = mh.sweep.mpi()

-- Errors raised inside maghop's Lua files by a public function are
-- reported at the user's call (the line that called mh.x.y), not at a line
-- of maghop. C functions already report there.
local args = require "maghop.args"
for _, name in ipairs(MODULES) do args.public(mh[name], name .. ".") end

return mh
