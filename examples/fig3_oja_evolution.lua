-- Fig. 3a/b and SI Fig. S1: evolution of the conductance matrix under pulses.
-- Usage: build/bin/maghop examples/fig3_oja_evolution.lua [--model compact|twin] [--pulses 60]
--          [--s1-pulses 60] [--width 5e-9] [--quick] [--quiet] [--resume] [--out out/fig3]
-- Start: the texture saturated with "+-+-" (Eq. (1) for the compact model;
-- `prep` pulses of "+-+-" from a uniform film for the twin). Then "++--":
-- G12, G34 rise, G13, G24 fall, G14, G23 stay. SI Fig. S1: a texture set by
-- "+++-" switched to "+-++": |G14|, |G34| fall and |G12|, |G23| rise.
-- The twin run is then fitted with the compact model (eta, alpha, Gavg).
-- Ctrl-C saves a checkpoint (after the last whole pulse); --resume continues it.
local mh = require "maghop"

local opts = mh.cli.parse({model = "compact", pulses = 60, s1_pulses = 0, prep = 20, width = 5e-9,
                           quick = false, quiet = false, out = "out/fig3", resume = false, interrupt_at = 0}, {
  model = "device model: compact (Eq. 2) or twin (micromagnetic)", pulses = "pulses of \"++--\" (Fig. 3a/b)",
  s1_pulses = "pulses of \"+-++\" for SI Fig. S1; 0 picks 30 (twin) or --pulses (compact)",
  prep = "twin: pulses of \"+-+-\" that prepare the start texture", width = {"twin: pulse width", "s"},
  quick = "short run (at most 40 pulses, 20 for S1)", quiet = "no progress line", out = "output folder",
  resume = "continue from the checkpoint in --out",
  interrupt_at = "act as if Ctrl-C came after this many pulses (0: never; for tests)"})
local TWIN = opts.model == "twin"
if opts.s1_pulses == 0 then opts.s1_pulses = TWIN and 30 or opts.pulses end
if opts.quick then
  opts.pulses, opts.s1_pulses, opts.prep = math.min(opts.pulses, 40), math.min(opts.s1_pulses, 20), math.min(opts.prep, 20)
end
local NP, NS1, NPREP = math.tointeger(opts.pulses), math.tointeger(opts.s1_pulses), math.tointeger(opts.prep)
local P = mh.hopfield.parse
local PAIRS = {{1, 2}, {1, 3}, {1, 4}, {2, 3}, {2, 4}, {3, 4}}
local HEADER = {{"pulse", ""}, {"G12", "S"}, {"G13", "S"}, {"G14", "S"}, {"G23", "S"}, {"G24", "S"}, {"G34", "S"}}

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

