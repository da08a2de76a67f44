-- bench_sweep.lua — mh.sweep across MPI ranks: speed-up of 2 ranks × 1
-- thread over 1 rank × 1 thread on 8 equal micromagnetic tasks (goal ≥ 1.8
-- on 2 cores), and the per-task cost of the MPI path measured with empty
-- tasks (goal < 5 ms; it includes the fsync of every row). Reports the load
-- average, since other jobs on the machine distort both numbers, and the
-- speed-up of two independent serial halves run at once (no MPI): the most
-- this machine gives at that moment.
-- Usage: build/bin/maghop scripts/bench_sweep.lua   (driver; needs mpirun)
--        ... scripts/bench_sweep.lua child film|empty OUT NTASKS   (one sweep)
local mh = require "maghop"

if arg[1] == "child" then
  local kind, out, n = arg[2], arg[3], tonumber(arg[4])
  local values = {}
  for i = 1, n do values[i] = i end
  local run
  if kind == "film" then
    -- 64×64×1 cells of 5 nm with demag, 0.2 ns of LLG: about 0.4 s on one core
    run = function(p)
      local f = mh.film{nx = 64, ny = 64, nz = 1, dx = 5e-9, dy = 5e-9, dz = 5e-9, Ms = 8e5,
                        A = 1.3e-11, alpha = 0.5, demag = true}
      f:set_uniform(1, 1, 0.01 * p.i)
      f:run(0.2e-9)
      local mx = f:avg()
      return {mx = mx}
    end
  else
    run = function(p) return {v = p.i} end
  end
  local _, s = mh.sweep{params = {i = values}, run = run, out = out, progress = false}
  if mh.mpi.rank() == 0 then print(("elapsed_s=%.6f ran=%d"):format(s.elapsed_s, s.ran)) end
  return
end

local bench = require "maghop.bench"
local mio = require "maghop.io"
local host = arg[-1] or "build/bin/maghop"
local q = mio.shell_quote

local has_mpi = pcall(require, "maghop.mpi")
if not has_mpi or not os.execute("command -v mpirun >/dev/null 2>&1") then
  print("bench_sweep: skipped (maghop built without MPI, or no mpirun)")
  return
end

local function loadavg()
  local f = io.open("/proc/loadavg")
  local l = f and f:read("n") or -1
  if f then f:close() end
  return l
end

local dir = os.tmpname()
os.remove(dir)
mio.mkdir(dir)

-- One sweep in a fresh file: wall seconds of the sweep (rank 0's view, MPI
-- start-up excluded) and of the whole command.
local function sweep_time(ranks, kind, n)
  local out = ("%s/%s_%d.txt"):format(dir, kind, ranks)
  os.remove(out)
  local launch = ranks > 1 and ("mpirun --allow-run-as-root --oversubscribe -np %d "):format(ranks) or ""
  local cmd = ("OMP_NUM_THREADS=1 %s%s %s child %s %s %d"):format(launch, q(host), q(arg[0]), kind, q(out), n)
  local t0 = mh.wtime()
  local p = io.popen(cmd)
  local text = p:read("a")
  p:close()
  local total = mh.wtime() - t0
  local el = tonumber(text:match("elapsed_s=([%d.]+)"))
  assert(el and text:match("ran=" .. n), "bench_sweep: sweep failed: " .. cmd .. "\n" .. text)
  return el, total
end

-- The machine's own ceiling: two independent serial sweeps of 4 tasks each
-- at once (no MPI). On a loaded machine this is below 2 as well; the MPI
-- path's efficiency is its speed-up over this ceiling.
local function pair_time()
  local outs = {("%s/pa.txt"):format(dir), ("%s/pb.txt"):format(dir)}
  for _, o in ipairs(outs) do os.remove(o) end
  local cmd = ("OMP_NUM_THREADS=1 %s %s child film %s 4 >/dev/null & OMP_NUM_THREADS=1 %s %s child film %s 4 >/dev/null; wait")
    :format(q(host), q(arg[0]), q(outs[1]), q(host), q(arg[0]), q(outs[2]))
  local t0 = mh.wtime()
  os.execute(cmd)
  return mh.wtime() - t0
end

local load0 = loadavg()
-- best of 3 rounds, serial and MPI interleaved, so that a burst of other
-- work on a shared machine hits both alike
local t1, t1_total, t2, t2_total, e1, e2 = math.huge, math.huge, math.huge, math.huge, math.huge, math.huge
local tp = math.huge
local n_empty = 400
for _ = 1, 3 do
  local a, b = sweep_time(1, "film", 8)
  t1, t1_total = math.min(t1, a), math.min(t1_total, b)
  a, b = sweep_time(2, "film", 8)
  t2, t2_total = math.min(t2, a), math.min(t2_total, b)
  tp = math.min(tp, pair_time())
  e1 = math.min(e1, (sweep_time(1, "empty", n_empty)))
  e2 = math.min(e2, (sweep_time(2, "empty", n_empty)))
end
local load1 = loadavg()
os.execute("rm -rf " .. q(dir))

bench.report("sweep_speedup_2x1_vs_1x1", {
  {"tasks", 8}, {"serial_s", t1}, {"mpi2_s", t2}, {"speedup", t1 / t2},
  {"speedup_incl_mpirun", t1_total / t2_total}, {"goal", 1.8},
  {"two_serial_halves_speedup", t1_total / tp}, {"mpi_vs_two_halves", tp / t2_total},
  {"load_before", load0}, {"load_after", load1}})
bench.report("sweep_per_task_overhead", {
  {"empty_tasks", n_empty}, {"serial_ms", 1e3 * e1 / n_empty}, {"mpi2_ms", 1e3 * e2 / n_empty},
  {"goal_ms", 5}, {"load_after", load1}})
