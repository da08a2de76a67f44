-- Fig. 3a/b and SI Fig. S1: evolution of the conductance matrix under pulses.
-- Usage: build/bin/maghop examples/fig3_oja_evolution.lua [--model compact|twin] [--pulses 60]
--          [--s1-pulses 60] [--width 5e-9] [--quick] [--quiet] [--out out/fig3]
-- Start: the texture saturated with "+-+-" (Eq. (1) for the compact model;
-- `prep` pulses of "+-+-" from a uniform film for the twin). Then "++--":
-- G12, G34 rise, G13, G24 fall, G14, G23 stay. SI Fig. S1: a texture set by
-- "+++-" switched to "+-++": |G14|, |G34| fall and |G12|, |G23| rise.
-- The twin run is then fitted with the compact model (eta, alpha, Gavg).
local mh = require "maghop"

local opts = mh.cli.parse({model = "compact", pulses = 60, s1_pulses = 0, prep = 20, width = 5e-9,
                           quick = false, quiet = false, out = "out/fig3"}, {
  model = "device model: compact (Eq. 2) or twin (micromagnetic)", pulses = "pulses of \"++--\" (Fig. 3a/b)",
  s1_pulses = "pulses of \"+-++\" for SI Fig. S1; 0 picks 30 (twin) or --pulses (compact)",
  prep = "twin: pulses of \"+-+-\" that prepare the start texture", width = {"twin: pulse width", "s"},
  quick = "short run (at most 40 pulses, 20 for S1)", quiet = "no progress line", out = "output folder"})
local TWIN = opts.model == "twin"
if opts.s1_pulses == 0 then opts.s1_pulses = TWIN and 30 or opts.pulses end
if opts.quick then
  opts.pulses, opts.s1_pulses, opts.prep = math.min(opts.pulses, 40), math.min(opts.s1_pulses, 20), math.min(opts.prep, 20)
end
local NP, NS1, NPREP = math.tointeger(opts.pulses), math.tointeger(opts.s1_pulses), math.tointeger(opts.prep)
local P = mh.hopfield.parse
local PAIRS = {{1, 2}, {1, 3}, {1, 4}, {2, 3}, {2, 4}, {3, 4}}
local HEADER = {"pulse", "G12", "G13", "G14", "G23", "G24", "G34"}

local function new_device()
  if opts.model == "compact" then return mh.compact.new() end
  if TWIN then
    return mh.twin.new {nodes = 4, preset = "paper", width = opts.width, init = false,
                        cell = opts.quick and 50e-9 or nil}
  end
  mh.cli.fail(("--model %s: accepted models: compact, twin"):format(opts.model))
end

