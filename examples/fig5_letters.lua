-- Fig. 5b-d: a 35-node (5 x 7) film learns the letters E, C, P; accuracy per
-- epoch against software rules, confusion matrix, and capacity runs.
-- Usage: build/bin/maghop examples/fig5_letters.lua [--model compact|twin] [--quick]
--          [--epochs 10] [--tests 30] [--seed 1] [--capacity yes|no] [--resume] [--quiet] [--out out/fig5]
-- Training: each letter in turn (twin: a pulse of `letter_s` seconds; compact:
-- `letter_pulses` pulses), one epoch = E, C, P. After each epoch a seeded test
-- set (k = 1, 2, 3 flipped pixels, `tests` per letter and k) is recalled
-- synchronously with the device's weights and classified by maximum
-- similarity S = x'.x0. Ctrl-C saves a checkpoint; --resume continues it.
local mh = require "maghop"

local opts = mh.cli.parse({model = "compact", quick = false, epochs = 10, tests = 30, seed = 1,
  letter_s = 5e-9, letter_pulses = 1, capacity = "yes", resume = false, quiet = false, out = "out/fig5",
  pitch = 500e-9, pad = 200e-9, -- twin pad grid (m)
  interrupt_at = 0}, { -- interrupt_at: act as if Ctrl-C came after that epoch (for tests)
  model = "device model: compact or twin", quick = "short run (3 epochs, 10 tests, letter pulses <= 2 ns)",
  epochs = "training epochs (one epoch = E, C, P)", tests = "test patterns per letter and flip count",
  seed = "seed of the test set", letter_s = {"twin: pulse length per letter", "s"},
  letter_pulses = "compact: pulses per letter", capacity = "yes|no: run the capacity sets",
  resume = "continue from the checkpoint in --out", quiet = "no progress line", out = "output folder",
  pitch = {"twin: pad pitch", "m"}, pad = {"twin: pad size", "m"},
  interrupt_at = "act as if Ctrl-C came after this epoch (0: never; for tests)"})
if opts.quick then
  opts.epochs, opts.tests = math.min(opts.epochs, 3), math.min(opts.tests, 10)
  opts.letter_s = math.min(opts.letter_s, 2e-9)
end
-- capacity runs train four more devices (--capacity no skips them)
opts.capacity = opts.capacity == "yes" or opts.capacity == "true"
local EPOCHS, TESTS, SEED = math.tointeger(opts.epochs), math.tointeger(opts.tests), math.tointeger(opts.seed)
local FLIPS = {1, 2, 3}
local RULES = {"outer", "storkey", "pinv"}

local function new_device()
  if opts.model == "compact" then return mh.compact.grid {cols = 5, rows = 7} end
  if opts.model == "twin" and mh.twin then
    return mh.twin.new {nodes = 35, preset = "paper", width = opts.letter_s, pitch = opts.pitch, pad = opts.pad,
                        cell = opts.quick and 50e-9 or nil, init_s = opts.quick and 5e-9 or nil}
  end
  mh.cli.fail(("--model %s: accepted models: compact%s"):format(opts.model, mh.twin and ", twin" or ""))
end

local function train_letter(dev, x)
  if dev.model == "compact" then dev:pulse(x, math.tointeger(opts.letter_pulses))
  else dev:pulse(x, 1, {width = opts.letter_s}) end
end

