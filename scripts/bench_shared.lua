-- bench_shared.lua — the LLG engine on a machine shared with another job.
-- Runs one workload (standard problem 4 geometry, 200x50x1 cells of 2.5 nm
-- with demag, RK45, a fixed stretch of simulated time) in its own process,
-- quiet and next to one CPU-bound competing process, with the default
-- threading (team fitted to the free CPUs), with a fixed team of all cores
-- (MAGHOP_THREADS=fixed: what OpenMP does on its own) and with
-- OMP_NUM_THREADS=1. Each configuration runs --reps times (median and mean wall s);
-- the load average before each run is printed, since "quiet" means "no
-- competitor started by this script", not an idle machine.
-- Goals: loaded default <= loaded single thread; quiet default within 5 %
-- of quiet fixed team.
-- Usage: build/bin/maghop scripts/bench_shared.lua [--reps 3] [--ns 0.05]
local mh = require "maghop"
local bench = require "maghop.bench"

local opts = mh.cli.parse {reps = 3, ns = 0.05, work = false}

if opts.work then
  -- the workload itself: print the wall seconds of the timed run
  local f = mh.film {nx = 200, ny = 50, nz = 1, dx = 2.5e-9, dz = 3e-9, Ms = 8e5, A = 1.3e-11, alpha = 0.02,
                     demag = true}
  f:set_m(function(x, y) return 1, 0.2 * math.sin(x * 2e7), 0.1 end)
  f:run(2e-12) -- warm-up: plans, workspace
  local t0 = mh.wtime()
  assert(f:run(opts.ns * 1e-9, {tol = 1e-5}))
  print(("wall %.6f"):format(mh.wtime() - t0))
  return
end

local host = arg[-1] or "build/bin/maghop"
local script = arg[0]
local q = mh.io.shell_quote

local function loadavg()
  local fh = io.open("/proc/loadavg")
  local s = fh and fh:read("l") or "?"
  if fh then fh:close() end
  return s:match("^(%S+)") or "?"
end

local function run_once(env)
  local cmd = ("env %s %s %s --work --ns %s"):format(env, q(host), q(script), tostring(opts.ns))
  local p = io.popen(cmd)
  local out = p:read("a")
  p:close()
  return tonumber(out:match("wall (%S+)")) or error("workload failed: " .. out)
end

local function median(t)
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) // 2] or 0.5 * (t[n // 2] + t[n // 2 + 1])
end

-- one CPU-bound competitor (a Lua busy loop); returns its pid
local function start_competitor()
  local p = io.popen("lua5.4 -e 'while true do end' >/dev/null 2>&1 & echo $!")
  local pid = tonumber(p:read("l"))
  p:close()
  return pid
end

local CONFIGS = {
  {"quiet", "default", "-u MAGHOP_THREADS -u OMP_NUM_THREADS"},
  {"quiet", "fixed team", "-u OMP_NUM_THREADS MAGHOP_THREADS=fixed"},
  {"quiet", "1 thread", "-u MAGHOP_THREADS OMP_NUM_THREADS=1"},
  {"loaded", "default", "-u MAGHOP_THREADS -u OMP_NUM_THREADS"},
  {"loaded", "fixed team", "-u OMP_NUM_THREADS MAGHOP_THREADS=fixed"},
  {"loaded", "1 thread", "-u MAGHOP_THREADS OMP_NUM_THREADS=1"},
}

print(("workload: SP4 geometry 200x50x1, demag, RK45, %g ns simulated; %d reps each (median)"):format(
  opts.ns, opts.reps))
local wall = {}
-- interleave the configurations rep by rep, so slow drifts of the machine's
-- background load touch all of them alike
local samples = {}
for rep = 1, opts.reps do
  for i, c in ipairs(CONFIGS) do
    local pid = c[1] == "loaded" and start_competitor() or nil
    if pid then os.execute("sleep 0.3") end
    local la = loadavg()
    local ok, t = pcall(run_once, c[3])
    if pid then os.execute("kill " .. pid) end
    if not ok then error(t) end
    samples[i] = samples[i] or {}
    table.insert(samples[i], t)
    print(("  rep %d %-6s %-10s %7.3f s  (load avg before: %s)"):format(rep, c[1], c[2], t, la))
  end
end
local mean = {}
for i, c in ipairs(CONFIGS) do
  local sum = 0
  for _, t in ipairs(samples[i]) do sum = sum + t end
  mean[c[1] .. "/" .. c[2]] = sum / #samples[i]
  wall[c[1] .. "/" .. c[2]] = median(samples[i])
end
local function ratio(a, b) return wall[a] / wall[b] end
print(("median wall s: quiet default %.3f, fixed %.3f, 1 thread %.3f; loaded default %.3f, fixed %.3f, "
  .. "1 thread %.3f"):format(wall["quiet/default"], wall["quiet/fixed team"], wall["quiet/1 thread"],
  wall["loaded/default"], wall["loaded/fixed team"], wall["loaded/1 thread"]))
print(("mean wall s:   quiet default %.3f, fixed %.3f, 1 thread %.3f; loaded default %.3f, fixed %.3f, "
  .. "1 thread %.3f"):format(mean["quiet/default"], mean["quiet/fixed team"], mean["quiet/1 thread"],
  mean["loaded/default"], mean["loaded/fixed team"], mean["loaded/1 thread"]))
bench.report("shared: loaded default/1thr", {{"ratio", ratio("loaded/default", "loaded/1 thread")},
  {"mean_ratio", mean["loaded/default"] / mean["loaded/1 thread"]}, {"goal", "<=1"}})
bench.report("shared: loaded fixed/1thr", {{"ratio", ratio("loaded/fixed team", "loaded/1 thread")}})
bench.report("shared: quiet default/fixed", {{"ratio", ratio("quiet/default", "quiet/fixed team")},
  {"goal", "<=1.05"}})
bench.report("shared: quiet 1thr/fixed", {{"ratio", ratio("quiet/1 thread", "quiet/fixed team")}})
