-- Fig. 5b-d: a 35-node (5 x 7) film learns letters (E, C, P by default);
-- per epoch and per rule (device, outer product, Storkey, pseudo-inverse, no
-- recall): accuracy, exact restoration and Hamming distance to the true
-- letter before and after recall, on an easy (1-3 flips) and a hard (4, 6, 8
-- flips) test set; software rules also with seeded weight jitter (tie
-- artefacts); confusion matrix; capacity sets.
-- Usage: build/bin/maghop examples/fig5_letters.lua [--model compact|twin] [--geometry default|wide]
--          [--xi 0.98] [--set ECP] [--flips 1-3] [--hard-flips 4,6,8] [--recall sync|async] [--epochs 10]
--          [--tests 30] [--seed 1] [--capacity auto|yes|no] [--resume] [--quiet] [--out out/fig5]
-- Training: each letter in turn (twin: one pulse of --width seconds; compact:
-- --letter-pulses pulses), one epoch = every letter once. After each epoch the
-- seeded test sets (--tests images per letter and flip count) are recalled
-- with the device's weights and classified by maximum overlap S = x'.x0.
-- Ctrl-C saves a checkpoint; --resume continues it (with the same options).
local mh = require "maghop"

local OE = 1e3 / (4 * math.pi) -- 1 Oe in A/m

local opts = mh.cli.parse({model = "compact", quick = false, epochs = 10, tests = 30, seed = 1,
  width = 5e-9, letter_pulses = 1, capacity = "auto", resume = false, quiet = false, out = "out/fig5",
  geometry = "default", pitch = 0, pad = 0, cell = 0, xi = 0.98, drive = 20, set = "ECP",
  flips = "1-3", hard_flips = "4,6,8", recall = "sync", jitter = 1e-9, jitter_seeds = 5,
  interrupt_at = 0}, {
  model = "device model: compact (Eq. 2 on a local grid) or twin (micromagnetic)",
  quick = "short run (3 epochs, 10 tests, pulses <= 2 ns, cells a quarter of the pad)",
  epochs = "training epochs (one epoch = every letter of --set once)",
  tests = "test images per letter and flip count",
  seed = "seed of the test sets (and of async recall and jitter)",
  width = {"twin: pulse length per letter", "s"},
  letter_pulses = "compact: pulses per letter",
  capacity = "auto|yes|no: also train fresh devices on ECP, EDCP, EDCPL, 08965 (auto: compact only)",
  resume = "continue from the checkpoint in --out", quiet = "no progress line", out = "output folder",
  geometry = "twin: pad layout, default (200 nm pads, 500 nm pitch, 20 nm cells) or wide (800 nm, 2 um, 40 nm)",
  pitch = {"twin: pad pitch (0: the geometry's)", "m"},
  pad = {"twin: pad size (0: the geometry's)", "m"},
  cell = {"twin: cell size (0: the geometry's)", "m"},
  xi = "twin: reference factor of the weights w = G - xi G1T",
  drive = {"twin: peak in-plane Oersted field of the alternating pattern", "Oe"},
  set = "letters to store: ECP, EDCP, EDCPL, 08965 (any 5x7 letters/digits)",
  flips = "flip counts of the (easy) test set, e.g. 1-3 or 2,4",
  hard_flips = "flip counts of the hard test set (hard_ fields)",
  recall = "recall mode: sync (all nodes at once) or async (seeded random order)",
  jitter = "relative weight jitter for the tie test of the software rules (0: off)",
  jitter_seeds = "jitter draws averaged in the _jitter figures",
  interrupt_at = "act as if Ctrl-C came after this epoch (0: never; for tests)"})

-- option checks -------------------------------------------------------------
local function int_opt(name, lo)
  local v = math.tointeger(opts[name])
  if not v or v < lo then mh.cli.fail(("--%s: integer >= %d expected, got %s"):format(name:gsub("_", "-"), lo, tostring(opts[name]))) end
  return v
end
if opts.quick then
  opts.epochs, opts.tests = math.min(opts.epochs, 3), math.min(opts.tests, 10)
  opts.width = math.min(opts.width, 2e-9)
end
local EPOCHS, TESTS, SEED = int_opt("epochs", 1), int_opt("tests", 1), int_opt("seed", 0)
local JITTER_SEEDS = int_opt("jitter_seeds", 1)
if opts.model ~= "compact" and opts.model ~= "twin" then
  mh.cli.fail(("--model %s: accepted models: compact, twin"):format(opts.model))
