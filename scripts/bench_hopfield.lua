-- bench_hopfield.lua — compact pulses/s, synchronous recalls/s at N = 35 and
-- N = 1024, landscape time at N = 20. Peer: the same synchronous recall
-- written in plain Lua, timed in the same run.
local mh = require "maghop"
local bench = require "maghop.bench"

local function rng(seed)
  local s = seed
  return function() s = (1103515245 * s + 12345) % 2147483648; return s / 2147483648 end
end

local function random_problem(n, seed)
  local r = rng(seed)
  local w = {}
  for i = 1, n do w[i] = {} end
  for i = 1, n do
    w[i][i] = 0
    for j = i + 1, n do local v = 2 * r() - 1; w[i][j], w[j][i] = v, v end
  end
  local s = {}
  for i = 1, n do s[i] = r() < 0.5 and -1 or 1 end
  return w, s
end

-- Plain-Lua synchronous recall (same update rule and stopping criterion).
local function lua_sync_recall(w, s0, max_sweeps)
  local n, s = #s0, {table.unpack(s0)}
  local prev
  for sweep = 1, max_sweeps do
    local nxt, same = {}, true
    for i = 1, n do
      local h, wi = 0, w[i]
      for j = 1, n do if j ~= i then h = h + wi[j] * s[j] end end
      nxt[i] = h > 0 and 1 or h < 0 and -1 or s[i]
      if nxt[i] ~= s[i] then same = false end
    end
    if same then return s, sweep end
    if prev then
      local cyc = true
      for i = 1, n do if nxt[i] ~= prev[i] then cyc = false break end end
      if cyc then return nxt, sweep end
    end
    prev, s = s, nxt
  end
  return s, max_sweeps
end

-- compact device: one pulse per call (includes the Lua call), and many per call
local dev = mh.compact.new()
local x = {1, 1, -1, -1}
local per_call = bench.rate(function() dev:pulse(x, 1) end)
local inner = bench.rate(function() dev:pulse(x, 100000) end) * 100000
bench.report("compact_pulse", {{"pulses_per_s_single_call", per_call}, {"pulses_per_s_batched", inner}})

for _, n in ipairs {35, 1024} do
  local w, s = random_problem(n, n)
  local net = mh.hopfield.new(w)
  local _, sweeps = net:recall(s, {mode = "sync", max_sweeps = 50})
  local rate = bench.rate(function() net:recall(s, {mode = "sync", max_sweeps = 50}) end)
  local peer = bench.rate(function() lua_sync_recall(w, s, 50) end, 0.3)
  local _, peer_sweeps = lua_sync_recall(w, s, 50)
  bench.report("hopfield_sync_N" .. n, {{"recalls_per_s", rate}, {"sweeps", sweeps},
    {"plain_lua_recalls_per_s", peer}, {"plain_lua_sweeps", peer_sweeps}, {"speedup_vs_lua", rate / peer}})
end

local w20 = random_problem(20, 7)
local net20 = mh.hopfield.new(w20)
local t = bench.once(function() net20:landscape() end)
bench.report("hopfield_landscape_N20", {{"seconds", t}, {"states_per_s", (1 << 20) / t}})
