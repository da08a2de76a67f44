-- A compact model that tracks the 35-node twin: per-pair rules driven by the
-- local write field (maghop.pairwise), fitted by ridge regression on a twin
-- trace of letters and patterns that are NOT in the Fig. 5 set, then
-- validated on the held-out Fig. 5 training (E, C, P): R^2 of the per-pulse
-- dG, and Fig. 5 accuracy per epoch of the model run on its own next to the
-- twin's. Eq. 2 (one eta for all pairs, mh.compact.fit) fitted to the same
-- trace is reported for comparison.
-- Ctrl-C during the twin recording (the long part) saves a checkpoint after
-- the last whole pulse; --resume continues it.
-- Usage: build/bin/maghop examples/fig5_compact_model.lua [--geometry wide] [--xi 1.0] [--cell 0]
--          [--epochs 10] [--fit-epochs 3] [--random 8] [--lambda 1e-2] [--tests 30] [--seed 1]
--          [--quick] [--resume] [--out out/fig5_compact]
local mh = require "maghop"

local opts = mh.cli.parse({geometry = "wide", xi = 1.0, cell = 0, width = 5e-9, epochs = 10, fit_epochs = 3,
  random = 8, lambda = 1e-2, tests = 30, seed = 1, set = "ECP", fit_set = "DL08965", quick = false,
  traces = "", resume = false, interrupt_at = 0, out = "out/fig5_compact"}, {
  geometry = "twin pad layout: default or wide", xi = "reference factor of w = G - xi G1T",
  cell = {"cell size (0: the geometry's; --quick: a quarter of the pad... 100 nm on wide)", "m"},
  width = {"pulse length per letter", "s"},
  epochs = "epochs of the held-out Fig. 5 training (one epoch = every letter of --set)",
  fit_epochs = "epochs of the fitting schedule (--fit-set letters + --random patterns)",
  random = "seeded random patterns per fitting epoch (besides --fit-set)",
  lambda = "ridge strength (relative to each pair's normal matrix)",
  tests = "test images per letter and flip count (1-3 flips)", seed = "seed of test set and random patterns",
  set = "held-out letters (the Fig. 5 set)", fit_set = "letters/digits of the fitting trace (none of --set)",
  quick = "coarse cells (pad/8) for a fast look",
  traces = "file of recorded twin traces: read if it exists (same options), else written (empty: none)",
  resume = "continue the twin recording from the checkpoint in --out",
  interrupt_at = "act as if Ctrl-C came after this many recorded pulses (0: never; for tests)",
  out = "output folder"})

local EPOCHS, FIT_EPOCHS, RANDOM = math.tointeger(opts.epochs), math.tointeger(opts.fit_epochs), math.tointeger(opts.random)
local TESTS, SEED = math.tointeger(opts.tests), math.tointeger(opts.seed)
for name, v in pairs {epochs = EPOCHS, fit_epochs = FIT_EPOCHS, tests = TESTS} do
  if not v or v < 1 then mh.cli.fail(("--%s: integer >= 1 expected"):format(name:gsub("_", "-"))) end
end
if not RANDOM or RANDOM < 0 then mh.cli.fail("--random: integer >= 0 expected") end
if not SEED then mh.cli.fail("--seed: integer expected") end
if not mh.twin.geometries[opts.geometry] then mh.cli.fail(("--geometry %s: accepted: default, wide"):format(opts.geometry)) end
local ok1, pats = pcall(mh.patterns.set, opts.set)
local ok2, fitpats = pcall(mh.patterns.set, opts.fit_set)
if not ok1 or not ok2 then mh.cli.fail("--set/--fit-set: 5x7 letters (E C P D L) or digits (0 8 9 6 5) expected") end
for ch in opts.fit_set:gmatch(".") do
  if opts.set:find(ch, 1, true) then mh.cli.fail(("--fit-set holds '%s', which is in --set: it would not be held out"):format(ch)) end
end