-- The run as phases of pulses; rows.<key> collects G after each pulse
-- (pulse numbers continue from the key's last row). S1: the compact model
-- starts from Eq. (1) on a second device; the twin continues its texture.
local phases = {}
if TWIN then -- saturate with "+-+-" first, recording G (the fit needs a pattern switch)
  phases[1] = {dev = "main", x = "+-+-", n = NPREP, rows = "prep", first = -NPREP}
end
phases[#phases + 1] = {dev = "main", x = "++--", n = NP, rows = "main", first = 0, snap = TWIN}
phases[#phases + 1] = {dev = TWIN and "main" or "s1", x = "+++-", n = NS1, rows = "s1", first = 0}
phases[#phases + 1] = {dev = TWIN and "main" or "s1", x = "+-++", n = NS1, rows = "s1"}

local devs = {main = new_device(), s1 = not TWIN and new_device() or nil}
local dev = devs.main
local st = {phase = 1, done = 0, pulses = 0, rows = {prep = {}, main = {}, s1 = {}}, snaps = {}}
-- every option that changes the results; a resume must match them all
local run_options = {model = opts.model, pulses = NP, s1_pulses = NS1, prep = NPREP, width = opts.width,
                     quick = opts.quick}
local ckpt_path = ("%s/checkpoint_fig3_%s.ckpt"):format(opts.out, opts.model)
local state_file -- twin: the OVF named by the last saved checkpoint

local function save_checkpoint()
  local devices = {}
  for name, d in pairs(devs) do
    if TWIN then
      devices[name] = d:save_state(("%s/checkpoint_fig3_twin_p%05d"):format(opts.out, st.pulses))
    else
      devices[name] = {G = d:conductance():totable()}
    end
  end
  mh.checkpoint.save(ckpt_path, {options = run_options, phase = st.phase, done = st.done, pulses = st.pulses,
                                 rows = st.rows, snaps = st.snaps, devices = devices})
  -- the previous state file goes only once a checkpoint names the new one
  if TWIN and state_file and state_file ~= devices.main.ovf then os.remove(state_file) end
  state_file = TWIN and devices.main.ovf or nil
end

if opts.resume then
  local ck, err = mh.checkpoint.load(ckpt_path)
  if not ck then mh.cli.fail("--resume: " .. tostring(err)) end
  local differ = mh.checkpoint.mismatch(ck.options, run_options)
  if differ then mh.cli.fail("--resume: " .. ckpt_path .. " belongs to another run: " .. differ) end
  local ph = math.type(ck.phase) == "integer" and (phases[ck.phase] or ck.phase == #phases + 1 and {n = 0, rows = "s1"})
  if not ph or math.type(ck.done) ~= "integer" or ck.done < 0 or ck.done > ph.n or type(ck.rows) ~= "table"
     or type(ck.rows[ph.rows]) ~= "table" or type(ck.devices) ~= "table" or type(ck.snaps) ~= "table" then
    mh.cli.fail(("--resume: %s is inconsistent (phase %s of 1..%d, %s pulses done)"):format(
      ckpt_path, tostring(ck.phase), #phases, tostring(ck.done)))
  end
  for name, d in pairs(devs) do
    if type(ck.devices[name]) ~= "table" then mh.cli.fail("--resume: " .. ckpt_path .. " lacks device " .. name) end
    if TWIN then d:load_state(ck.devices[name]) else d:set_conductance(ck.devices[name].G) end
  end
  st = {phase = ck.phase, done = ck.done, pulses = ck.pulses, rows = ck.rows, snaps = ck.snaps}
  state_file = TWIN and ck.devices.main.ovf or nil
  if not opts.quiet then io.stderr:write(("resuming after %d pulses\n"):format(ck.pulses)) end
end
-- outputs appear under their names together, once all are written
local out = mh.io.staged(opts.out, opts.resume)

local function snapshot(k)
  if k == 0 or k == NP or k == NP // 6 or k == NP // 2 then
    st.snaps[#st.snaps + 1] = select(2, dev:snapshot(out.path(("twin_pulse%03d"):format(k)),
      ("after %d pulses of ++--"):format(k)))
  end
end

-- a checkpoint is saved after every whole pulse, so Ctrl-C (which may
-- land inside a pulse) keeps that one and saves nothing newer
mh.checkpoint.guard(function()
  while st.phase <= #phases do
    local i, ph = st.phase, phases[st.phase]
    local d, rows = devs[ph.dev], st.rows[ph.rows]
    if ph.first and #rows == 0 then
      rows[1] = row(ph.first, d)
      if ph.snap then snapshot(0) end
    end
    local progress = mh.cli.progress(("%s %s"):format(opts.model, ph.x), ph.n, {quiet = opts.quiet})
    for k = st.done + 1, ph.n do
      d:pulse(P(ph.x), 1)
      rows[#rows + 1] = row(rows[#rows][1] + 1, d)
      if ph.snap then snapshot(k) end
      st.done, st.pulses = k, st.pulses + 1
      if k == ph.n then st.phase, st.done = i + 1, 0 end
      save_checkpoint()
      progress(k)
      if st.pulses == opts.interrupt_at then error("interrupted!") end
    end
    progress.finish()
    if st.phase == i then st.phase, st.done = i + 1, 0 end -- a phase of 0 pulses
  end
end, function() end)
local prep_rows, rows, rows_s1 = st.rows.prep, st.rows.main, st.rows.s1
local snaps = st.snaps
local tab = mh.io.write_table(out.path(opts.model .. ".txt"), HEADER, rows)
local tab_s1 = mh.io.write_table(out.path(opts.model .. "_s1.txt"), HEADER, rows_s1)

local cols = {"G12", "G13", "G14", "G23", "G24", "G34"}
mh.plot.lines {table = tab, png = out.path(opts.model .. ".png"), columns = cols, points = TWIN,
  title = "Conductance under \"++--\" pulses from the \"+-+-\" state (" .. opts.model .. " model)",
  xlabel = "pulse", ylabel = "G_{ij} (S)"}
mh.plot.lines {table = tab_s1, png = out.path(opts.model .. "_s1.png"), columns = cols, points = TWIN,
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
  mh.io.write_table(out.path("twin_fit.txt"), {"parameter ()", "fitted ()", "std_error ()", "paper ()"}, fit_rows)
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
out.commit()
mh.cli.summary(summary)
