-- mh.sweep: task keys and seeds, the results file, resume after SIGKILL,
-- failed tasks and their retry, bad input; the same sweep over MPI ranks.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}
local host = dofile("spec/helpers.lua").host()
local q = mh.io.shell_quote

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  mh.io.mkdir(d)
  return d
end

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"__rc=$?\"")
  local out = p:read("a")
  p:close()
  return tonumber(out:match("__rc=(%d+)%s*$")), out
end

local function read_lines(path)
  local lines = {}
  for l in io.lines(path) do lines[#lines + 1] = l end
  return lines
end

-- Tab-separated fields of a line of the results file (a table: header
-- "# " then "name (unit)" titles, rows of cells).
local function fields(line)
  local cells = {}
  for c in (line:gsub("^# ", "") .. "\t"):gmatch("([^\t]*)\t") do cells[#cells + 1] = c end
  return cells
end

--- The results file without its wall_s column, data rows sorted by key:
-- the form in which serial and MPI runs must agree byte for byte.
local function canonical(path)
  local lines = read_lines(path)
  local head = fields(lines[1])
  local wcol
  for i, h in ipairs(head) do if h == "wall_s (s)" then wcol = i end end
  assert(wcol, "no wall_s column in " .. lines[1])
  local function drop(line)
    local cells = {}
    for i, c in ipairs(fields(line)) do
      if i ~= wcol then cells[#cells + 1] = c end
    end
    return table.concat(cells, "\t")
  end
  local rows = {}
  for i = 2, #lines do rows[#rows + 1] = drop(lines[i]) end
  table.sort(rows)
  return drop(lines[1]) .. "\n" .. table.concat(rows, "\n")
end

local function count_keys(path)
  local n, seen, dup = 0, {}, 0
  local lines = read_lines(path)
  for i = 2, #lines do
    local k = fields(lines[i])[1]
    if seen[k] then dup = dup + 1 end
    seen[k] = true
    n = n + 1
  end
  return n, dup
end

function T.test_sweep_keys_do_not_depend_on_order()
  local names = {"a", "b"}
  local t1 = mh.sweep._expand({a = {1, 2}, b = {"x", "y"}}, names, {7, 8})
  local t2 = mh.sweep._expand({a = {2, 1}, b = {"y", "x"}}, names, {8, 7})
  local k1, k2 = {}, {}
  for _, t in ipairs(t1) do k1[t.key] = t.rng_seed end
  for _, t in ipairs(t2) do k2[t.key] = t.rng_seed end
  lu.assertEquals(k1, k2)
  lu.assertEquals(#t1, 8)
  lu.assertNotNil(k1["a=1;b=x;seed=7"])
  -- shortest exact decimals, percent-escaped text
  local t3 = mh.sweep._expand({x = {0.1, 2e-6, 3}, s = {"a b;c"}}, {"s", "x"}, {1})
  lu.assertEquals(t3[1].key, "s=a%20b%3Bc;seed=1;x=0.1")
  lu.assertEquals(t3[2].key, "s=a%20b%3Bc;seed=1;x=2e-06")
  lu.assertEquals(t3[3].key, "s=a%20b%3Bc;seed=1;x=3")
  -- seeds differ between tasks and lie in 1..2^30
  local seen = {}
  for _, t in ipairs(t1) do
    lu.assertTrue(t.rng_seed >= 1 and t.rng_seed <= 1 << 30)
    lu.assertNil(seen[t.rng_seed])
    seen[t.rng_seed] = true
  end
  lu.assertEquals(mh.sweep.task_seed("a=1;b=x;seed=7"), k1["a=1;b=x;seed=7"])
end

function T.test_sweep_serial_rows_resume_and_retry()
  local dir = tmpdir()
  local out = dir .. "/r.txt"
  local calls = 0
  local function run(p)
    calls = calls + 1
    if p.a == 2 and p.seed == 2 and not p.fixed then error("no convergence at a=2") end
    return {y = p.a + math.random(), tag = "v, " .. p.seed .. "%", code = "0" .. p.a}
  end
  local opts = {params = {a = {1, 2}}, seeds = {1, 2}, run = run, out = out, progress = false, units = {a = "m"}}
  local rows, s = mh.sweep(opts)
  lu.assertEquals(calls, 4)
  lu.assertEquals({s.total, s.skipped, s.ran, s.failed}, {4, 0, 4, 1})
  lu.assertEquals(#rows, 4)
  local lines = read_lines(out)
  lu.assertEquals(lines[1], "# key ()\ta (m)\tseed ()\tstatus ()\twall_s (s)\terror ()\tcode ()\ttag ()\ty ()")
  lu.assertEquals(#lines, 5)
  -- text as one word: whitespace and '%' percent-encoded, "01" quoted (it reads as a number)
  lu.assertStrMatches(lines[2], "a=1;seed=1\t1\t1\tok\t[%d.]+\t\"\"\t\"01\"\tv,%%201%%25\t[%d.]+")
  lu.assertStrContains(lines[5], "no%20convergence%20at%20a=2")
  local failed = rows[4] -- sorted by key: a=2;seed=2 is last
  lu.assertEquals(failed.key, "a=2;seed=2")
  lu.assertEquals(failed.status, "failed")
  lu.assertStrContains(failed.error, "no convergence at a=2")
  lu.assertNil(failed.y)
  lu.assertEquals(rows[1].tag, "v, 1%")
  lu.assertEquals(rows[1].code, "01")
  lu.assertEquals(rows[1].a, 1)
  -- mh.io.read_table reads the same file (units from the header)
  local names, trows, units = mh.io.read_table(out)
  lu.assertEquals({names[2], units[2], names[5], units[5]}, {"a", "m", "wall_s", "s"})
  lu.assertEquals(#trows, 4)
  -- y uses math.random seeded from the key
  math.randomseed(mh.sweep.task_seed("a=1;seed=1"))
  lu.assertEquals(rows[1].y, 1 + math.random())
  -- rerun: nothing to do, nothing appended
  calls = 0
  rows, s = mh.sweep(opts)
  lu.assertEquals(calls, 0)
  lu.assertEquals({s.skipped, s.ran}, {4, 0})
  lu.assertEquals(#read_lines(out), 5)
  -- retry: only the failed task runs again, and it replaces its old row
  run = function(p) p.fixed = true; calls = calls + 1; return {y = 1.5, tag = "t", code = "x"} end
  opts.run, opts.retry_failed = run, true
  rows, s = mh.sweep(opts)
  lu.assertEquals(calls, 1)
  lu.assertEquals({s.skipped, s.ran, s.failed}, {3, 1, 0})
  local n, dup = count_keys(out)
  lu.assertEquals({n, dup}, {4, 0})
  lu.assertEquals(rows[4].status, "ok")
  lu.assertEquals(rows[4].y, 1.5)
  os.execute("rm -rf " .. q(dir))
end

function T.test_sweep_first_failures_wait_for_the_metric_columns()
  local dir = tmpdir()
  local out = dir .. "/r.txt"
  -- every task fails: the file holds the fixed columns only
  mh.sweep{params = {a = {1, 2}}, run = function() error("down") end, out = out, progress = false}
  lu.assertEquals(read_lines(out)[1], "# key ()\ta ()\tseed ()\tstatus ()\twall_s (s)\terror ()")
  -- a retry that succeeds extends the header; old rows stay complete lines
  local rows = mh.sweep{params = {a = {1, 2, 3}}, out = out, progress = false, retry_failed = true,
    run = function(p) if p.a == 1 then error("still down") end return {m = p.a} end}
  lu.assertEquals(read_lines(out)[1], "# key ()\ta ()\tseed ()\tstatus ()\twall_s (s)\terror ()\tm ()")
  lu.assertEquals(#rows, 3)
  lu.assertEquals({rows[1].status, rows[2].m, rows[3].m}, {"failed", 2, 3})
  os.execute("rm -rf " .. q(dir))
end

function T.test_sweep_cut_short_line_and_foreign_file()
  local dir = tmpdir()
  local out = dir .. "/r.txt"
  local f = io.open(out, "w")
  f:write("# key ()\ta ()\tseed ()\tstatus ()\twall_s (s)\terror ()\tm ()\n",
    "a=1;seed=1\t1\t1\tok\t0.1\t\"\"\t5\na=2;seed=1\t2\t1\to")
  f:close()
  local calls = 0
  local rows = mh.sweep{params = {a = {1, 2}}, out = out, progress = false,
    run = function(p) calls = calls + 1 return {m = 10 * p.a} end}
  lu.assertEquals(calls, 1) -- the cut-short row is dropped and its task rerun
  lu.assertEquals({rows[1].m, rows[2].m}, {5, 20})
  lu.assertEquals(#read_lines(out), 3)
  H.raises("has columns", mh.sweep, {params = {b = {1}}, out = out, run = function() return {m = 1} end})
  -- a results CSV of an older maghop: refused by name and left as it was;
  -- mh.sweep.read still reads it
  local old = dir .. "/old.csv"
  local csv = "key,a,seed,status,wall_s,error,m\na=1;seed=1,1,1,ok,0.1,,5\na=2;seed=1,2,1,failed,0.1,\"x, y\"\n"
  f = io.open(old, "w")
  f:write(csv)
  f:close()
  H.raises("old.csv is a CSV written by an older maghop", mh.sweep,
    {params = {a = {1, 2}}, out = old, progress = false, run = function() return {m = 1} end})
  local g = io.open(old, "rb")
  lu.assertEquals(g:read("a"), csv)
  g:close()
  local orows = assert(mh.sweep.read(old))
  lu.assertEquals({orows[1].m, orows[2].status, orows[2].error}, {5, "failed", "x, y"})
  os.execute("rm -rf " .. q(dir))
end

function T.test_sweep_bad_input()
  local run = function() return {m = 1} end
  H.raises("option 'params' is empty", mh.sweep, {params = {}, run = run, out = "x.txt"})
  H.raises("option 'params': table", mh.sweep, {run = run, out = "x.txt"})
  H.raises("'a' must be a non-empty list", mh.sweep, {params = {a = {}}, run = run, out = "x.txt"})
  H.raises("option 'run': function", mh.sweep, {params = {a = {1}}, run = 3, out = "x.txt"})
  H.raises("option 'out'", mh.sweep, {params = {a = {1}}, run = run})
  H.raises("unknown option 'sedes'", mh.sweep, {params = {a = {1}}, run = run, out = "x.txt", sedes = {1}})
  H.raises("seeds[2] is 1.5", mh.sweep, {params = {a = {1}}, seeds = {1, 1.5}, run = run, out = "x.txt"})
  H.raises("params.a[2] is nan", mh.sweep, {params = {a = {1, 0 / 0}}, run = run, out = "x.txt"})
  H.raises("params.a[1] is a table", mh.sweep, {params = {a = {{}}}, run = run, out = "x.txt"})
  H.raises("value 1 appears twice", mh.sweep, {params = {a = {1, 1}}, run = run, out = "x.txt"})
  H.raises("'seed' is reserved", mh.sweep, {params = {seed = {1}}, run = run, out = "x.txt"})
  H.raises("option 'retry_failed': boolean", mh.sweep, {params = {a = {1}}, run = run, out = "x.txt", retry_failed = 1})
  H.raises("option 'units': a = A per m", mh.sweep, {params = {a = {1}}, run = run, out = "x.txt", units = {a = "A per m"}})
  -- the error points at the caller's line
  local ok, err = pcall(function() mh.sweep{params = {}, run = run, out = "x.txt"} end)
  lu.assertFalse(ok)
  lu.assertStrContains(err, "sweep_spec.lua:")
  -- run returning something other than metrics: recorded, then the sweep stops
  local dir = tmpdir()
  local out = dir .. "/r.txt"
  for _, case in ipairs({{function() return 3 end, "run returned a number"},
                         {function() return {m = print} end, "metric 'm' is a function"},
                         {function() return {m = 0 / 0} end, "metric 'm' is nan"},
                         {function() return {} end, "empty table"}}) do
    os.remove(out)
    local calls = 0
    H.raises(case[2], mh.sweep, {params = {a = {1, 2}}, out = out, progress = false,
      run = function(p) calls = calls + 1 return case[1](p) end})
    lu.assertEquals(calls, 1)
    lu.assertStrContains(read_lines(out)[2], "failed")
  end
  -- a later task returning other metric names than the first
  os.remove(out)
  H.raises("every task must return the same names", mh.sweep, {params = {a = {1, 2}}, out = out, progress = false,
    run = function(p) return p.a == 1 and {m = 1} or {n = 2} end})
  os.execute("rm -rf " .. q(dir))
end

--- Start cmd in a session of its own; SIGKILL every process of that
-- session (mpirun and the ranks it started, which Open MPI puts in process
-- groups of their own) once `path` holds at least `rows` data rows.
-- Returns the number of rows seen before the kill.
local function kill_after_rows(cmd, path, rows)
  local sidfile = path .. ".sid"
  local script = ([[setsid sh -c 'echo $$ > %s; exec sh -c "$0"' %s >/dev/null 2>&1 &
for i in $(seq 1 1500); do
  n=$(( $(cat %s 2>/dev/null | wc -l) - 1 ))
  [ "$n" -ge %d ] && break
  sleep 0.02
done
sid=$(cat %s)
pkill -KILL -s "$sid"
for i in $(seq 1 250); do pgrep -s "$sid" >/dev/null || break; sleep 0.02; done
echo "rows=$n"]]):format(q(sidfile), q(cmd), q(path), rows, q(sidfile))
  local p = io.popen(script)
  local out = p:read("a")
  p:close()
  os.remove(sidfile)
  return tonumber(out:match("rows=(%-?%d+)"))
end

function T.test_sweep_sigkill_then_rerun_completes_without_loss_or_duplicates()
  local dir = tmpdir()
  local out = dir .. "/r.txt"
  local cmd = ("SWEEP_TASK_S=0.15 %s spec/data/sweep_tiny.lua %s"):format(q(host), q(out))
  local at = kill_after_rows(cmd, out, 3)
  lu.assertTrue(at >= 3 and at < 12, "killed after " .. tostring(at) .. " rows")
  -- rows kept: counted after the kill (on a loaded machine a row can land
  -- between the poll that saw `at` rows and the kill)
  local kept = count_keys(out)
  lu.assertTrue(kept >= at and kept < 12, "kept " .. kept .. " rows")
  local rc, text = sh(("%s spec/data/sweep_tiny.lua %s"):format(q(host), q(out)))
  lu.assertEquals(rc, 0, text)
  lu.assertStrContains(text, ("skipped=%d"):format(kept))
  local n, dup = count_keys(out)
  lu.assertEquals({n, dup}, {12, 0})
  -- and the result equals an uninterrupted serial run
  local ref = dir .. "/ref.txt"
  lu.assertEquals(sh(("%s spec/data/sweep_tiny.lua %s"):format(q(host), q(ref))), 0)
  lu.assertEquals(canonical(out), canonical(ref))
  -- --retry-failed among the script's arguments reruns the two failed tasks
  rc, text = sh(("SWEEP_FIX=1 %s spec/data/sweep_tiny.lua %s --retry-failed"):format(q(host), q(out)))
  lu.assertEquals(rc, 0, text)
  lu.assertStrContains(text, "rows=12 total=12 skipped=10 ran=2 failed=0")
  lu.assertEquals({count_keys(out)}, {12, 0})
  os.execute("rm -rf " .. q(dir))
end

-- MPI: built when the Makefile finds MPI (CI installs libopenmpi-dev).
local has_mpi = pcall(require, "maghop.mpi")
local MPIRUN = "mpirun --allow-run-as-root --oversubscribe -np 3 "

local function need_mpi()
  if not has_mpi then
    lu.skip("MPI tests skipped: maghop was built without MPI (install libopenmpi-dev, make MPI=1)")
  end
end

function T.test_sweep_mpi_three_ranks_match_serial()
  need_mpi()
  local dir = tmpdir()
  local ser, par = dir .. "/serial.txt", dir .. "/mpi.txt"
  local rc, text = sh(("%s spec/data/sweep_tiny.lua %s"):format(q(host), q(ser)))
  lu.assertEquals(rc, 0, text)
  rc, text = sh(("timeout 120 %s %s spec/data/sweep_tiny.lua %s"):format(MPIRUN, q(host), q(par)))
  lu.assertEquals(rc, 0, text)
  lu.assertStrContains(text, "rows=12 total=12 skipped=0 ran=12 failed=2")
  lu.assertEquals(canonical(par), canonical(ser))
  -- retry under MPI (asked for by the environment): the two failed tasks
  -- run again, the rest is skipped
  rc, text = sh(("SWEEP_FIX=1 MAGHOP_RETRY_FAILED=1 timeout 120 %s %s spec/data/sweep_tiny.lua %s"):format(MPIRUN, q(host), q(par)))
  lu.assertEquals(rc, 0, text)
  lu.assertStrContains(text, "rows=12 total=12 skipped=10 ran=2 failed=0")
  local n, dup = count_keys(par)
  lu.assertEquals({n, dup}, {12, 0})
  -- plain lua5.4 loading build/lib/maghop/{core,mpi}.so: same rows, clean exit
  -- (not for sanitized builds: lua5.4 cannot load ASan-instrumented modules)
  local lib = host:gsub("/bin/maghop$", "/lib")
  -- a LuaRocks tree (make test's plain pass) keeps the modules under lib/lua/5.4
  if not mh.io.exists(lib .. "/maghop/core.so") then lib = lib .. "/lua/5.4" end
  if lib ~= host and not host:find("/san/", 1, true) and os.execute("command -v lua5.4 >/dev/null") then
    local plain = dir .. "/plain.txt"
    rc, text = sh(("LUA_CPATH=%s LUA_PATH='lua/?.lua;lua/?/init.lua' timeout 120 %s lua5.4 spec/data/sweep_tiny.lua %s")
      :format(q(lib .. "/?.so"), MPIRUN, q(plain)))
    lu.assertEquals(rc, 0, text)
    lu.assertEquals(canonical(plain), canonical(ser))
  end
  os.execute("rm -rf " .. q(dir))
end

function T.test_sweep_mpi_groups_stay_on_one_rank()
  need_mpi()
  local dir = tmpdir()
  local script, out = dir .. "/group.lua", dir .. "/g.txt"
  local f = io.open(script, "w")
  f:write(([[
local mh = require "maghop"
local rows = mh.sweep{params = {a = {1, 2, 3, 4}, b = {1, 2, 3}}, group = {"a"}, out = %q, progress = false,
  run = function(p)
    local t0 = mh.wtime()
    while mh.wtime() - t0 < 0.02 do end
    return {rank = mh.mpi.rank()}
  end}
if mh.mpi.rank() == 0 then
  local by, used = {}, {}
  for _, r in ipairs(rows) do
    assert(by[r.a] == nil or by[r.a] == r.rank, "group a=" .. r.a .. " ran on two ranks")
    by[r.a] = r.rank
    used[r.rank] = true
  end
  print(("rows=%%d ranks=%%d"):format(#rows, (used[0] and 1 or 0) + (used[1] and 1 or 0) + (used[2] and 1 or 0)))
end
]]):format(out))
  f:close()
  local rc, text = sh(("timeout 120 %s %s %s"):format(MPIRUN, q(host), q(script)))
  lu.assertEquals(rc, 0, text)
  lu.assertStrContains(text, "rows=12")
  lu.assertNotNil(text:match("ranks=[23]"), text)
  H.raises("option 'group': group[1] = c is not a parameter", mh.sweep,
    {params = {a = {1}}, group = {"c"}, run = function() return {m = 1} end, out = out})
  os.execute("rm -rf " .. q(dir))
end

function T.test_sweep_mpi_sigkill_of_the_job_then_rerun()
  need_mpi()
  local dir = tmpdir()
  local out, ref = dir .. "/r.txt", dir .. "/ref.txt"
  local cmd = ("SWEEP_TASK_S=0.2 %s %s spec/data/sweep_tiny.lua %s"):format(MPIRUN, q(host), q(out))
  local at = kill_after_rows(cmd, out, 3)
  lu.assertTrue(at >= 3 and at < 12, "killed after " .. tostring(at) .. " rows")
  local n0, dup0 = count_keys(out)
  lu.assertEquals(dup0, 0)
  local rc, text = sh(("timeout 120 %s %s spec/data/sweep_tiny.lua %s"):format(MPIRUN, q(host), q(out)))
  lu.assertEquals(rc, 0, text)
  lu.assertStrContains(text, ("skipped=%d ran=%d"):format(n0, 12 - n0))
  local n, dup = count_keys(out)
  lu.assertEquals({n, dup}, {12, 0})
  lu.assertEquals(sh(("%s spec/data/sweep_tiny.lua %s"):format(q(host), q(ref))), 0)
  lu.assertEquals(canonical(out), canonical(ref))
  os.execute("rm -rf " .. q(dir))
end

function T.test_mpi_rank_error_aborts_the_job()
  need_mpi()
  local dir = tmpdir()
  local script = dir .. "/err.lua"
  local f = io.open(script, "w")
  f:write([[
local mh = require "maghop"
assert(mh.mpi.size() == 3 and mh.mpi.available)
if mh.mpi.rank() == 1 then error("rank 1 breaks") end
mh.mpi.barrier() -- ranks 0 and 2 would wait here for ever
print("not reached")
]])
  f:close()
  local t0 = mh.wtime()
  local rc, text = sh(("timeout 60 %s %s %s"):format(MPIRUN, q(host), q(script)))
  lu.assertNotEquals(rc, 0)
  lu.assertNotEquals(rc, 124, "the job hung until timeout")
  lu.assertTrue(mh.wtime() - t0 < 30)
  lu.assertStrContains(text, "rank 1 breaks")
  lu.assertNotStrContains(text, "not reached")
  -- a clean run ends with MPI_Finalize and status 0
  f = io.open(script, "w")
  f:write([[
local mh = require "maghop"
mh.mpi.barrier()
print(("rank %d of %d, bcast %s"):format(mh.mpi.rank(), mh.mpi.size(), mh.mpi.bcast(mh.mpi.rank() == 0 and "hi" or nil, 0)))
]])
  f:close()
  rc, text = sh(("timeout 60 %s %s %s"):format(MPIRUN, q(host), q(script)))
  lu.assertEquals(rc, 0, text)
  for r = 0, 2 do lu.assertStrContains(text, ("rank %d of 3, bcast hi"):format(r)) end
  os.execute("rm -rf " .. q(dir))
end

return T