local g = mh.twin.geometries[opts.geometry]
local cell = opts.cell > 0 and opts.cell or (opts.quick and g.pad / 8 or nil)
local function new_twin(init)
  local ok, dev = pcall(mh.twin.new, {nodes = 35, preset = "paper", geometry = opts.geometry, cell = cell,
                                      xi = opts.xi, width = opts.width, init = init})
  if not ok then mh.cli.fail(tostring(dev):gsub("^.-twin%.new: ", "")) end
  return dev
end

-- fitting schedule: the fit letters and seeded random patterns, per epoch
local schedule = {}
local rnd = 0
for e = 1, FIT_EPOCHS do
  for _, x in ipairs(fitpats) do schedule[#schedule + 1] = x end
  for r = 1, RANDOM do
    rnd = rnd + 1
    local base = {}
    for i = 1, 35 do base[i] = 1 end
    schedule[#schedule + 1] = mh.patterns.distort(base, 10 + (SEED * 7 + rnd * 13 + e) % 16, SEED * 100003 + rnd)
  end
end
local held = {}
for _ = 1, EPOCHS do for _, x in ipairs(pats) do held[#held + 1] = x end end

-- The twin traces: the fitting schedule on devs.fit, then the held-out
-- training on devs.val. A checkpoint (traces so far and both devices'
-- states) is saved after every whole pulse, so Ctrl-C (which may land inside
-- a pulse) keeps that one; --resume continues from it, and a finished
-- recording removes it.
local function record_traces(devs, run_options)
  local ckpt_path = opts.out .. "/checkpoint_fig5_compact.ckpt"
  local stages = {{name = "fit", patterns = schedule}, {name = "val", patterns = held}}
  local st = {stage = 1, traces = {}, pulses = 0}
  local files = {} -- device -> the state file the last checkpoint names
  if opts.resume then
    local ck, err = mh.checkpoint.load(ckpt_path)
    if not ck then mh.cli.fail("--resume: " .. tostring(err)) end
    local differ = mh.checkpoint.mismatch(ck.options, run_options)
    if differ then mh.cli.fail("--resume: " .. ckpt_path .. " belongs to another run: " .. differ) end
    if math.type(ck.stage) ~= "integer" or not stages[ck.stage] or type(ck.traces) ~= "table"
       or math.type(ck.pulses) ~= "integer" or type(ck.devices) ~= "table" then
      mh.cli.fail("--resume: " .. ckpt_path .. " is inconsistent")
    end
    for name, d in pairs(devs) do
      if type(ck.devices[name]) ~= "table" then mh.cli.fail("--resume: " .. ckpt_path .. " lacks device " .. name) end
      d:load_state(ck.devices[name])
      files[name] = ck.devices[name].ovf
    end
    st = {stage = ck.stage, traces = ck.traces, pulses = ck.pulses}
    io.stderr:write(("resuming after %d recorded pulses\n"):format(st.pulses))
  else
    -- a fresh run replaces an earlier interrupted one: its state files go too
    local old = mh.io.exists(ckpt_path) and mh.checkpoint.load(ckpt_path)
    if old and type(old.devices) == "table" then
      for _, dv in pairs(old.devices) do
        if type(dv) == "table" and type(dv.ovf) == "string" and dv.ovf:find(opts.out, 1, true) == 1 then
          os.remove(dv.ovf)
        end
      end
    end
  end
  local function save_checkpoint()
    local devices = {}
    for name, d in pairs(devs) do
      devices[name] = d:save_state(("%s/checkpoint_fig5_compact_%s_p%05d"):format(opts.out, name, st.pulses))
    end
    mh.checkpoint.save(ckpt_path, {options = run_options, stage = st.stage, traces = st.traces,
                                   pulses = st.pulses, devices = devices})
    -- an old state file goes only once a checkpoint names the new one
    for name, dv in pairs(devices) do
      if files[name] and files[name] ~= dv.ovf then os.remove(files[name]) end
      files[name] = dv.ovf
    end
  end
  mh.checkpoint.guard(function()
    while stages[st.stage] do
      local stage = stages[st.stage]
      local progress = mh.cli.progress("twin " .. stage.name .. " trace", #stage.patterns)
      st.traces[stage.name] = mh.pairwise.record(devs[stage.name], stage.patterns, {trace = st.traces[stage.name],
        on_pulse = function(k, trace)
          st.traces[stage.name], st.pulses = trace, st.pulses + 1
          if k == #stage.patterns then st.stage = st.stage + 1 end
          save_checkpoint()
          progress(k)
          if st.pulses == opts.interrupt_at then error("interrupted!") end
        end})
      progress.finish()
      if stages[st.stage] == stage then st.stage = st.stage + 1 end -- a stage of 0 pulses
    end
  end, function() end)
  os.remove(ckpt_path)
  for _, f in pairs(files) do os.remove(f) end
  return st.traces.fit, st.traces.val
end

local t0 = mh.wtime()
local fit_trace, val_trace
local trace_opts = {geometry = opts.geometry, cell = cell or 0, width = opts.width, epochs = EPOCHS,
                    fit_epochs = FIT_EPOCHS, random = RANDOM, seed = SEED, set = opts.set, fit_set = opts.fit_set}
if opts.traces ~= "" and mh.io.exists(opts.traces) then
  local ck, err = mh.checkpoint.load(opts.traces)
  if not ck then mh.cli.fail("--traces: " .. tostring(err)) end
  local differ = mh.checkpoint.mismatch(ck.options, trace_opts)
  if differ then mh.cli.fail("--traces: " .. opts.traces .. " was recorded with other options: " .. differ) end
  fit_trace, val_trace = ck.fit, ck.val
end
-- field features and the reference G1T do not depend on the texture: a
-- twin without its saturating pulse serves them when the traces are read
local init -- nil: the default saturating pulse
if fit_trace then init = false end
local twin_val = new_twin(init)
if not fit_trace then
  fit_trace, val_trace = record_traces({fit = new_twin(), val = twin_val}, trace_opts)
  if opts.traces ~= "" then mh.checkpoint.save(opts.traces, {options = trace_opts, fit = fit_trace, val = val_trace}) end
end
local twin_s = mh.wtime() - t0
local features = mh.pairwise.field_features(twin_val)

local t1 = mh.wtime()
local model = mh.pairwise.fit {traces = {fit_trace}, features = features, lambda = opts.lambda}
local r2_held = mh.pairwise.r2(model, val_trace)
local fit_s = mh.wtime() - t1

-- Eq. 2 fitted to the same trace (one eta, per-pair alpha and Gavg)
local rows = {}
for k, gv in ipairs(fit_trace.G) do rows[k] = {k - 1, table.unpack(gv)} end
local eq2 = mh.compact.fit {rows = rows, nodes = 35, schedule = function(pulse) return schedule[pulse] end}
local function eq2_r2(trace)
  local ys, ps = {}, {}
  for k, x in ipairs(trace.x) do
    for p, ij in ipairs(eq2.pairs) do
      local gk = trace.G[k][p]
      local pred = 0
      local a, ga = eq2.alpha[ij[1]][ij[2]], eq2.Gavg[ij[1]][ij[2]]
      if a then pred = eq2.eta * (x[ij[1]] * x[ij[2]] - 2 * a * (gk - ga)) end
      ys[#ys + 1], ps[#ps + 1] = trace.G[k + 1][p] - gk, pred
    end
  end
  return mh.metrics.r2(ys, ps)
end
local r2_eq2_fit, r2_eq2_held = eq2_r2(fit_trace), eq2_r2(val_trace)

-- An upper bound for any rule that sees only G_ij and the pattern: per pair
-- and letter an affine dG = a + b G fitted to the held-out trace itself
-- (in-sample, so optimistic); what it misses is texture state that G does
-- not show.
local function bound_r2(trace, nl)
  local coef, ys, ps = {}, {}, {}
  local P = #trace.G[1]
  for l = 1, nl do
    coef[l] = {}
    for p = 1, P do
      local sx, sy, sxx, sxy, c = 0, 0, 0, 0, 0
      for k = l, #trace.x, nl do
        local x, y = trace.G[k][p], trace.G[k + 1][p] - trace.G[k][p]
        sx, sy, sxx, sxy, c = sx + x, sy + y, sxx + x * x, sxy + x * y, c + 1
      end
      local vx = sxx / c - (sx / c) ^ 2
      local b = vx > 1e-30 and (sxy / c - sx * sy / c / c) / vx or 0
      coef[l][p] = {sy / c - b * sx / c, b}
    end
  end
  for k = 1, #trace.x do
    local l = (k - 1) % nl + 1
    for p = 1, P do
      ys[#ys + 1] = trace.G[k + 1][p] - trace.G[k][p]
      ps[#ps + 1] = coef[l][p][1] + coef[l][p][2] * trace.G[k][p]
    end
  end
  return mh.metrics.r2(ys, ps)
end
local r2_bound = bound_r2(val_trace, #pats)

-- Fig. 5 per epoch: the twin (its recorded G) and the model run on its own
local G1 = twin_val:reference()
local set = mh.metrics.test_set(pats, {1, 2, 3}, TESTS, SEED)
local function weights_of(gv)
  local w = mh.zeros(35, 35)
  for p, ij in ipairs(model.pairs) do
    local v = gv[p] - opts.xi * G1:get(ij[1], ij[2])
    w:set(ij[1], ij[2], v); w:set(ij[2], ij[1], v)
  end
  return w
end
local function score(gv)
  return mh.metrics.evaluate(mh.metrics.recall_of(weights_of(gv)), pats, set)
end
local G0 = mh.zeros(35, 35)
for p, ij in ipairs(model.pairs) do
  G0:set(ij[1], ij[2], val_trace.G[1][p]); G0:set(ij[2], ij[1], val_trace.G[1][p])
end
local dev = mh.pairwise.device(model, {G0 = G0, G1T = G1, xi = opts.xi})
local ep_rows, gap = {}, 0
for e = 1, EPOCHS do
  for _, x in ipairs(pats) do dev:pulse(x, 1) end
  local tw = score(val_trace.G[e * #pats + 1])
  local pw = score(dev.g)
  gap = math.max(gap, math.abs(tw.accuracy - pw.accuracy))
  ep_rows[e] = {e, tw.accuracy, pw.accuracy, tw.exact, pw.exact}
end

mh.io.mkdir(opts.out)
local tab = mh.io.write_table(opts.out .. "/epochs.txt",
  {"epoch ()", "accuracy_twin ()", "accuracy_pairwise ()", "exact_twin ()", "exact_pairwise ()"}, ep_rows)
mh.plot.lines {table = tab, png = opts.out .. "/epochs.png", points = true,
  columns = {"accuracy_twin", "accuracy_pairwise"}, xlabel = "epoch", ylabel = "accuracy",
  title = opts.set .. ": twin vs fitted pairwise compact model (held out)", extra = "set yrange [0:1.05]"}
for _, r in ipairs(ep_rows) do
  print(("epoch %2d  twin %.3f  pairwise %.3f   exact twin %.3f pairwise %.3f"):format(table.unpack(r)))
end
local last = ep_rows[#ep_rows]
mh.cli.summary {{"fit_pulses", #schedule}, {"heldout_pulses", #held},
  {"r2_fit", ("%.3f"):format(model.r2)}, {"r2_heldout", ("%.3f"):format(r2_held)},
  {"r2_eq2_fit", ("%.3f"):format(r2_eq2_fit)}, {"r2_eq2_heldout", ("%.3f"):format(r2_eq2_held)},
  {"r2_bound_letter_affine", ("%.3f"):format(r2_bound)},
  {"accuracy_twin", ("%.3f"):format(last[2])}, {"accuracy_pairwise", ("%.3f"):format(last[3])},
  {"max_accuracy_gap", ("%.3f"):format(gap)}, {"twin_s", ("%.0f"):format(twin_s)}, {"fit_s", ("%.1f"):format(fit_s)}}
