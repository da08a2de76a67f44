-- Where the 35-node twin works as an associative memory: Fig. 5 accuracy and
-- exact restoration over pad pitch x reference factor xi (and pulse width),
-- as a parameter sweep (mh.sweep: resumable, the same script runs under
-- mpirun). Pads are 0.4 pitch wide (both built-in geometries), cells --cell.
-- Writes <out>/phase.txt (a table: one row per pitch, width, xi, seed) and heat maps
-- <out>/phase_accuracy.png, phase_exact.png, phase_hard_accuracy.png (last epoch,
-- first width).
-- Usage: build/bin/maghop examples/fig5_phase_diagram.lua [--pitches 0.5e-6,1e-6,1.5e-6,2e-6]
--          [--xis 0.98,0.99,0.995,0.9975,1,1.0025,1.005,1.01] [--widths 5e-9] [--epochs 5] [--tests 30]
--          [--cell 40e-9] [--set ECP] [--seeds 1] [--out out/fig5_phase]
-- xi only enters the weights w = G - xi G1T, not the training, so each
-- process trains a (pitch, width) once and evaluates every xi on it.
local mh = require "maghop"

local opts = mh.cli.parse({pitches = "0.5e-6,1e-6,1.5e-6,2e-6", xis = "0.98,0.99,0.995,0.9975,1,1.0025,1.005,1.01",
  widths = "5e-9", epochs = 5, tests = 30, cell = 40e-9, set = "ECP", seeds = "1", flips = "1-3",
  hard_flips = "4,6,8", drive = 20, out = "out/fig5_phase", quiet = false}, {
  pitches = {"pad pitches, comma-separated", "m"},
  xis = "reference factors xi of w = G - xi G1T, comma-separated",
  widths = {"pulse lengths per letter, comma-separated", "s"},
  epochs = "training epochs (one epoch = every letter once); figures are the last epoch's",
  tests = "test images per letter and flip count",
  cell = {"cell size", "m"},
  set = "letters to store (ECP, EDCP, EDCPL, 08965)",
  seeds = "test-set seeds, comma-separated (one row each)",
  flips = "flip counts of the test set", hard_flips = "flip counts of the hard test set",
  drive = {"peak in-plane Oersted field of the alternating pattern", "Oe"},
  out = "output folder", quiet = "no progress line"})

