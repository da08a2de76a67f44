-- Fig. 4a-g: energy landscape of the 4-node network after training each of
-- the seven independent patterns (the other nine are their mirrors or trivial).
-- Usage: build/bin/maghop examples/fig4_energy_landscape.lua [--pulses 60] [--out out/fig4]
-- Each pattern is trained on a fresh device from Eq. (1); w = G - Gavg; the
-- energy E(s) = -sum_ij w_ij s_i s_j of all 16 states must be lowest at the
-- trained pattern or its mirror.
local mh = require "maghop"

local opts = mh.cli.parse({pulses = 60, out = "out/fig4", quiet = false},
  {pulses = "training pulses per pattern", out = "output folder", quiet = "no progress line"})
local N = 4

local patterns, header = {}, {{"state", ""}, {"label", ""}}
for k = 2, 8 do -- node 1 = '+', not "++++" (state 1): the seven independent patterns
  patterns[#patterns + 1] = mh.hopfield.state(k, N)
  header[#header + 1] = {"E_" .. mh.hopfield.label(patterns[#patterns]), "S"}
end

local energies, ok, panels = {}, 0, {}
for p, x in ipairs(patterns) do
  local dev = mh.compact.new()
  dev:pulse(x, opts.pulses)
  local net = mh.hopfield.new(dev:weights())
  local e = net:landscape():totable()
  energies[p] = e
  local minima = mh.hopfield.argmin(net:landscape(), 1e-9)
  local k = mh.hopfield.index(x)
  local mirror = (1 << N) + 1 - k -- state numbers are 1-based: the mirror of k is 2^N + 1 - k
  local good = #minima == 2
  for _, m in ipairs(minima) do good = good and (m == k or m == mirror) end
  if good then ok = ok + 1 end
  local labels = {}
  for s = 1, 16 do labels[s] = mh.hopfield.label(mh.hopfield.state(s, N)) end
  -- energies in mS: w is in siemens
  local vals = {}
  for s = 1, 16 do vals[s] = e[s] * 1e3 end
  panels[p] = {title = ("trained %s%s"):format(mh.hopfield.label(x), good and "" or " (FAILED)"),
               labels = labels, values = vals, highlight = k}
end

local rows = {}
for s = 1, 16 do
  local r = {s, mh.hopfield.label(mh.hopfield.state(s, N))}
  for p = 1, #patterns do r[#r + 1] = energies[p][s] end
  rows[#rows + 1] = r
end
mh.io.write_table(opts.out .. "/landscape.txt", header, rows)
mh.plot.bar_panels {png = opts.out .. "/landscape.png", panels = panels, cols = 4,
  ylabel = "E (mS)", title = "Energy of all 16 states after training (red: trained pattern)"}
mh.cli.summary {{"patterns_ok", ok .. "/7"}, {"pulses", opts.pulses}}