end
if opts.recall ~= "sync" and opts.recall ~= "async" then
  mh.cli.fail(("--recall %s: accepted: sync, async"):format(opts.recall))
end
if not mh.twin.geometries[opts.geometry] then
  mh.cli.fail(("--geometry %s: accepted: default, wide"):format(opts.geometry))
end
for _, k in ipairs {"pitch", "pad", "cell"} do
  if not (opts[k] >= 0 and opts[k] <= 1e-3) then mh.cli.fail(("--%s: length in [0, 1e-3] m expected (0: the geometry's), got %g"):format(k, opts[k])) end
end
if not (opts.width > 0 and opts.width <= 1e-6) then mh.cli.fail(("--width: pulse length in (0, 1e-6] s expected, got %g"):format(opts.width)) end
if not (opts.xi >= 0 and opts.xi <= 10) then mh.cli.fail(("--xi: number in [0, 10] expected, got %g"):format(opts.xi)) end
if not (opts.drive > 0 and opts.drive <= 1e4) then mh.cli.fail(("--drive: peak field in (0, 1e4] Oe expected, got %g"):format(opts.drive)) end
if not (opts.jitter >= 0 and opts.jitter <= 1e-3) then mh.cli.fail(("--jitter: number in [0, 1e-3] expected, got %g"):format(opts.jitter)) end
if opts.model == "compact" then
  -- the twin's physics options mean nothing to the compact model: refuse them
  local twin_only = {geometry = "default", pitch = 0, pad = 0, cell = 0, xi = 0.98, drive = 20, width = opts.quick and 2e-9 or 5e-9}
  for k, def in pairs(twin_only) do
    if opts[k] ~= def then mh.cli.fail(("--%s applies to --model twin only"):format(k)) end
  end
end
local ok_set, pats, names = pcall(mh.patterns.set, opts.set)
if not ok_set or #pats < 2 then mh.cli.fail(("--set %s: give two or more 5x7 letters or digits (E C P D L, 0 8 9 6 5)"):format(opts.set)) end
for i, p in ipairs(pats) do
  if #p ~= 35 then mh.cli.fail(("--set %s: '%s' is not a 5x7 pattern"):format(opts.set, names[i])) end
end
local function flips_opt(name)
  local ok, v = pcall(mh.metrics.parse_flips, opts[name], 35)
  if not ok then mh.cli.fail(("--%s: %s"):format(name:gsub("_", "-"), tostring(v):gsub("^.-metrics%.parse_flips: ", ""))) end
  return v
end
local FLIPS, HARD_FLIPS = flips_opt("flips"), flips_opt("hard_flips")
local capacity = opts.capacity == "yes" or opts.capacity == "true" or (opts.capacity == "auto" and opts.model == "compact")
if not ({auto = 1, yes = 1, no = 1, ["true"] = 1, ["false"] = 1})[opts.capacity] then
  mh.cli.fail(("--capacity %s: accepted: auto, yes, no"):format(opts.capacity))
end
local RULES = {"outer", "storkey", "pinv"}
local RECALL = {mode = opts.recall, seed = SEED}

-- devices ---------------------------------------------------------------------
local function new_device()
  if opts.model == "compact" then return mh.compact.grid {cols = 5, rows = 7} end
  local g = mh.twin.geometries[opts.geometry]
  local pad = opts.pad > 0 and opts.pad or g.pad
  local cell = opts.cell > 0 and opts.cell or (opts.quick and pad / 4 or nil)
  local ok, dev = pcall(mh.twin.new, {nodes = 35, preset = "paper", geometry = opts.geometry, width = opts.width,
    pitch = opts.pitch > 0 and opts.pitch or nil, pad = opts.pad > 0 and opts.pad or nil, cell = cell,
    xi = opts.xi, peak_H = opts.drive * OE, init_s = opts.quick and 5e-9 or nil})
  if not ok then mh.cli.fail(tostring(dev):gsub("^.-twin%.new: ", "")) end
  return dev
end

local function train_letter(dev, x)
  if dev.model == "compact" then dev:pulse(x, math.tointeger(opts.letter_pulses))
  else dev:pulse(x, 1, {width = opts.width}) end
end

local function device_recall(dev)
  if dev.model == "twin" then
    return function(x) return (dev:recall(x, RECALL)) end
  end
  return mh.metrics.recall_of(dev:weights(), RECALL)
