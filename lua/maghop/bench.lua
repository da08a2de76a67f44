--- Benchmark helpers: repeat a function until enough wall time has passed,
-- report rates, and append results to out/bench/results.txt.
local core = require "maghop.core"
local mio = require "maghop.io"

local bench = {}

--- Time fn(): calls it in growing batches until at least min_s seconds
-- (default 0.5) have elapsed. One extra warm-up call is made first and not timed.
-- @tparam function fn the work to time (called with no arguments)
-- @tparam[opt=0.5] number min_s least wall time to measure, s
-- @treturn number calls per second (1/s)
-- @treturn number seconds per call (s)
-- @raise whatever fn raises (not caught)
-- @usage local per_s, s_per_call = mh.bench.rate(function() mh.rules.outer(pats) end, 1)
function bench.rate(fn, min_s)
  min_s = min_s or 0.5
  fn() -- warm-up
  local calls, t0 = 0, core.wtime()
  local batch = 1
  while true do
    for _ = 1, batch do fn() end
    calls = calls + batch
    local el = core.wtime() - t0
    if el >= min_s then return calls / el, el / calls end
    batch = batch * 2
  end
end

--- Wall seconds of one call of fn.
-- @tparam function fn the work to time
-- @treturn number elapsed wall time, s
-- @raise whatever fn raises (not caught)
function bench.once(fn)
  local t0 = core.wtime()
  fn()
  return core.wtime() - t0
end

local function git_rev()
  local p = io.popen("git rev-parse --short HEAD 2>/dev/null")
  local r = p and p:read("l") or nil
  if p then p:close() end
  return r or "unknown"
end

--- Print a result line and append it (with date, revision and thread count)
-- to out/bench/results.txt. fields: list of {key, value}. Floats print with
-- 4 significant digits. When the file cannot be opened the line is only printed.
-- @tparam string name benchmark name (first column)
-- @tparam {{string,any},...} fields ordered key/value pairs
-- @return nothing
-- @usage mh.bench.report("rules_outer", {{"n", 64}, {"s_per_call", s}})
function bench.report(name, fields)
  local parts = {}
  for _, kv in ipairs(fields) do
    local v = kv[2]
    if math.type(v) == "float" then v = ("%.4g"):format(v) end
    parts[#parts + 1] = kv[1] .. "=" .. tostring(v)
  end
  local line = ("%-28s %s"):format(name, table.concat(parts, " "))
  print(line)
  mio.mkdir("out/bench")
  local f = io.open("out/bench/results.txt", "a")
  if f then
    f:write(("%s rev=%s threads=%s %s\n"):format(os.date("!%Y-%m-%dT%H:%M:%SZ"), git_rev(),
      os.getenv("OMP_NUM_THREADS") or "default", line))
    f:close()
  end
end

return bench
