-- bench_llg.lua — throughput of the LLG engine: cell-evaluations/s
-- (cells x field evaluations / wall s), simulated ns per wall hour and peak
-- memory (VmHWM) for
--   (a) standard problem 4, field 1, 200x50x1 cells of 2.5 nm, demag
--   (b) 512x512 with demag      (c) 512x512 exchange only      (d) 1024x1024 with demag
-- Each case runs in its own process (so VmHWM is its own) with the adaptive
-- Dormand–Prince stepper (tol 1e-5). Case (a) runs the whole 1 ns of field 1
-- (0.1 ns with --quick); (b)-(d) run a few hundred steps from a smooth
-- non-equilibrium texture and their ns-per-hour figures are extrapolated from
-- the simulated time per wall second of that stretch. Setup (tensor, plans,
-- the start state) is not timed.
-- Usage: build/bin/maghop scripts/bench_llg.lua [--quick] [--case a|b|c|c_heun|d]
local mh = require "maghop"
local bench = require "maghop.bench"

local opts = mh.cli.parse {quick = false, case = ""}
local MU0 = 1.25663706212e-6
local START_OMF = "../shared/data/stdprob4/stdprob4-cs2.50x2.50x3.00-start.omf"

local REF = {
  a = "OOMMF 2.1a0, 2 threads: 1 ns in 29.6 s, 6.5e6 cell-evals/s; target 1 ns <= 10 s",
  b = "(no published reference)",
  c = "target >= 1e8 cell-evals/s",
  c_heun = "target (c) >= 1e8 cell-evals/s; same kernel, fewer stage arrays",
  d = "OOMMF 7.7e6 cell-evals/s; target >= 1.5e7 (DRAM ceiling ~2e7)",
}

local function vmhwm_mib()
  local f = io.open("/proc/self/status", "r")
  if not f then return 0 / 0 end
  for line in f:lines() do
    local kb = line:match("^VmHWM:%s+(%d+)")
    if kb then f:close(); return tonumber(kb) / 1024 end
  end
  f:close()
  return 0 / 0
end

-- A smooth in-plane texture with some curl (not an equilibrium) for the big grids.
local function swirl(L)
  return function(x, y)
    local a = math.atan(y - 0.5 * L + 1e-9, x - 0.5 * L + 2e-9) + 0.3 * math.sin(6 * x / L)
    return -math.sin(a), math.cos(a), 0.1
  end
end

local function measure(f, seconds, max_steps, run_opts)
  f:run(1e-13, {}) -- warm-up: plans, workspace, first stage
  local s0 = f:stats()
  local t_sim0 = f:time()
  local t0 = mh.wtime()
  local ro = {max_steps = max_steps}
  for k, v in pairs(run_opts or {}) do ro[k] = v end
  local steps, rej = f:run(seconds, ro)
  local wall = mh.wtime() - t0
  -- a run cut short by max_steps returns nil, message: expected here
  local truncated = not steps
  if truncated then assert(tostring(rej):find("max_steps", 1, true), rej) end
  local s1 = f:stats()
  if truncated then steps, rej = s1.steps - s0.steps, s1.rejected - s0.rejected end
  local nx, ny, nz = f:shape()
  local cells = nx * ny * nz
  local evals = s1.evals - s0.evals
  local sim = f:time() - t_sim0
  return {cells = cells, evals = evals, steps = steps, rejected = rej, wall = wall, sim = sim,
          rate = cells * evals / wall, ns_per_hour = sim / wall * 3600 * 1e9, wall_per_ns = wall / sim * 1e-9}
end

local CASES = {}

function CASES.a()
  local f = mh.film{nx = 200, ny = 50, nz = 1, dx = 2.5e-9, dy = 2.5e-9, dz = 3e-9, Ms = 8e5, A = 1.3e-11,
                    alpha = 0.02, demag = true}
  if not (mh.io.exists(START_OMF) and f:load_ovf(START_OMF)) then
    f:set_uniform(1, 0.25, 0.1)
    assert(f:minimize{torque = 0.5, max_iter = 200000})
  end
  f:set_field{-24.6e-3 / MU0, 4.3e-3 / MU0, 0}
  return measure(f, opts.quick and 1e-10 or 1e-9, nil) -- the whole 1 ns: step sizes change along the run
end

local function big(n, demag, steps, run_opts)
  local L = n * 5e-9
  local f = mh.film{nx = n, ny = n, nz = 1, dx = 5e-9, dz = 3e-9, Ms = 8e5, A = 1.3e-11, alpha = 0.02,
                    demag = demag}
  f:set_m(swirl(L))
  return measure(f, 1e-9, steps, run_opts)
end

function CASES.b() return big(512, true, opts.quick and 30 or 150) end
function CASES.c() return big(512, false, opts.quick and 60 or 300) end
-- (c) again with Heun (2 field evaluations per step, fixed 0.1 ps): the same
-- field kernel with less stage traffic than Dormand–Prince's seven arrays.
function CASES.c_heun() return big(512, false, opts.quick and 100 or 500, {solver = "heun", dt = 1e-13}) end
function CASES.d() return big(1024, true, opts.quick and 10 or 50) end

local NAMES = {a = "llg_a_sp4_2.5nm_demag", b = "llg_b_512sq_demag", c = "llg_c_512sq_exchange",
               c_heun = "llg_c_512sq_exchange_heun",
               d = "llg_d_1024sq_demag"}

if opts.case ~= "" then
  local fn = CASES[opts.case]
  if not fn then error("--case must be a, b, c, c_heun or d, got " .. opts.case, 0) end
  local r = fn()
  bench.report(NAMES[opts.case], {
    {"cells", r.cells}, {"steps", r.steps}, {"rejected", r.rejected}, {"evals", r.evals},
    {"wall_s", r.wall}, {"sim_ps", r.sim * 1e12}, {"cell_evals_per_s", r.rate},
    {"sim_ns_per_hour", r.ns_per_hour}, {"wall_s_per_ns", r.wall_per_ns}, {"peak_MiB", vmhwm_mib()}})
  print(("   reference: %s"):format(REF[opts.case]))
  return
end

local host = arg and arg[-1] or "build/bin/maghop"
local failed = 0
for _, c in ipairs({"a", "b", "c", "c_heun", "d"}) do
  local cmd = ("%s scripts/bench_llg.lua --case %s%s"):format(mh.io.shell_quote(host), c,
                                                                opts.quick and " --quick" or "")
  if not os.execute(cmd) then failed = failed + 1; print("   FAILED: case " .. c) end
end
print(("threads: OMP_NUM_THREADS=%s ((b)-(d): per-ns figures extrapolated from the measured stretch)"):format(
  os.getenv("OMP_NUM_THREADS") or "default"))
os.exit(failed == 0 and 0 or 1)