-- Seeded test set: {x = distorted, label = letter index, k = flips}.
local function test_set(pats)
  local set = {}
  for li, x in ipairs(pats) do
    for _, k in ipairs(FLIPS) do
      for t = 1, TESTS do
        set[#set + 1] = {x = mh.patterns.distort(x, k, SEED * 1000003 + li * 10007 + k * 101 + t), label = li, k = k}
      end
    end
  end
  return set
end

-- Synchronous recall through `recall(x)` and max-similarity classification.
-- Returns accuracy, confusion matrix, and the share of test images recalled
-- exactly (every pixel of the original letter restored).
local function evaluate(recall, pats, set)
  local confusion = {}
  for i = 1, #pats do confusion[i] = {} for j = 1, #pats do confusion[i][j] = 0 end end
  local correct, exact = 0, 0
  for _, case in ipairs(set) do
    local s = recall(case.x)
    local pred = mh.hopfield.classify(s, pats)
    confusion[case.label][pred] = confusion[case.label][pred] + 1
    if pred == case.label then correct = correct + 1 end
    if mh.patterns.hamming(s, pats[case.label]) == 0 then exact = exact + 1 end
  end
  return correct / #set, confusion, exact / #set
end

local function device_recall(dev)
  if dev.model == "twin" then
    return function(x) return (dev:recall(x, {mode = "sync"})) end
  end
  local net = mh.hopfield.new(dev:weights())
  return function(x) return (net:recall(x, {mode = "sync"})) end
end

local function rule_accuracies(pats, set)
  local acc = {}
  for _, rule in ipairs(RULES) do
    local ok, w = pcall(mh.rules[rule], pats)
    if ok then
      local net = mh.hopfield.new(w)
      acc[rule] = evaluate(function(x) return (net:recall(x, {mode = "sync"})) end, pats, set)
    else
      acc[rule] = 0 / 0 -- reported as nan: the rule cannot store this set
    end
  end
  return acc
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

local pats, names = mh.patterns.set("ECP")
local set = test_set(pats)
local base = rule_accuracies(pats, set)
-- the baseline any recall must beat: classify the distorted input itself
local no_recall = evaluate(function(x) return x end, pats, set)
local ckpt_path = opts.out .. "/checkpoint_" .. opts.model .. ".ckpt"
-- every option that changes the results; a resume must match them all
local run_options = {}
for k, v in pairs(opts) do
  if type(k) == "string" and not ({resume = 1, quiet = 1, out = 1, interrupt_at = 1, capacity = 1})[k] then
    run_options[k] = v
  end
end

local dev = new_device()
local history, analysis, start_epoch, confusion = {}, {}, 1, nil
if opts.resume then
  local ck, err = mh.checkpoint.load(ckpt_path)
  if not ck then mh.cli.fail("--resume: " .. tostring(err)) end
  local differ = mh.checkpoint.mismatch(ck.options, run_options)
  if differ then mh.cli.fail("--resume: " .. ckpt_path .. " belongs to another run: " .. differ) end
  if math.type(ck.epoch) ~= "integer" or ck.epoch < 0 or ck.epoch > EPOCHS or type(ck.history) ~= "table"
     or #ck.history ~= ck.epoch or type(ck.analysis) ~= "table" or #ck.analysis ~= ck.epoch
     or type(ck.device) ~= "table" then
    mh.cli.fail(("--resume: %s is inconsistent (epoch %s of 0..%d with %s history rows)"):format(
      ckpt_path, tostring(ck.epoch), EPOCHS, type(ck.history) == "table" and #ck.history or "no"))
  end
  restore_state(dev, ck.device)
  history, analysis, start_epoch = ck.history, ck.analysis, ck.epoch + 1
  if not opts.quiet then io.stderr:write(("resuming after epoch %d\n"):format(ck.epoch)) end
end

local last_good = {options = run_options, epoch = start_epoch - 1,
                   history = history, analysis = analysis, device = device_state(dev, start_epoch - 1)}

-- Analysis of the reference subtraction: the same recall with weights
-- centred on the epoch's own mean conductance, w = G - mean(G after each
-- letter), instead of w = G - xi G^1T (twin) or G - Gavg (compact).
local function centred_accuracy(G_letters, G_now)
  local mean = G_letters[1] * (1 / #G_letters)
  for k = 2, #G_letters do mean = mean + G_letters[k] * (1 / #G_letters) end
  local w = G_now - mean
  for i = 1, #pats[1] do w:set(i, i, 0) end
  local net = mh.hopfield.new(w)
  return (evaluate(function(x) return (net:recall(x, {mode = "sync"})) end, pats, set))
end
local progress = mh.cli.progress("fig5 " .. opts.model, EPOCHS, {quiet = opts.quiet})
mh.checkpoint.guard(function()
  for epoch = start_epoch, EPOCHS do
    local G_letters = {}
    for _, x in ipairs(pats) do
      train_letter(dev, x)
      G_letters[#G_letters + 1] = dev:conductance()
    end
    local acc, exact
    acc, confusion, exact = evaluate(device_recall(dev), pats, set)
    history[#history + 1] = {epoch, acc, base.outer, base.storkey, base.pinv}
    local w = dev:weights()
    local wplus = 0
    for i = 1, #pats[1] do for j = 1, #pats[1] do if i ~= j and w:get(i, j) > 0 then wplus = wplus + 1 end end end
    analysis[#analysis + 1] = {epoch, acc, centred_accuracy(G_letters, G_letters[#G_letters]),
                               wplus / (#pats[1] * (#pats[1] - 1)), exact, no_recall}
    last_good = {options = run_options, epoch = epoch,
                 history = history, analysis = analysis, device = device_state(dev, epoch)}
    mh.checkpoint.save(ckpt_path, last_good)
    if dev.model == "twin" then os.remove(("%s/checkpoint_twin_e%03d.ovf"):format(opts.out, epoch - 1)) end
    progress(epoch)
    if epoch == opts.interrupt_at then error("interrupted!") end
  end
end, function() mh.checkpoint.save(ckpt_path, last_good) end)
progress.finish()
if not confusion then -- resumed a finished run: evaluate the final state again
  _, confusion = evaluate(device_recall(dev), pats, set)
end

-- outputs appear under their names together, once all are written
local out = mh.io.staged(opts.out)
local acc_csv = mh.io.write_csv(out.path("accuracy.csv"),
  {"epoch", "accuracy_device", "accuracy_outer", "accuracy_storkey", "accuracy_pinv"}, history)
mh.io.write_csv(out.path("analysis.csv"),
  {"epoch", "accuracy_device", "accuracy_centred", "fraction_positive_weights", "exact_device",
   "accuracy_no_recall"}, analysis)
local conf_rows = {}
for i, row in ipairs(confusion) do
  conf_rows[i] = {names[i], table.unpack(row)}
end
mh.io.write_csv(out.path("confusion.csv"), {"true", "pred_E", "pred_C", "pred_P"}, conf_rows)
mh.plot.lines {csv = acc_csv, png = out.path("accuracy.png"), points = true,
  columns = {"accuracy_device", "accuracy_outer", "accuracy_storkey", "accuracy_pinv"},
  title = "ECP recall accuracy (" .. opts.model .. " device vs software rules)",
  xlabel = "epoch", ylabel = "accuracy", extra = "set yrange [0:1.05]"}
mh.plot.heatmap {png = out.path("confusion.png"), matrix = confusion, row_labels = names,
  col_labels = names, title = "Confusion after the last epoch (" .. opts.model .. ")",
  xlabel = "recognized as", ylabel = "true letter"}

-- Capacity: a fresh device trained on each set for the same number of epochs.
if opts.capacity then
  local cap_rows = {}
  for _, setname in ipairs {"ECP", "EDCP", "EDCPL", "08965"} do
    local p = mh.patterns.set(setname)
    local s = test_set(p)
    local d = new_device()
    for _ = 1, EPOCHS do for _, x in ipairs(p) do train_letter(d, x) end end
    cap_rows[#cap_rows + 1] = {setname, "device_" .. opts.model, (evaluate(device_recall(d), p, s))}
    local b = rule_accuracies(p, s)
    for _, rule in ipairs(RULES) do cap_rows[#cap_rows + 1] = {setname, rule, b[rule]} end
  end
  mh.io.write_csv(out.path("capacity.csv"), {"set", "rule", "accuracy"}, cap_rows)
end

out.commit()

local final = history[#history]
mh.cli.summary {{"model", opts.model}, {"epochs", EPOCHS},
  {"accuracy_device", ("%.3f"):format(final[2])}, {"accuracy_outer", ("%.3f"):format(final[3])},
  {"accuracy_storkey", ("%.3f"):format(final[4])}, {"accuracy_pinv", ("%.3f"):format(final[5])},
  {"accuracy_centred", ("%.3f"):format(analysis[#analysis][3])},
  {"exact_device", ("%.3f"):format(analysis[#analysis][5])}, {"accuracy_no_recall", ("%.3f"):format(no_recall)}}
