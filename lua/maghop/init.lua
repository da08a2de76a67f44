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

-- Device models, network, rules and protocols (Lua half).
mh.compact = require "maghop.compact"
mh.hopfield = require "maghop.hopfield"
mh.rules = require "maghop.rules"
mh.patterns = require "maghop.patterns"
mh.logic = require "maghop.logic"
mh.io = require "maghop.io"
mh.plot = require "maghop.plot"
mh.cli = require "maghop.cli"
mh.checkpoint = require "maghop.checkpoint"
mh.metrics = require "maghop.metrics" -- recall accuracy, restoration, Hamming distance, tie jitter

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
mh.demag = {field = core.demag_field, tensor = core.demag_tensor, factors = core.demag_factors}

-- Transport: electrodes, Oersted write field, AMR read-out:
-- mh.electrodes.grid{...}/custom{...}; mh.oersted.solve{...} -> {H=, K=, I=, ...};
-- mh.amr.conductance(film, electrodes, opts) -> G; measurement twin and inference.
mh.electrodes = require "maghop.electrodes"
mh.oersted = require "maghop.oersted"
mh.amr = require "maghop.amr"

-- The micromagnetic twin device
mh.twin = require "maghop.twin"
-- A second compact model: per-pair rules fitted to twin traces
mh.pairwise = require "maghop.pairwise"

-- Parameter sweeps, serial or over MPI ranks (mh.sweep{params=, seeds=, run=, out=});
-- mh.mpi: rank(), size(), barrier() (a one-rank stand-in when MPI is absent).
mh.sweep = require "maghop.sweep"
mh.mpi = mh.sweep.mpi()

return mh