local OE = 1e3 / (4 * math.pi)
local function list(name, integer)
  local t = {}
  for item in (opts[name] .. ","):gmatch("([^,]*),") do
    local v = tonumber(item)
    if integer then v = v and math.tointeger(v) end
    if not v or v ~= v then mh.cli.fail(("--%s: %q is not a %s"):format(name, item, integer and "whole number" or "number")) end
    t[#t + 1] = v
  end
  return t
end
local PITCHES, XIS, WIDTHS, SEEDS = list("pitches"), list("xis"), list("widths"), list("seeds", true)
for _, p in ipairs(PITCHES) do
  if not (p > 0 and p <= 1e-4) then mh.cli.fail(("--pitches: %g m is outside (0, 1e-4]"):format(p)) end
  if 0.2 * p < opts.cell then mh.cli.fail(("--pitches: %g m gives %g m pads, less than two %g m cells"):format(p, 0.4 * p, opts.cell)) end
end
for _, w in ipairs(WIDTHS) do
  if not (w > 0 and w <= 1e-6) then mh.cli.fail(("--widths: %g s is outside (0, 1e-6]"):format(w)) end
end
for _, x in ipairs(XIS) do
  if not (x >= 0 and x <= 10) then mh.cli.fail(("--xis: %g is outside [0, 10]"):format(x)) end
end
local EPOCHS, TESTS = math.tointeger(opts.epochs), math.tointeger(opts.tests)
if not EPOCHS or EPOCHS < 1 then mh.cli.fail("--epochs: integer >= 1 expected") end
if not TESTS or TESTS < 1 then mh.cli.fail("--tests: integer >= 1 expected") end
local ok_set, pats = pcall(mh.patterns.set, opts.set)
if not ok_set or #pats < 2 or #pats[1] ~= 35 then mh.cli.fail(("--set %s: two or more 5x7 letters or digits expected"):format(opts.set)) end
local function flips(name)
  local ok, v = pcall(mh.metrics.parse_flips, opts[name], 35)
  if not ok then mh.cli.fail(("--%s: %s"):format(name:gsub("_", "-"), (tostring(v):gsub("^.-parse_flips: ", "")))) end
  return v
end
local FLIPS, HARD = flips("flips"), flips("hard_flips")

-- Trained conductances per (pitch, width), kept for this process: G after
-- the last epoch and the saturated reference G1T.
local trained = {}
local function train(pitch, width)
  local key = ("%.17g|%.17g"):format(pitch, width)
  if not trained[key] then
    local dev = mh.twin.new {nodes = 35, preset = "paper", geometry = "wide", pitch = pitch, pad = 0.4 * pitch,
                             cell = opts.cell, width = width, peak_H = opts.drive * OE}
    for _ = 1, EPOCHS do for _, x in ipairs(pats) do dev:pulse(x, 1) end end
    trained[key] = {G = dev:conductance(), G1 = dev:reference(), cells = select(7, dev.film:shape())}
  end
  return trained[key]
end

local function evaluate(w, set)
  return mh.metrics.evaluate(mh.metrics.recall_of(w, {mode = "sync"}), pats, set)
end

mh.io.mkdir(opts.out)
local results = opts.out .. "/phase.txt"
local show_progress = nil -- default: when stderr is a terminal
if opts.quiet then show_progress = false end
local rows = mh.sweep.run {
  params = {pitch = PITCHES, width = WIDTHS, xi = XIS}, seeds = SEEDS, out = results, progress = show_progress,
  units = {pitch = "m", width = "s"},
  -- one twin is trained per (pitch, width): keep those tasks on one rank so
  -- no rank trains a device another rank already has
  group = {"pitch", "width"},
  run = function(p)
    local t = train(p.pitch, p.width)
    local w = t.G - t.G1 * p.xi
    for i = 1, 35 do w:set(i, i, 0) end
    local e = evaluate(w, mh.metrics.test_set(pats, FLIPS, TESTS, p.seed))
    local h = evaluate(w, mh.metrics.test_set(pats, HARD, TESTS, p.seed))
    local nr = mh.metrics.evaluate(nil, pats, mh.metrics.test_set(pats, HARD, TESTS, p.seed))
    return {accuracy = e.accuracy, exact = e.exact, hamming = e.hamming, hamming_input = e.hamming_input,
            hard_accuracy = h.accuracy, hard_exact = h.exact, hard_hamming = h.hamming,
            hard_hamming_input = h.hamming_input, hard_accuracy_no_recall = nr.accuracy, cells = t.cells}
  end,
}

-- heat maps on rank 0: rows = pitch, columns = xi (first width, first seed)
if mh.mpi.rank() == 0 then
  local function cell_value(pitch, xi, col)
    for _, r in ipairs(rows) do
      if r.pitch == pitch and r.xi == xi and r.width == WIDTHS[1] and r.seed == SEEDS[1] and r.status == "ok" then
        return r[col]
      end
    end
    return 0 / 0
  end
  local rl, cl = {}, {}
  for i, p in ipairs(PITCHES) do rl[i] = ("%g um"):format(p * 1e6) end
  for j, x in ipairs(XIS) do cl[j] = ("%g"):format(x) end
  local pngs = {}
  for _, col in ipairs {"accuracy", "exact", "hard_accuracy"} do
    local m = {}
    for i, p in ipairs(PITCHES) do
      m[i] = {}
      for j, x in ipairs(XIS) do m[i][j] = cell_value(p, x, col) end
    end
    local png = opts.out .. "/phase_" .. col .. ".png"
    local ok, err = mh.plot.heatmap {png = png, matrix = m, row_labels = rl, col_labels = cl,
      width = math.max(560, 120 + 70 * #XIS), height = math.max(360, 160 + 60 * #PITCHES),
      title = ("%s %s after %d epochs (width %g ns)"):format(opts.set, col:gsub("_", " "), EPOCHS, WIDTHS[1] * 1e9),
      xlabel = "xi", ylabel = "pad pitch"}
    if not ok then io.stderr:write("plot skipped: " .. tostring(err) .. "\n") else pngs[#pngs + 1] = png end
  end
  local best
  for _, r in ipairs(rows) do
    if r.status == "ok" and (not best or r.accuracy > best.accuracy or (r.accuracy == best.accuracy and r.exact > best.exact)) then best = r end
  end
  mh.cli.summary {{"points", #rows}, {"table", results}, {"pngs", #pngs},
    {"best_pitch", best and ("%g"):format(best.pitch) or "n/a"}, {"best_xi", best and ("%g"):format(best.xi) or "n/a"},
    {"best_accuracy", best and ("%.3f"):format(best.accuracy) or "n/a"},
    {"best_exact", best and ("%.3f"):format(best.exact) or "n/a"}}
end
