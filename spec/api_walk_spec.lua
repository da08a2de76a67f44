-- Walks every public function of maghop (module tables enumerated with
-- pairs, object methods from their metatables) with wrong types, NaN/inf
-- and unknown option keys. Each bad call must raise a Lua error that names
-- the argument or key — no crash, no hang (an instruction budget per call),
-- no NaN result. The catalogue gives one valid call per function; a public
-- function missing from it fails the test, so new functions get walked too.
local lu = require "luaunit"
local mh = require "maghop"

local T = {}

-- Shared small fixtures (built lazily, once).
local fx = {}
local function film()
  fx.film = fx.film or mh.film {nx = 8, ny = 8, dx = 5e-9, demag = false}
  return fx.film
end
local function tw()
  fx.tw = fx.tw or mh.twin.new {nodes = 4, cell = 50e-9, init = false}
  return fx.tw
end
local function el() return tw().el end
local function tmp(name)
  fx.dir = fx.dir or (function()
    local d = os.tmpname()
    os.remove(d)
    mh.io.mkdir(d)
    return d
  end)()
  return fx.dir .. "/" .. name
end
local P4 = {{1, -1, 1, -1}, {1, 1, -1, -1}}
local W2 = {{0, 1}, {1, 0}}

-- name -> {args = function() return {...} end, names = {per argument},
--          opts = index of an options table, keep = {[i] = true} for
--          arguments where a boolean or other type is accepted}
local C = {}
local function add(name, args, names, opts, keep) C[name] = {args = args, names = names, opts = opts, keep = keep or {}} end

-- module functions
add("mh.array", function() return {{1, 2}} end, {"#1"})
add("mh.zeros", function() return {2, 3} end, {"#1", "#2"})
add("mh.field", function() return {2, 2, 1, 3} end, {"#1", "#2", "#3", "#4"})
add("mh.film", function() return {{nx = 4, ny = 4, dx = 5e-9, demag = false}} end, {"#1"}, 1)
add("mh.compact.new", function() return {{nodes = 4, eta = 6e-4}} end, {"options"}, 1)
add("mh.compact.grid", function() return {{cols = 2, rows = 2}} end, {"options"}, 1)
add("mh.compact.closed_form", function() return {0.1, 0.05, 111, 6e-4, 1, 3} end,
    {"g0", "gavg", "alpha", "eta", "xixj", "'n'"})
add("mh.hopfield.new", function() return {W2} end, {"#1"})
add("mh.hopfield.as_state", function() return {{1, -1}} end, {"#1"}, nil, {[1] = true})
add("mh.hopfield.state", function() return {1, 3} end, {"k", "n"})
add("mh.hopfield.index", function() return {{1, -1}} end, {"'s'"})
add("mh.hopfield.label", function() return {{1, -1}} end, {"'s'"})
add("mh.hopfield.parse", function() return {"+-"} end, {"label"})
add("mh.hopfield.similarity", function() return {{1, -1}, {1, 1}} end, {"'x'", "'y'"})
add("mh.hopfield.classify", function() return {{1, -1}, P4[1] and {{1, -1}, {1, 1}}} end, {"'x'", "patterns"})
add("mh.hopfield.argmin", function() return {mh.hopfield.new(W2):landscape()} end, {"energies", "tol"})
add("mh.rules.outer", function() return {P4} end, {"#1"})
add("mh.rules.storkey", function() return {P4} end, {"#1"})
add("mh.rules.pinv", function() return {P4, {keep_diagonal = false}} end, {"#1", "option"}, 2)

