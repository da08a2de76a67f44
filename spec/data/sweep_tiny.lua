-- A tiny sweep for spec/sweep_spec.lua (serial and under mpirun).
-- Usage: maghop spec/data/sweep_tiny.lua OUT [--retry-failed]
-- Env: SWEEP_TASK_S (seconds each task takes, default 0), SWEEP_FIX=1 (the
-- task a=3, seed=2 succeeds instead of raising).
local mh = require "maghop"
local out = assert(arg[1], "usage: sweep_tiny.lua OUT [--retry-failed]")
local task_s = tonumber(os.getenv("SWEEP_TASK_S") or "0")
local fix = os.getenv("SWEEP_FIX") == "1"

local rows, summary = mh.sweep{
  params = {a = {1, 2, 3}, b = {0.5, "w,x"}},
  seeds = {1, 2},
  out = out,
  run = function(p)
    local t0 = mh.wtime()
    while mh.wtime() - t0 < task_s do end
    if p.a == 3 and p.seed == 2 and not fix then error("task a=3 seed=2 fails on purpose") end
    -- math.random is seeded from the task key: the same on every rank
    local b = type(p.b) == "number" and p.b or #p.b
    return {y = p.a * b + math.random(), label = p.key:sub(1, 5), n = math.random(1000)}
  end,
}
if mh.mpi.rank() == 0 then
  print(("rows=%d total=%d skipped=%d ran=%d failed=%d"):format(#rows, summary.total, summary.skipped,
    summary.ran, summary.failed))
end
