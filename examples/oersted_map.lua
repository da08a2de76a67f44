-- Write physics on the 4-node device: Au-sheet potential, sheet current |K|
-- and the Oersted field H in the Py film for the "+-+-" and "++--" patterns
-- (the paper's Fig. 3 write patterns), drive calibrated to a target peak
-- |H| (the paper's ~20 Oe) or given as volts with a series resistance.
-- Usage: build/bin/maghop examples/oersted_map.lua [--n 128] [--peak_oe 20] [--volts 0] [--series_ohm 0] [--out out/oersted_map]
local mh = require "maghop"

local opts = mh.cli.parse({n = 128, size_nm = 1000, pitch_nm = 440, pad_nm = 160, peak_oe = 20,
                           volts = 0, series_ohm = 0, au_sigma = 4.1e7, au_nm = 50, offset_nm = 55,
                           out = "out/oersted_map"}, {
  n = "cells per side", size_nm = {"disk diameter", "nm"}, pitch_nm = {"pad pitch", "nm"},
  pad_nm = {"pad size", "nm"}, peak_oe = {"target peak |H| when --volts is 0", "Oe"},
  volts = {"pad voltage (0: calibrate to --peak-oe instead)", "V"},
  series_ohm = {"series resistance of each pad (0: none)", "ohm"}, au_sigma = {"Au conductivity", "S/m"},
  au_nm = {"Au sheet thickness", "nm"}, offset_nm = {"Au-to-Py distance", "nm"}, out = "output folder"})
local OE = 1e3 / (4 * math.pi) -- A/m per oersted
local n, L = opts.n, opts.size_nm * 1e-9

local film = mh.film{nx = n, ny = n, nz = 1, dx = L / n, dy = L / n, dz = 20e-9, shape = "disk", demag = false}
local el = mh.electrodes.grid{cols = 2, rows = 2, pitch = opts.pitch_nm * 1e-9, size = opts.pad_nm * 1e-9}

-- One PNG of side-by-side maps; panels = {{title=, value = function(i, j)}}.
local function maps(png, title, panels)
  local s = {("set terminal pngcairo size %d,420 enhanced font 'sans,10'\nset output '%s'\n"):format(400 * #panels, png),
             "unset key\nset size ratio -1\nset xrange [0:*]\nset yrange [0:*]\nset xlabel 'x (nm)'\nset ylabel 'y (nm)'\n",
             "set palette defined (0 '#0d0887', 0.25 '#7e03a8', 0.5 '#cc4778', 0.75 '#f89540', 1 '#f0f921')\n",
             ("set multiplot layout 1,%d title '%s'\n"):format(#panels, title)}
  local h = L / n * 1e9
  for _, p in ipairs(panels) do
    s[#s + 1] = ("set title '%s'\n$d << EOD\n"):format(p.title)
    for j = 1, n do
      local row = {}
      for i = 1, n do row[i] = ("%.6g"):format(p.value(i, j)) end
      s[#s + 1] = table.concat(row, " ") .. "\n"
    end
    s[#s + 1] = ("EOD\nplot $d matrix using (($1+0.5)*%g):(($2+0.5)*%g):3 with image\n"):format(h, h)
  end
  s[#s + 1] = "unset multiplot\n"
  mh.io.mkdir(opts.out)
  return mh.plot.gnuplot(table.concat(s))
end

local cut, peak = {}, 0
local results = {}
for _, pat in ipairs({"+-+-", "++--"}) do
  local args = {film = film, electrodes = el, volts = pat, sigma = opts.au_sigma, thickness = opts.au_nm * 1e-9,
                offset = opts.offset_nm * 1e-9}
  if opts.volts > 0 then
    args.volts = mh.electrodes.pattern(pat, opts.volts)
    if opts.series_ohm > 0 then args.series_resistance = opts.series_ohm end
  else
    args.target_peak_H = opts.peak_oe * OE
  end
  local r = assert(mh.oersted.solve(args))
  results[pat] = r
  peak = math.max(peak, r.peak_H)
  local I = {}
  for k = 1, 4 do I[k] = ("%+.3f mA"):format(1e3 * r.I:get(k, 1)) end
  print(("%s  pad volts %+.4f %+.4f %+.4f %+.4f V  currents %s  peak |H| = %.2f Oe"):format(pat,
    r.pad_volts:get(1, 1), r.pad_volts:get(2, 1), r.pad_volts:get(3, 1), r.pad_volts:get(4, 1),
    table.concat(I, " "), r.peak_H / OE))
  local tag = pat:gsub("%+", "p"):gsub("%-", "m")
  local ok, err = maps(opts.out .. "/" .. tag .. ".png", "Au write pattern " .. pat, {
    {title = "phi (V)", value = function(i, j) return r.phi:get(i, j, 1) end},
    {title = "|K| (A/m)", value = function(i, j) local kx, ky = r.K:get(i, j, 1) return math.sqrt(kx * kx + ky * ky) end},
    {title = "|H in plane| in Py (Oe)", value = function(i, j) local hx, hy = r.H:get(i, j, 1) return math.sqrt(hx * hx + hy * hy) / OE end},
    {title = "H_z in Py (Oe)", value = function(i, j) local _, _, hz = r.H:get(i, j, 1) return hz / OE end},
  })
  if not ok then print("figure skipped: " .. tostring(err)) end
  for i = 1, n do
    local hx, hy, hz = r.H:get(i, n // 2, 1)
    cut[i] = cut[i] or {(i - 0.5) * L / n}
    local row = cut[i]
    row[#row + 1], row[#row + 2], row[#row + 3] = hx, hy, hz
  end
end
mh.io.write_table(opts.out .. "/H_cut_mid.txt", {"x (m)", "pmpm_Hx (A/m)", "pmpm_Hy (A/m)", "pmpm_Hz (A/m)",
                                                 "ppmm_Hx (A/m)", "ppmm_Hy (A/m)", "ppmm_Hz (A/m)"}, cut)
-- "+-+-" drives horizontal paths (1-2, 3-4), "++--" vertical ones (1-3, 2-4)
local a, b = results["+-+-"].I, results["++--"].I
print(("peak_H_Oe=%.3f pmpm_I1_mA=%.4f ppmm_I1_mA=%.4f out=%s"):format(peak / OE, 1e3 * a:get(1, 1), 1e3 * b:get(1, 1), opts.out))