local function row(pulse, dev)
  local G = dev:conductance():totable()
  local r = {pulse}
  for _, p in ipairs(PAIRS) do r[#r + 1] = G[p[1]][p[2]] end
  return r
end

-- Apply `n` pulses of x, appending G after each to rows (pulse numbers
-- continue from the last row); on_pulse(k) after each.
local function evolve(dev, rows, x, n, on_pulse)
  local progress = mh.cli.progress(("%s %s"):format(opts.model, mh.hopfield.label(x)), n, {quiet = opts.quiet})
  for k = 1, n do
    dev:pulse(x, 1)
    rows[#rows + 1] = row(rows[#rows][1] + 1, dev)
    if on_pulse then on_pulse(k) end
    progress(k)
  end
  progress.finish()
  return rows
end

local dev = new_device()
local prep_rows
if TWIN then -- saturate with "+-+-" first, recording G (the fit needs a pattern switch)
  prep_rows = evolve(dev, {row(-NPREP, dev)}, P("+-+-"), NPREP)
end
local rows = {row(0, dev)}
local snaps = {}
local function snapshot(k)
  if TWIN and (k == 0 or k == NP or k == NP // 6 or k == NP // 2) then
    snaps[#snaps + 1] = select(2, dev:snapshot(("%s/twin_pulse%03d"):format(opts.out, k),
      ("after %d pulses of ++--"):format(k)))
  end
end
snapshot(0)
evolve(dev, rows, P("++--"), NP, snapshot)
local csv = mh.io.write_csv(opts.out .. "/" .. opts.model .. ".csv", HEADER, rows)

-- S1: the compact model starts from Eq. (1); the twin continues its texture.
local dev_s1 = TWIN and dev or new_device()
local rows_s1 = {row(0, dev_s1)}
evolve(dev_s1, rows_s1, P("+++-"), NS1)
evolve(dev_s1, rows_s1, P("+-++"), NS1)
local csv_s1 = mh.io.write_csv(opts.out .. "/" .. opts.model .. "_s1.csv", HEADER, rows_s1)

local cols = {"G12", "G13", "G14", "G23", "G24", "G34"}
mh.plot.lines {csv = csv, png = opts.out .. "/" .. opts.model .. ".png", columns = cols, points = TWIN,
  title = "Conductance under \"++--\" pulses from the \"+-+-\" state (" .. opts.model .. " model)",
  xlabel = "pulse", ylabel = "G_{ij} (S)"}
mh.plot.lines {csv = csv_s1, png = opts.out .. "/" .. opts.model .. "_s1.png", columns = cols, points = TWIN,
  title = "\"+++-\" then \"+-++\" (SI Fig. S1, " .. opts.model .. ")", xlabel = "pulse", ylabel = "G_{ij} (S)",
  extra = ("set arrow from %d, graph 0 to %d, graph 1 nohead dt 2"):format(NS1, NS1)}

-- Observations of the paper, with a noise floor for the twin: the unchanged
-- pairs must move less than a fifth of the changing ones.
local G0, G1 = rows[1], rows[#rows]
local function d(k) return G1[k + 1] - G0[k + 1] end
local moving = math.min(math.abs(d(1)), math.abs(d(2)), math.abs(d(5)), math.abs(d(6)))
local still = math.max(math.abs(d(3)), math.abs(d(4)))
local trend_ok = d(1) > 0 and d(6) > 0 and d(2) < 0 and d(5) < 0 and still < 0.2 * moving
local A, B = rows_s1[NS1 + 1], rows_s1[#rows_s1]
local function dmag(k) return math.abs(B[k + 1]) - math.abs(A[k + 1]) end
local s1_ok = dmag(3) < 0 and dmag(6) < 0 and dmag(1) > 0 and dmag(4) > 0

local summary = {{"model", opts.model}, {"pulses", NP},
  {"dG12", ("%.4g"):format(d(1))}, {"dG13", ("%.4g"):format(d(2))}, {"dG14", ("%.2g"):format(d(3))},
  {"dG23", ("%.2g"):format(d(4))}, {"dG24", ("%.4g"):format(d(5))}, {"dG34", ("%.4g"):format(d(6))},
  {"diag_ratio", ("%.2f"):format(still / moving)}, {"trend_ok", trend_ok}, {"s1_ok", s1_ok}}

if TWIN then
  -- fit Eq. (2) to the twin's G(t): preparation ("+-+-") then "++--"
  local trace = {}
  for _, r in ipairs(prep_rows) do trace[#trace + 1] = r end
  for k = 2, #rows do trace[#trace + 1] = rows[k] end
  local fit = mh.compact.fit {rows = trace, schedule = function(p) return p <= 0 and P("+-+-") or P("++--") end}
  local fit_rows = {{"eta", fit.eta, fit.eta_err, 0.0006}}
  for _, ij in ipairs(PAIRS) do
    local i, j = ij[1], ij[2]
    local paper_alpha = (i + j == 5) and 277 or 111
    if fit.alpha[i][j] then
      fit_rows[#fit_rows + 1] = {("alpha%d%d"):format(i, j), fit.alpha[i][j], fit.alpha_err[i][j], paper_alpha}
      fit_rows[#fit_rows + 1] = {("Gavg%d%d"):format(i, j), fit.Gavg[i][j], fit.Gavg_err[i][j], ""}
    end
  end
  mh.io.write_csv(opts.out .. "/twin_fit.csv", {"parameter", "fitted", "std_error", "paper"}, fit_rows)
  if not opts.quiet then
    print(("compact fit of the twin (%d steps, rms %.3g S; not identified: %s):"):format(
      fit.steps, fit.rms, #fit.unidentified > 0 and table.concat(fit.unidentified, " ") or "none"))
    for _, r in ipairs(fit_rows) do
      print(("  %-8s %12.5g +- %-10.3g paper %s"):format(r[1], r[2], r[3], tostring(r[4])))
    end
  end
  summary[#summary + 1] = {"fit_eta", ("%.3g"):format(fit.eta)}
  local t = dev:timings()
  summary[#summary + 1] = {"llg_s", ("%.1f"):format(t.llg)}
  summary[#summary + 1] = {"amr_s", ("%.2f"):format(t.amr)}
  summary[#summary + 1] = {"snapshots", #snaps}
end
mh.cli.summary(summary)