end

-- metrics ---------------------------------------------------------------------
-- One evaluation of weights w (or a recall function) with and without jitter:
-- {plain = metrics, jitter = metrics averaged over the jitter draws}.
local FIELDS = {"accuracy", "exact", "hamming", "hamming_input"}
local function with_jitter(w, p, s)
  local res = {plain = mh.metrics.evaluate(mh.metrics.recall_of(w, RECALL), p, s)}
  if opts.jitter > 0 then
    local mean = {}
    for _, f in ipairs(FIELDS) do mean[f] = 0 end
    for j = 1, JITTER_SEEDS do
      local r = mh.metrics.evaluate(mh.metrics.recall_of(mh.metrics.jitter(w, opts.jitter, SEED * 7919 + j), RECALL), p, s)
      for _, f in ipairs(FIELDS) do mean[f] = mean[f] + r[f] / JITTER_SEEDS end
    end
    res.jitter = mean
  end
  return res
end

-- The software rules' and no-recall figures on a test set (fixed per set).
local function baselines(p, s)
  local b = {no_recall = {plain = mh.metrics.evaluate(nil, p, s)}}
  for _, rule in ipairs(RULES) do
    local ok, w = pcall(mh.rules[rule], p)
    if ok then b[rule] = with_jitter(w, p, s)
    else -- the rule cannot store this set (pinv: dependent patterns)
      local nan = {}
      for _, f in ipairs(FIELDS) do nan[f] = 0 / 0 end
      b[rule] = {plain = nan, jitter = opts.jitter > 0 and nan or nil}
    end
  end
  return b
end

local function device_metrics(dev, p, s)
  local res = {plain = mh.metrics.evaluate(device_recall(dev), p, s)}
  if opts.jitter > 0 then res.jitter = with_jitter(dev:weights(), p, s).jitter end
  return res
end

