-- muMAG standard problem #4: a 500 x 125 x 3 nm permalloy slab, relaxed
-- S-state, switched by field 1 (-24.6, 4.3, 0) mT or field 2 (-35.5, -6.3, 0) mT.
-- Usage: build/bin/maghop examples/stdprob4.lua [--quick] [--t-ns 1] [--start FILE.omf] [--out out/stdprob4] [--quiet]
--          [--resume]
-- Grids: 200x50x1 cells of 2.5x2.5x3 nm (started from an OOMMF-written start
-- state, --start, when that file exists, else our own relaxed S-state) and
-- 128x32x1 (own S-state); --quick runs only a 100x25 grid. Writes per grid and
-- field t, mx, my, mz every 1 ps as a MuMax3-style table (field1.txt /
-- field2.txt for 2.5 nm: "# t (s)\tmx ()\tmy ()\tmz ()", tab-separated), PNG plots,
-- a colour-wheel snapshot of m at the first zero crossing of <mx>, and compares
-- field 1 with the published OOMMF result. Ctrl-C keeps the fields already
-- finished in a checkpoint; --resume runs only the rest.
local mh = require "maghop"

local opts = mh.cli.parse({quick = false, t_ns = 1.0, out = "out/stdprob4", quiet = false, resume = false,
  interrupt_after = 0,
  start = "../shared/data/stdprob4/stdprob4-cs2.50x2.50x3.00-start.omf"}, {
  quick = "only a 100x25 grid", t_ns = {"simulated time per field", "ns"}, out = "output folder",
  quiet = "no progress line", start = "OOMMF start state (OVF/OMF) for the 2.5 nm grid; own S-state if absent",
  resume = "continue from the checkpoint in --out (finished fields are kept)",
  interrupt_after = "act as if Ctrl-C came after this many fields (0: never; for tests)"})

local MU0 = 1.25663706212e-6
local LX, LY, LZ = 500e-9, 125e-9, 3e-9
local MAT = {Ms = 8e5, A = 1.3e-11, alpha = 0.02, gamma = 2.211e5, demag = true}
local FIELDS = {
  field1 = {-24.6e-3 / MU0, 4.3e-3 / MU0, 0},
  field2 = {-35.5e-3 / MU0, -6.3e-3 / MU0, 0},
}
local START_OMF = opts.start
-- Published OOMMF result for field 1, 2.5 nm cells (muMAG).
local REF = {zero_ns = 0.1385, min_mx = -0.8536, min_ns = 0.213, m1ns = {-0.9845, 0.1275, 0.0432}}
local SAMPLE = 1e-12

local grids
if opts.quick then
  grids = {{nx = 100, ny = 25, tag = "100x25", prefix = "quick_"}}
else
  grids = {{nx = 200, ny = 50, tag = "200x50", prefix = "", omf = START_OMF},
           {nx = 128, ny = 32, tag = "128x32", prefix = "g128x32_"}}
end

local function new_film(g)
  local o = {nx = g.nx, ny = g.ny, nz = 1, dx = LX / g.nx, dy = LY / g.ny, dz = LZ}
  for k, v in pairs(MAT) do o[k] = v end
  return mh.film(o)
end

-- Start state: the OOMMF file where it applies, else minimize from a tilted
-- uniform state (which falls into the S-state) and confirm with relax.
local function start_state(g)
  local f = new_film(g)
  if g.omf and mh.io.exists(g.omf) then
    local ok, err = f:load_ovf(g.omf)
    if ok then return f, "oommf-file" end
    io.stderr:write("cannot use " .. g.omf .. ": " .. tostring(err) .. "; relaxing instead\n")
  end
  f:set_uniform(1, 0.25, 0.1)
  assert(f:minimize{torque = 0.5, max_iter = 200000})
  assert(f:relax{torque = 0.5})
  return f, "relaxed"
end

