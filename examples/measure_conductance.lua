-- Paper Methods, "Determining the conductance matrix": write a texture with
-- the "+-+-" Au pattern (Oersted field from the Au sheet, LLG without demag
-- as in the paper's model), then measure the Py film with the seven wiring
-- geometries (current source into the "+" group, lock-in voltage between
-- the groups), reconstruct G from six of them and predict the seventh.
-- Usage: build/bin/maghop examples/measure_conductance.lua [--write_ns 3] [--noise 0.002] [--out out/measure_conductance]
local mh = require "maghop"

local opts = mh.cli.parse({n = 64, size_nm = 1000, pitch_nm = 440, pad_nm = 160, write_ns = 3,
                           peak_oe = 20, amr_ratio = 0.02, noise = 0.002, seed = 1, current_mA = 1,
                           out = "out/measure_conductance"}, {
  n = "cells per side", size_nm = {"disk diameter", "nm"}, pitch_nm = {"pad pitch", "nm"},
  pad_nm = {"pad size", "nm"}, write_ns = {"length of the \"+-+-\" write (0: no write)", "ns"},
  peak_oe = {"peak Oersted field of the write", "Oe"}, amr_ratio = "AMR ratio (rho_par - rho_perp) / rho_perp",
  noise = "relative noise of each measured voltage", seed = "seed of the noise",
  current_mA = {"source current", "mA"}, out = "output folder"})
local OE = 1e3 / (4 * math.pi)
local n, L = opts.n, opts.size_nm * 1e-9

local film = mh.film{nx = n, ny = n, nz = 1, dx = L / n, dy = L / n, dz = 20e-9, shape = "disk",
                     demag = false, alpha = 0.3, Ku = -21.6}
film:set_m(function(x, y)
  local a = math.atan(y - L / 2 + 1e-10, x - L / 2 + 2e-10)
  return -math.sin(a), math.cos(a), 0
end)
local el = mh.electrodes.grid{cols = 2, rows = 2, pitch = opts.pitch_nm * 1e-9, size = opts.pad_nm * 1e-9}

if opts.write_ns > 0 then
  local w = assert(mh.oersted.solve{film = film, electrodes = el, volts = "+-+-", target_peak_H = opts.peak_oe * OE})
  film:set_field_map(w.H)
  film:run(opts.write_ns * 1e-9, {solver = "rk45"})
  film:set_field_map(nil)
  print(("wrote '+-+-' for %g ns at %g Oe peak"):format(opts.write_ns, opts.peak_oe))
end

local mopts = {amr_ratio = opts.amr_ratio, current = opts.current_mA * 1e-3}
local exact = assert(mh.amr.measure_all(film, el, mopts))
mopts.noise, mopts.seed = opts.noise, opts.seed
local noisy = assert(mh.amr.measure_all(film, el, mopts))

local rows = {}
for k, m in ipairs(noisy.measurements) do
  local pred = mh.amr.predict_V(noisy.G, m)
  rows[#rows + 1] = {k, m.wiring, m.I, exact.measurements[k].V, m.V, pred, k == noisy.held_out and 1 or 0}
  print(("wiring %d %s  I = %.3g A  V = %.6g V (with noise %.6g V)  G-predicted %.6g V%s"):format(
    k, m.wiring, m.I, exact.measurements[k].V, m.V, pred, k == noisy.held_out and "  <- held out" or ""))
end
mh.io.write_table(opts.out .. "/wirings.txt",
  {"k ()", "wiring ()", "I (A)", "V_exact (V)", "V_measured (V)", "V_predicted (V)", "held_out ()"}, rows)

local Grows = {}
for i = 1, 4 do
  Grows[i] = {i}
  for j = 1, 4 do Grows[i][#Grows[i] + 1] = noisy.G:get(i, j) end
  for j = 1, 4 do Grows[i][#Grows[i] + 1] = exact.G_direct:get(i, j) end
end
mh.io.write_table(opts.out .. "/G.txt", {"row ()", "G1_meas (S)", "G2_meas (S)", "G3_meas (S)", "G4_meas (S)",
                                        "G1_direct (S)", "G2_direct (S)", "G3_direct (S)", "G4_direct (S)"}, Grows)
print("G reconstructed from six noisy wirings (S):")
print(noisy.G)
print("G from the direct conductance solve (S):")
print(exact.G_direct)
print(("residual_7th=%.3e residual_7th_exact=%.1e noise=%g G12=%.5f G13=%.5f G14=%.5f out=%s"):format(
  noisy.residual, exact.residual, opts.noise, exact.G_direct:get(1, 2), exact.G_direct:get(1, 3),
  exact.G_direct:get(1, 4), opts.out))