-- Rows of metrics.txt for one epoch and one test set.
local function metric_rows(epoch, setname, dm, base)
  local rows = {}
  local function add(rule, m)
    for _, ties in ipairs {"plain", "jitter"} do
      local r = m[ties]
      if r then rows[#rows + 1] = {epoch, setname, rule, ties, r.accuracy, r.exact, r.hamming, r.hamming_input} end
    end
  end
  add("device", dm)
  for _, rule in ipairs(RULES) do add(rule, base[rule]) end
  add("no_recall", base.no_recall)
  return rows
end

-- Device state for checkpoints: compact G, or the twin's magnetization
-- (OVF binary 8 beside the checkpoint, one file per epoch; the previous
-- epoch's file is removed only once the checkpoint naming the new one is saved).
local function device_state(dev, epoch)
  if dev.model == "compact" then return {G = dev:conductance():totable()} end
  return dev:save_state(("%s/checkpoint_twin_e%03d"):format(opts.out, epoch))
end
local function restore_state(dev, st)
  if dev.model == "compact" then dev:set_conductance(st.G) else dev:load_state(st) end
end

local set = mh.metrics.test_set(pats, FLIPS, TESTS, SEED)
local hard = mh.metrics.test_set(pats, HARD_FLIPS, TESTS, SEED)
local base, hard_base = baselines(pats, set), baselines(pats, hard)
local ckpt_path = opts.out .. "/checkpoint_" .. opts.model .. ".ckpt"
-- every option that changes the results; a resume must match them all
local run_options = {}
for k, v in pairs(opts) do
  if type(k) == "string" and not ({resume = 1, quiet = 1, out = 1, interrupt_at = 1, capacity = 1})[k] then
    run_options[k] = v
  end
end

local dev = new_device()
local history, analysis, mrows, start_epoch, confusion = {}, {}, {}, 1, nil
if opts.resume then
  local ck, err = mh.checkpoint.load(ckpt_path)
  if not ck then mh.cli.fail("--resume: " .. tostring(err)) end
  local differ = mh.checkpoint.mismatch(ck.options, run_options)
  if differ then mh.cli.fail("--resume: " .. ckpt_path .. " belongs to another run: " .. differ) end
  if math.type(ck.epoch) ~= "integer" or ck.epoch < 0 or ck.epoch > EPOCHS or type(ck.history) ~= "table"
     or #ck.history ~= ck.epoch or type(ck.analysis) ~= "table" or #ck.analysis ~= ck.epoch
     or type(ck.metrics) ~= "table" or type(ck.device) ~= "table" then
    mh.cli.fail(("--resume: %s is inconsistent (epoch %s of 0..%d with %s history rows)"):format(
      ckpt_path, tostring(ck.epoch), EPOCHS, type(ck.history) == "table" and #ck.history or "no"))
  end
  local ok, err2 = pcall(restore_state, dev, ck.device)
  if not ok then mh.cli.fail("--resume: " .. tostring(err2)) end
  history, analysis, mrows, start_epoch = ck.history, ck.analysis, ck.metrics, ck.epoch + 1
  if not opts.quiet then io.stderr:write(("resuming after epoch %d\n"):format(ck.epoch)) end
end

local last_good = {options = run_options, epoch = start_epoch - 1, history = history, analysis = analysis,
                   metrics = mrows, device = device_state(dev, start_epoch - 1)}

-- Analysis of the reference subtraction: the same recall with weights
-- centred on the epoch's own mean conductance, w = G - mean(G after each
-- letter), instead of w = G - xi G^1T (twin) or G - Gavg (compact).
local function centred_accuracy(G_letters, G_now)
  local mean = G_letters[1] * (1 / #G_letters)
  for k = 2, #G_letters do mean = mean + G_letters[k] * (1 / #G_letters) end
  local w = G_now - mean
  for i = 1, #pats[1] do w:set(i, i, 0) end
  return mh.metrics.evaluate(mh.metrics.recall_of(w, RECALL), pats, set).accuracy
end
local final_dm, final_hard -- the last epoch's device figures (recomputed on a finished resume)
local progress = mh.cli.progress("fig5 " .. opts.model, EPOCHS, {quiet = opts.quiet})
mh.checkpoint.guard(function()
  for epoch = start_epoch, EPOCHS do
    local G_letters = {}
    for _, x in ipairs(pats) do
      train_letter(dev, x)
      G_letters[#G_letters + 1] = dev:conductance()
    end
    local dm, dh = device_metrics(dev, pats, set), device_metrics(dev, pats, hard)
    final_dm, final_hard, confusion = dm, dh, dm.plain.confusion
    history[#history + 1] = {epoch, dm.plain.accuracy, base.outer.plain.accuracy, base.storkey.plain.accuracy,
                             base.pinv.plain.accuracy}
    local w = dev:weights()
    local wplus = 0
    for i = 1, #pats[1] do for j = 1, #pats[1] do if i ~= j and w:get(i, j) > 0 then wplus = wplus + 1 end end end
    analysis[#analysis + 1] = {epoch, dm.plain.accuracy, centred_accuracy(G_letters, G_letters[#G_letters]),
                               wplus / (#pats[1] * (#pats[1] - 1)), dm.plain.exact, base.no_recall.plain.accuracy}
    for _, r in ipairs(metric_rows(epoch, "easy", dm, base)) do mrows[#mrows + 1] = r end
    for _, r in ipairs(metric_rows(epoch, "hard", dh, hard_base)) do mrows[#mrows + 1] = r end
    last_good = {options = run_options, epoch = epoch, history = history, analysis = analysis,
                 metrics = mrows, device = device_state(dev, epoch)}
    mh.checkpoint.save(ckpt_path, last_good)
    if dev.model == "twin" then os.remove(("%s/checkpoint_twin_e%03d.ovf"):format(opts.out, epoch - 1)) end
    progress(epoch)
    if epoch == opts.interrupt_at then error("interrupted!") end
  end
end, function() mh.checkpoint.save(ckpt_path, last_good) end)
progress.finish()
if not final_dm then -- resumed a finished run: evaluate the final state again
  final_dm, final_hard = device_metrics(dev, pats, set), device_metrics(dev, pats, hard)
  confusion = final_dm.plain.confusion
end

-- outputs appear under their names together, once all are written
local out = mh.io.staged(opts.out)
-- tables: every column is dimensionless (shares of test patterns, pixel counts) or words
local acc_tab = mh.io.write_table(out.path("accuracy.txt"),
  {"epoch", "accuracy_device", "accuracy_outer", "accuracy_storkey", "accuracy_pinv"}, history)
mh.io.write_table(out.path("analysis.txt"),
  {"epoch", "accuracy_device", "accuracy_centred", "fraction_positive_weights", "exact_device",
   "accuracy_no_recall"}, analysis)
mh.io.write_table(out.path("metrics.txt"),
  {"epoch", "test_set", "rule", "ties", "accuracy", "exact", "hamming", "hamming_input"}, mrows)
local conf_rows, conf_head = {}, {"true"}
for i, row in ipairs(confusion) do
  conf_rows[i] = {names[i], table.unpack(row)}
  conf_head[#conf_head + 1] = "pred_" .. names[i]
end
mh.io.write_table(out.path("confusion.txt"), conf_head, conf_rows)
mh.plot.lines {table = acc_tab, png = out.path("accuracy.png"), points = true,
  columns = {"accuracy_device", "accuracy_outer", "accuracy_storkey", "accuracy_pinv"},
  title = opts.set .. " recall accuracy (" .. opts.model .. " device vs software rules)",
  xlabel = "epoch", ylabel = "accuracy", extra = "set yrange [0:1.05]"}
mh.plot.heatmap {png = out.path("confusion.png"), matrix = confusion, row_labels = names,
  col_labels = names, title = "Confusion after the last epoch (" .. opts.model .. ")",
  xlabel = "recognized as", ylabel = "true letter"}

-- Capacity: a fresh device trained on each set for the same number of epochs.
if capacity then
  local cap_rows = {}
  for _, setname in ipairs {"ECP", "EDCP", "EDCPL", "08965"} do
    local p = mh.patterns.set(setname)
    local s, sh = mh.metrics.test_set(p, FLIPS, TESTS, SEED), mh.metrics.test_set(p, HARD_FLIPS, TESTS, SEED)
    local d = new_device()
    for _ = 1, EPOCHS do for _, x in ipairs(p) do train_letter(d, x) end end
    local b, bh = baselines(p, s), baselines(p, sh)
    local function row(rule, m, mh_)
      return {setname, rule, m.accuracy, m.exact, m.hamming, m.hamming_input, mh_.accuracy, mh_.exact, mh_.hamming}
    end
    cap_rows[#cap_rows + 1] = row("device_" .. opts.model, device_metrics(d, p, s).plain, device_metrics(d, p, sh).plain)
    for _, rule in ipairs(RULES) do cap_rows[#cap_rows + 1] = row(rule, b[rule].plain, bh[rule].plain) end
    cap_rows[#cap_rows + 1] = row("no_recall", b.no_recall.plain, bh.no_recall.plain)
  end
  mh.io.write_table(out.path("capacity.txt"), {"set", "rule", "accuracy", "exact", "hamming",
    "hamming_input", "hard_accuracy", "hard_exact", "hard_hamming"}, cap_rows)
end

out.commit()

local function f3(v) return ("%.3f"):format(v) end
local summary = {{"model", opts.model}, {"set", opts.set}, {"epochs", EPOCHS}}
if opts.model == "twin" then
  local g = dev.geometry
  for _, kv in ipairs {{"geometry", g.name}, {"pitch", ("%g"):format(g.pitch)}, {"pad", ("%g"):format(g.pad)},
                       {"cell", ("%g"):format(g.cell)}, {"xi", ("%g"):format(dev.xi)}} do
    summary[#summary + 1] = kv
  end
end
local function block(prefix, dm, b)
  local s = summary
  s[#s + 1] = {prefix .. "accuracy_device", f3(dm.plain.accuracy)}
  for _, rule in ipairs(RULES) do s[#s + 1] = {prefix .. "accuracy_" .. rule, f3(b[rule].plain.accuracy)} end
  if prefix == "" then s[#s + 1] = {"accuracy_centred", f3(analysis[#analysis][3])} end
  s[#s + 1] = {prefix .. "exact_device", f3(dm.plain.exact)}
  s[#s + 1] = {prefix .. "hamming_device", f3(dm.plain.hamming)}
  s[#s + 1] = {prefix .. "hamming_input", f3(dm.plain.hamming_input)}
  s[#s + 1] = {prefix .. "accuracy_no_recall", f3(b.no_recall.plain.accuracy)}
  for _, rule in ipairs(RULES) do s[#s + 1] = {prefix .. "exact_" .. rule, f3(b[rule].plain.exact)} end
  if opts.jitter > 0 then
    s[#s + 1] = {prefix .. "accuracy_device_jitter", f3(dm.jitter.accuracy)}
    for _, rule in ipairs(RULES) do s[#s + 1] = {prefix .. "accuracy_" .. rule .. "_jitter", f3(b[rule].jitter.accuracy)} end
  end
end
block("", final_dm, base)
block("hard_", final_hard, hard_base)
mh.cli.summary(summary)