add("mh.set_progress", function() return {false} end, {"boolean"})
add("mh.compact.fit", function()
  local d, rows = mh.compact.new(), {}
  for k = 0, 6 do
    if k > 0 then d:pulse(k <= 3 and "++--" or "+-+-", 1) end
    local g = d:conductance()
    rows[#rows + 1] = {k, g[1][2], g[1][3], g[1][4], g[2][3], g[2][4], g[3][4]}
  end
  return {{rows = rows, schedule = function(k) return mh.hopfield.parse(k <= 3 and "++--" or "+-+-") end}}
end, {"option"}, 1)
-- patterns, logic, metrics
add("mh.patterns.set", function() return {"ECP"} end, {"names"})
add("mh.patterns.tiles", function() return {{1, -1, 1, -1}, 2, 2} end, {"img", "'w'", "'h'"})
add("mh.patterns.untile", function() return {{{1, -1, 1, -1}}, 2, 2} end, {"tiles", "'w'", "'h'"})
add("mh.patterns.distort", function() return {{1, -1, 1, -1}, 1, 3} end, {"'x'", "'k'", "seed"})
add("mh.patterns.hamming", function() return {{1, -1}, {1, 1}} end, {"'x'", "'y'"})
add("mh.patterns.render", function() return {{1, -1, 1, -1}, 2} end, {"img", "'w'"})
add("mh.logic.program", function() return {mh.compact.new(), "AND", 5} end, {"dev", "name", "pulses"})
add("mh.logic.output", function() return {mh.compact.new():weights(), "AND", true, false} end, {"'w'", "name", "'a'", "'b'"})
add("mh.logic.truth_table", function() return {mh.compact.new():weights(), "AND"} end, {"'w'", "name"})
add("mh.metrics.parse_flips", function() return {"1,2", 4} end, {"spec", "max"})
add("mh.metrics.test_set", function() return {P4, {1}, 2, 1} end, {"pats", "flips", "per", "seed"})
add("mh.metrics.evaluate", function()
  return {function(x) return x end, P4, mh.metrics.test_set(P4, {1}, 1, 1)}
end, {"recall", "pats", "set"})
add("mh.metrics.jitter", function() return {W2, 1e-9, 1} end, {"'w'", "eps", "seed"})
add("mh.metrics.r2", function() return {{1, 2, 3}, {1, 2, 2}} end, {"'y'", "'p'"})
add("mh.metrics.recall_of", function() return {W2, {mode = "sync"}} end, {"'w'", "option"}, 2)
-- output
add("mh.io.csv_text", function() return {{"a"}, {{1}}} end, {"header", "rows"})
add("mh.io.dirname", function() return {"a/b"} end, {"path"})
add("mh.io.exists", function() return {tmp("none")} end, {"path"})
add("mh.io.mkdir", function() return {tmp("d")} end, {"path"})
add("mh.io.read_csv", function() return {tmp("none.csv")} end, {"path"})
add("mh.io.read_table", function() return {tmp("none.txt")} end, {"path"})
add("mh.io.shell_quote", function() return {"a b"} end, {"#1"}, nil, {[1] = true}) -- quotes tostring(v)
add("mh.io.staged", function() return {tmp("st")} end, {"'dir'"})
add("mh.io.table_text", function() return {{"t", "x"}, {{1, 2}}} end, {"columns", "rows"})
add("mh.io.table_header", function() return {{"t (s)", {"x", "m"}}} end, {"columns"})
add("mh.io.table_cell", function() return {1.5} end, {"v"}, nil, {[1] = true}) -- nan, inf and words are cells
add("mh.io.table_cell_value", function() return {"1.5"} end, {"s"})
add("mh.io.write_atomic", function() return {tmp("w.txt"), "x"} end, {"'path'", "'content'"})
add("mh.io.write_atomic_at", function() return {tmp("w2.txt"), "x", 1} end, {"'path'", "'content'", "level"})
add("mh.io.write_csv", function() return {tmp("w.csv"), {"a"}, {{1}}} end, {"'path'", "header", "rows"})
add("mh.io.write_table", function() return {tmp("w.tab"), {"t"}, {{1}}} end, {"'path'", "columns", "rows"})
add("mh.checkpoint.save", function() return {tmp("c.ckpt"), {a = 1}} end, {"'path'", "'data'"})
add("mh.checkpoint.load", function() return {tmp("none.ckpt")} end, {"'path'"})
add("mh.checkpoint.parse", function() return {"maghop-checkpoint 1\nend\n", "x"} end, {"src", "name"}, nil,
    {[2] = true}) -- any name is shown with tostring
add("mh.checkpoint.mismatch", function() return {{a = 1}, {a = 1}} end, {"stored", "'current'"}, nil,
    {[1] = true}) -- a checkpoint without options is reported as a mismatch
add("mh.plot.available", function() return {} end, {})
add("mh.plot.quote", function() return {"t"} end, {"#1"}, nil, {[1] = true}) -- quotes tostring(v)
add("mh.plot.wheel_rgb", function() return {1, 0, 0} end, {"mx", "my", "mz"})
add("mh.plot.gnuplot", function() return {"set terminal dumb\n"} end, {"script"})
add("mh.plot.lines", function()
  local path = mh.io.write_table(tmp("p.txt"), {"x", "y"}, {{0, 1}, {1, 2}})
  return {{table = path, png = tmp("p.png"), columns = {"y"}, title = "t"}}
end, {"option"}, 1)
add("mh.plot.heatmap", function()
  return {{png = tmp("h.png"), matrix = {{1, 2}, {3, 4}}, row_labels = {"a", "b"}, col_labels = {"a", "b"}}}
end, {"option"}, 1)
add("mh.plot.bar_panels", function()
  return {{png = tmp("b.png"), panels = {{title = "p", labels = {"a", "b"}, values = {1, 2}}}}}
end, {"option"}, 1)
add("mh.plot.images", function() return {{png = tmp("i.png"), w = 1, h = 1, images = {{img = {1}}}}} end, {"option"}, 1)
add("mh.plot.mwheel", function() return {{png = tmp("m.png"), m = film():m()}} end, {"option"}, 1)
add("mh.cli.parse", function() return {{n = 1}, {}, {"--n", "2"}} end, {"spec", "help", "args"})
add("mh.cli.progress", function() return {"x", 3, {quiet = true}} end, {"label", "total", "option"}, 3)
add("mh.cli.summary", function() return {{{"a", 1}}} end, {"pairs"})
-- micromagnetics and files
add("mh.demag.factors", function() return {2, 2, 1, 5e-9, 5e-9, 5e-9} end, {"#1", "#2", "#3", "#4", "#5", "#6"})
add("mh.demag.tensor", function() return {1e-8, 0, 0, 5e-9, 5e-9, 5e-9} end, {"#1", "#2", "#3", "#4", "#5", "#6"})
add("mh.demag.field", function() return {film():m(), 8e5} end, {"#1", "#2"})
add("mh.ovf.write", function() return {tmp("f.ovf"), film():m(), {format = "text"}} end, {"#1", "#2", "option"}, 3)
add("mh.ovf.read", function() return {tmp("none.ovf")} end, {"#1"})
add("mh.vtk.write", function() return {tmp("f.vtk"), film():m(), {format = "ascii"}} end, {"#1", "#2", "option"}, 3)
-- transport
add("mh.electrodes.grid", function() return {{cols = 2, rows = 2, pitch = 5e-7, size = 2e-7}} end, {"option"}, 1)
add("mh.electrodes.custom", function()
  return {{{x = 1e-7, y = 1e-7, w = 5e-8, h = 5e-8}, {x = 3e-7, y = 1e-7, w = 5e-8, h = 5e-8}}}
end, {"pad", "list"})
add("mh.electrodes.is", function() return {el()} end, {"#1"}, nil, {[1] = true})
add("mh.electrodes.pattern", function() return {"+-", 2} end, {"label", "amplitude"})
add("mh.oersted.solve", function()
  return {{film = tw().film, electrodes = el(), volts = {1, -1, 1, -1}, series_resistance = 10}}
end, {"option"}, 1)
add("mh.oersted.solver", function() return {tw().film, el(), {sigma = 4.1e7}} end, {"film", "electrodes", "option"}, 3)
add("mh.oersted.field", function()
  local r = mh.oersted.solve {film = tw().film, electrodes = el(), volts = {1, -1, 1, -1}}
  return {r.K, 1, 20e-9, 40e-9}
end, {"#1", "#2", "#3", "#4"})
add("mh.amr.solver", function() return {tw().film, el(), {sigma0 = 5e6}} end, {"film", "electrodes", "option"}, 3)
add("mh.amr.conductance", function() return {tw().film, el(), {amr_ratio = 0.02}} end, {"film", "electrodes", "option"}, 3)
add("mh.amr.conductance_saturated", function() return {tw().film, el(), {amr_ratio = 0.02}} end,
    {"film", "electrodes", "option"}, 3)
add("mh.amr.currents", function() return {tw().film, el(), {1, -1, 1, -1}, {sigma0 = 5e6}} end,
    {"film", "electrodes", "volts", "option"}, 4)
add("mh.amr.potential", function() return {tw().film, el(), {1, -1, 1, -1}, {sigma0 = 5e6}} end,
    {"film", "electrodes", "volts", "option"}, 4)
add("mh.amr.measure", function() return {tw().film, el(), "+--+", {current = 1e-3, noise = 0.01, seed = 2}} end,
    {"film", "electrodes", "wiring", "option"}, 4)
add("mh.amr.measure_all", function() return {tw().film, el(), {current = 1e-3}} end, {"film", "electrodes", "option"}, 3)
add("mh.amr.reconstruct", function()
  return {mh.amr.measure_all(tw().film, el()).measurements, 4}
end, {"meas", "'N'", "use"})
add("mh.amr.predict_V", function() return {tw():conductance(), mh.amr.measure(tw().film, el(), "+--+")} end, {"'G'", "'m'"})
add("mh.amr.weights", function() return {tw().film, el(), {xi = 0.98}} end, {"film", "electrodes", "option"}, 3)
add("mh.amr.inference_weights", function() return {tw():conductance(), tw():reference(), 0.98} end, {"'G'", "G1", "xi"})
add("mh.amr.infer", function() return {tw().film, el(), "+-+-", {mode = "sync", xi = 0.98, max_sweeps = 3}} end,
    {"film", "electrodes", "state", "option"}, 4)
add("mh.twin.new", function() return {{nodes = 4, cell = 50e-9, init = false, width = 1e-9, xi = 0.9}} end, {"option"}, 1)
add("mh.pairwise.upper", function() return {mh.compact.new():conductance()} end, {"#1", "'G'"})
-- sweeps (run needs a results file)
add("mh.sweep.task_seed", function() return {"a=1"} end, {"key"})
add("mh.sweep.parse", function() return {"a=1,2", {"a"}} end, {"text", "keys"})
add("mh.sweep.read", function() return {tmp("none_sweep.txt")} end, {"path"})
add("mh.sweep.repr", function() return {1.5} end, {"#1"}, nil, {[1] = true})
add("mh.sweep.csv_split", function() return {"a,b"} end, {"line"})
add("mh.sweep.run", function()
  return {{params = {a = {1}}, run = function(p) return {m = p.a} end, out = tmp("sw.txt")}}
end, {"option"}, 1)

-- object methods: "Type:method" -> receiver builder + args
local M = {}
local function meth(tname, recv, list)
  M[tname] = {recv = recv, list = list}
end
meth("Array", function() return mh.array {{1, 2}, {3, 4}} end, {
  get = {function() return {1, 2} end, {"#1", "#2"}},
  set = {function() return {1, 2, 5} end, {"#1", "#2", "#3"}},
  fill = {function() return {2} end, {"#1"}},
})
meth("Compact", function() return mh.compact.new() end, {
  pulse = {function() return {{1, -1, 1, -1}, 2} end, {"#1", "count"}},
  cost = {function() return {{1, -1, 1, -1}} end, {"#1"}},
  set_conductance = {function() return {mh.compact.paper.G0} end, {"#1"}},
})
meth("Hopfield", function() return mh.hopfield.new(W2) end, {
  recall = {function() return {{1, -1}, {mode = "async", seed = 3, max_sweeps = 10}} end, {"#1", "option"}, 2},
  energy = {function() return {{1, -1}} end, {"#1"}},
})
meth("Twin", tw, {
  pulse = {function() return {"++--", 1, {width = 1e-11, rest = 0}} end, {"pattern", "count", "option"}, 3},
  recall = {function() return {"+-+-", {mode = "sync", seed = 1, max_sweeps = 5}} end, {"pattern", "option"}, 2},
})

meth("Film", film, {
  run = {function() return {1e-13, {solver = "rk45", dt = 1e-14, tol = 1e-4, max_steps = 100}} end,
         {"#1", "option"}, 2},
  relax = {function() return {{torque = 1e3, max_steps = 10}} end, {"option"}, 1},
  minimize = {function() return {{torque = 1e3, max_iter = 10}} end, {"option"}, 1},
  set_uniform = {function() return {1, 0, 0} end, {"#1", "#2", "#3"}},
  set_field = {function() return {{1, 0, 0}} end, {"#1"}},
  save_ovf = {function() return {tmp("film.ovf"), {format = "text"}} end, {"#1", "option"}, 2},
})
meth("Field", function() return mh.field(2, 2, 1, 3) end, {
  get = {function() return {1, 2, 1} end, {"#1", "#2", "#3"}},
  set = {function() return {1, 2, 1, 0.5, 0, 0} end, {"#1", "#2", "#3", "#4", "#5", "#6"}},
})
meth("AMRSolver", function() return mh.amr.solver(tw().film, el()) end, {
  currents = {function() return {{1, -1, 1, -1}, "film"} end, {"volts", "mode"}},
  potential = {function() return {{1, -1, 1, -1}, "film"} end, {"volts", "mode"}},
  conductance = {function() return {"saturated"} end, {"mode"}},
})
meth("Electrodes", el, {
  rects = {function() return {tw().film} end, {"film"}},
  key = {function() return {tw().film} end, {"film"}},
})

-- Functions not walked, and why.
local SKIP = {
  ["mh.cli.fail"] = "raises by design", ["mh.checkpoint.guard"] = "exits the process on Ctrl-C",
  ["mh.wtime"] = "no arguments", ["mh.sweep.mpi"] = "no arguments (MPI binding or nil)",
  ["mh.sweep.run_mpi"] = "internal entry of mh.sweep under MPI (walked through mh.sweep.run)",
  ["mh.mpi.abort"] = "ends the process", ["mh.mpi.barrier"] = "needs MPI", ["mh.mpi.bcast"] = "needs MPI",
  ["mh.mpi.farm_open"] = "needs MPI", ["mh.mpi.farm_work"] = "needs MPI", ["mh.mpi.rank"] = "needs MPI",
  ["mh.mpi.recv"] = "needs MPI", ["mh.mpi.send"] = "needs MPI", ["mh.mpi.size"] = "needs MPI",
  ["mh.pairwise.device"] = "needs a model fitted on twin traces (a minute); checked in spec/pairwise_spec.lua",
  ["mh.pairwise.field_features"] = "needs a model fitted on twin traces (a minute); checked in spec/pairwise_spec.lua",
  ["mh.pairwise.fit"] = "needs a model fitted on twin traces (a minute); checked in spec/pairwise_spec.lua",
  ["mh.pairwise.pairs"] = "needs a model fitted on twin traces (a minute); checked in spec/pairwise_spec.lua",
  ["mh.pairwise.r2"] = "needs a model fitted on twin traces (a minute); checked in spec/pairwise_spec.lua",
  ["mh.pairwise.record"] = "needs a model fitted on twin traces (a minute); checked in spec/pairwise_spec.lua",
  ["mh.pairwise.step"] = "needs a model fitted on twin traces (a minute); checked in spec/pairwise_spec.lua",
}

local BUDGET = 200000000 -- VM instructions per call (a hang in Lua stops here)

local function call_guarded(f, args, n)
  local t0 = mh.wtime()
  debug.sethook(function() error("walk: call exceeded its instruction budget (hang?)", 2) end, "", BUDGET)
  local res = table.pack(pcall(f, table.unpack(args, 1, n)))
  debug.sethook()
  return res, mh.wtime() - t0
end

local function has_nan(v, depth)
  depth = depth or 0
  if type(v) == "number" then return v ~= v end
  if type(v) == "table" and depth < 3 then
    for _, x in pairs(v) do if has_nan(x, depth + 1) then return true end end
  end
  return false
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- Bad variants of a valid argument list: {label, args, needles}.
local function variants(entry)
  local out = {}
  local base = entry.args()
  local n = select("#", table.unpack(base))
  n = math.max(n, #entry.names)
  for i = 1, n do
    local v = base[i]
    local name = entry.names[i] or ("#" .. i)
    local needles = {name, "argument", "#" .. i, "option", "expected", "must be"}
    local function push(label, value)
      local a = copy(base)
      a[i] = value
      out[#out + 1] = {("arg %d = %s"):format(i, label), a, needles, n}
    end
    if not entry.keep[i] then
      if type(v) == "number" then
        push("nan", 0 / 0); push("inf", math.huge); push("-inf", -math.huge); push("'x'", "x")
      elseif type(v) == "boolean" then
        push("1", 1)
      elseif v ~= nil then
        push("true", true)
      end
    end
    if entry.opts == i and type(v) == "table" then
      local a = copy(base)
      a[i] = copy(v)
      a[i].bogus_key_xyz = 1
      out[#out + 1] = {"unknown option key", a, {"bogus_key_xyz"}, n}
      for k, x in pairs(v) do
        if type(x) == "number" then
          local b = copy(base)
          b[i] = copy(v)
          b[i][k] = 0 / 0
          out[#out + 1] = {("option %s = nan"):format(k), b, {k}, n}
        end
      end
    end
  end
  return out
end

local function walk(fname, f, entry, recv, problems)
  for _, var in ipairs(variants(entry)) do
    local label, a, needles, n = var[1], var[2], var[3], var[4]
    if recv then table.insert(a, 1, recv); n = n + 1 end
    local res, dt = call_guarded(f, a, n)
    local where = fname .. " with " .. label
    if dt > 5 then problems[#problems + 1] = ("%s took %.1f s"):format(where, dt) end
    if res[1] then
      problems[#problems + 1] = where .. ": accepted"
      for k = 2, res.n do
        if has_nan(res[k]) then problems[#problems + 1] = where .. ": returned NaN" end
      end
    else
      local msg = res[2]
      if type(msg) == "table" then msg = msg.msg end
      msg = tostring(msg)
      local named = false
      for _, s in ipairs(needles) do if msg:find(s, 1, true) then named = true end end
      if not named then problems[#problems + 1] = ("%s: error names no argument: %s"):format(where, msg) end
      if msg:find("walk: call exceeded", 1, true) then problems[#problems + 1] = where .. ": hang" end
      if msg:find("%[maghop%] maghop") or msg:find("lua/maghop/[%w_]+%.lua:%d") then
        problems[#problems + 1] = ("%s: error located inside maghop: %s"):format(where, msg)
      end
    end
  end
end

function T.test_every_public_function_refuses_bad_input()
  local problems, walked, missing = {}, 0, {}
  -- module functions, enumerated
  local names = {}
  for k, v in pairs(mh) do
    if type(v) == "function" then names[#names + 1] = "mh." .. k
    elseif type(v) == "table" and k ~= "core" then
      for k2, v2 in pairs(v) do
        if type(v2) == "function" and not k2:match("^_") then names[#names + 1] = ("mh.%s.%s"):format(k, k2) end
      end
    end
  end
  table.sort(names)
  local covered = {}
  for _, name in ipairs(names) do
    local entry = C[name]
    if entry then
      local f = assert(load("local mh = ...; return " .. name))(mh)
      walk(name, f, entry, nil, problems)
      walked = walked + 1
      covered[name] = true
    elseif not SKIP[name] then
      missing[#missing + 1] = name
    end
  end
  -- object methods
  for tname, m in pairs(M) do
    local obj = m.recv()
    for mname, spec in pairs(m.list) do
      local f = obj[mname]
      lu.assertEquals(type(f), "function", tname .. ":" .. mname)
      walk(tname .. ":" .. mname, f, {args = spec[1], names = spec[2], opts = spec[3], keep = {}}, obj, problems)
      walked = walked + 1
    end
  end
  if fx.dir then os.execute("rm -rf " .. mh.io.shell_quote(fx.dir)) end
  print(("\n[walk] %d functions walked, %d not catalogued, %d problems"):format(walked, #missing, #problems))
  if #missing > 0 then print("[walk] not catalogued: " .. table.concat(missing, " ")) end
  for _, p in ipairs(problems) do print("[walk] " .. p) end
  lu.assertEquals(problems, {})
end

return {TestApiWalk = T}