local function snapshot_png(m, path, title)
  local nx, ny = m:shape()
  local dx = LX / nx * 1e9
  local lines = {}
  for j = 1, ny do
    for i = 1, nx do
      local r, g, b = mh.plot.wheel_rgb(m:get(i, j))
      lines[#lines + 1] = ("%g %g %d %d %d"):format((i - 0.5) * dx, (j - 0.5) * dx, r, g, b)
    end
  end
  mh.io.mkdir(mh.io.dirname(path))
  local script = table.concat({
    ("set terminal pngcairo size 1000,330 font 'sans,10'"),
    "set output " .. mh.plot.quote(path),
    "set title " .. mh.plot.quote(title),
    "set size ratio -1", "unset key", "set xlabel 'x (nm)'", "set ylabel 'y (nm)'",
    ("set xrange [0:%g]"):format(LX * 1e9), ("set yrange [0:%g]"):format(LY * 1e9),
    "$d << EOD", table.concat(lines, "\n"), "EOD",
    "plot $d using 1:2:3:4:5 with rgbimage", ""}, "\n")
  return mh.plot.gnuplot(script)
end

local out -- the staged output set (made below, once --resume is known)

-- Run one field from the start state; returns the result table.
local function run_field(g, start_m, fname)
  local f = new_film(g)
  f:set_m_field(start_m)
  f:set_field(FIELDS[fname])
  local rows = {{0, f:avg()}}
  local zero, snap
  local total = opts.t_ns * 1e-9
  local prog = mh.cli.progress(("%s %s"):format(g.tag, fname), total, {quiet = opts.quiet})
  local t0 = mh.wtime()
  local steps, rej = f:run(total, {every = SAMPLE, on_step = function(ff, t)
    local mx, my, mz = ff:avg()
    local prev = rows[#rows]
    rows[#rows + 1] = {t, mx, my, mz}
    if not zero and prev[2] > 0 and mx <= 0 then
      zero = prev[1] + (t - prev[1]) * prev[2] / (prev[2] - mx)
      snap = ff:m()
    end
    prog(t)
  end})
  prog.finish()
  local wall = mh.wtime() - t0
  assert(steps, rej)
  -- first local minimum of <mx> after the zero crossing (parabolic refinement)
  local min_mx, min_t
  for k = 2, #rows - 1 do
    local a, b, c = rows[k - 1][2], rows[k][2], rows[k + 1][2]
    if zero and rows[k][1] > zero and b < a and b <= c then
      local den = a - 2 * b + c
      local s = den > 0 and 0.5 * (a - c) / den or 0
      min_t = rows[k][1] + s * SAMPLE
      min_mx = b - 0.25 * (a - c) * s
      break
    end
  end
  local txt = out.path(("%s%s.txt"):format(g.prefix, fname))
  assert(mh.io.write_table(txt, {{"t", "s"}, {"mx", ""}, {"my", ""}, {"mz", ""}}, rows))
  mh.plot.lines{table = txt, png = txt:gsub("%.txt$", ".png"), columns = {"mx", "my", "mz"},
                title = ("SP4 %s, %s cells"):format(fname, g.tag), xlabel = "t (s)", ylabel = "<m>"}
  if snap then
    snapshot_png(snap, out.path(("%s%s_zero.png"):format(g.prefix, fname)),
                 ("%s at <mx> = 0 (t = %.4f ns); hue = in-plane angle, light = +mz"):format(fname, zero * 1e9))
  end
  local st = f:stats()
  local last = rows[#rows]
  return {zero_ns = zero and zero * 1e9, min_mx = min_mx, min_ns = min_t and min_t * 1e9,
          m_end = {last[2], last[3], last[4]}, steps = steps, rejected = rej, wall = wall,
          evals = st.evals, cells = g.nx * g.ny}
end

local function fmt(v, p) return v and (("%." .. (p or 4) .. "f"):format(v)) or "none" end

-- Checkpoint: the results of every finished (grid, field); a resumed run
-- repeats only the others (a field takes seconds, its outputs are staged).
local ckpt_path = opts.out .. "/checkpoint_stdprob4.ckpt"
local run_options = {quick = opts.quick, t_ns = opts.t_ns, start = opts.start}
local done = {}
if opts.resume then
  local ck, err = mh.checkpoint.load(ckpt_path)
  if not ck then mh.cli.fail("--resume: " .. tostring(err)) end
  local differ = mh.checkpoint.mismatch(ck.options, run_options)
  if differ then mh.cli.fail("--resume: " .. ckpt_path .. " belongs to another run: " .. differ) end
  if type(ck.done) ~= "table" then mh.cli.fail("--resume: " .. ckpt_path .. " has no 'done' table") end
  done = ck.done
end
out = mh.io.staged(opts.out, opts.resume)
local finished = 0

local summary, main = {}, nil
mh.checkpoint.guard(function()
for gi, g in ipairs(grids) do
  local res = done[g.prefix .. "grid"] or {}
  done[g.prefix .. "grid"] = res
  local start_m
  for _, fname in ipairs({"field1", "field2"}) do
    if not res[fname] and not start_m then
      local f, how = start_state(g)
      local mx, my, mz = f:avg()
      print(("%s: start %s, <m> = (%.4f, %.4f, %.4f)"):format(g.tag, how, mx, my, mz))
      start_m = f:m()
      f:close()
    end
  end
  for _, fname in ipairs({"field1", "field2"}) do
    local r = res[fname] or run_field(g, start_m, fname)
    if not res[fname] then
      res[fname] = r
      mh.checkpoint.save(ckpt_path, {options = run_options, done = done})
      finished = finished + 1
      if finished == opts.interrupt_after then error("interrupted!") end
    end
    print(("%s %s: zero %s ns, first min %s at %s ns, <m>(%g ns) = (%.4f, %.4f, %.4f), %d steps (%d rejected), %.1f s wall, %.3g cell-evals/s")
      :format(g.tag, fname, fmt(r.zero_ns), fmt(r.min_mx), fmt(r.min_ns), opts.t_ns, r.m_end[1], r.m_end[2],
              r.m_end[3], r.steps, r.rejected, r.wall, r.evals * r.cells / r.wall))
  end
  if gi == 1 then main = res end
  summary[#summary + 1] = {g.tag, res}
end
end, function() end) -- the checkpoint already holds every finished field
out.commit()

-- Comparison with the published OOMMF numbers (field 1, 2.5 nm cells).
local r1 = main.field1
local dzero_ps = r1.zero_ns and (r1.zero_ns - REF.zero_ns) * 1e3
local dmin = r1.min_mx and (r1.min_mx - REF.min_mx)
local dmin_ps = r1.min_ns and (r1.min_ns - REF.min_ns) * 1e3
local dend = 0
for q = 1, 3 do dend = math.max(dend, math.abs(r1.m_end[q] - REF.m1ns[q])) end
local agree = dzero_ps and math.abs(dzero_ps) <= 2 and dmin and math.abs(dmin) <= 0.01 and
              (opts.t_ns ~= 1 or dend <= 0.01)
print(("OOMMF field 1 (2.5 nm): zero 0.1385 ns, min -0.8536 at 0.213 ns, <m>(1 ns) = (-0.9845, 0.1275, 0.0432); " ..
       "ours (%s): zero %+.2f ps, min %+.4f at %+.1f ps, <m>(%g ns) max|diff| %.4f -> %s"):format(
  grids[1].tag, dzero_ps or 0 / 0, dmin or 0 / 0, dmin_ps or 0 / 0, opts.t_ns, dend,
  opts.quick and "quick grid (not comparable)" or (agree and "agree (2 ps, 0.01)" or "DISAGREE")))

local kv = {{"field1_zero_ns", fmt(main.field1.zero_ns)}, {"field1_min_mx", fmt(main.field1.min_mx)},
            {"field2_zero_ns", fmt(main.field2.zero_ns)}, {"field2_min_mx", fmt(main.field2.min_mx)}}
for k = 2, #summary do
  local tag, res = summary[k][1], summary[k][2]
  kv[#kv + 1] = {tag .. "_field1_zero_ns", fmt(res.field1.zero_ns)}
  kv[#kv + 1] = {tag .. "_field1_min_mx", fmt(res.field1.min_mx)}
end
kv[#kv + 1] = {"grid", grids[1].tag}
kv[#kv + 1] = {"oommf_agree", opts.quick and "n/a" or tostring(agree)}
mh.cli.summary(kv)
