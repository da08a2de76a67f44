-- Fig. 3a and SI Fig. S1: evolution of the conductance matrix under pulses.
-- Usage: build/bin/maghop examples/fig3_oja_evolution.lua [--pulses 60] [--out out/fig3] [--quiet]
-- Start: Eq. (1), the texture saturated with "+-+-". Apply "++--" pulses:
-- G12, G34 rise, G13, G24 fall, G14, G23 stay. SI Fig. S1: a texture set
-- by "+++-" switched to "+-++": |G14|, |G34| fall and |G12|, |G23| rise.
local mh = require "maghop"

local opts = mh.cli.parse {pulses = 60, out = "out/fig3", model = "compact", quiet = false}
local first = mh.hopfield.parse("++--")
local s1_from, s1_to = mh.hopfield.parse("+++-"), mh.hopfield.parse("+-++")
local PAIRS = {{1, 2}, {1, 3}, {1, 4}, {2, 3}, {2, 4}, {3, 4}}
local HEADER = {"pulse", "G12", "G13", "G14", "G23", "G24", "G34"}

local function new_device()
  if opts.model == "compact" then return mh.compact.new() end
  error(("--model %s: accepted models: compact"):format(opts.model), 0)
end

local function row(pulse, dev)
  local G = dev:conductance():totable()
  local r = {pulse}
  for _, p in ipairs(PAIRS) do r[#r + 1] = G[p[1]][p[2]] end
  return r
end

-- Apply `pulses` pulses of each pattern in turn, recording G after each.
local function evolve(dev, schedule)
  local rows, pulse = {row(0, dev)}, 0
  for _, x in ipairs(schedule) do
    for _ = 1, opts.pulses do
      dev:pulse(x, 1)
      pulse = pulse + 1
      rows[#rows + 1] = row(pulse, dev)
    end
  end
  return rows
end

local rows = evolve(new_device(), {first})
local csv = mh.io.write_csv(opts.out .. "/" .. opts.model .. ".csv", HEADER, rows)
local rows_s1 = evolve(new_device(), {s1_from, s1_to})
local csv_s1 = mh.io.write_csv(opts.out .. "/" .. opts.model .. "_s1.csv", HEADER, rows_s1)

local cols = {"G12", "G13", "G14", "G23", "G24", "G34"}
mh.plot.lines {csv = csv, png = opts.out .. "/" .. opts.model .. ".png", columns = cols,
  title = "Conductance under \"++--\" pulses from Eq. (1) (" .. opts.model .. " model)",
  xlabel = "pulse", ylabel = "G_{ij} (S)"}
mh.plot.lines {csv = csv_s1, png = opts.out .. "/" .. opts.model .. "_s1.png", columns = cols,
  title = "\"+++-\" then \"+-++\" (SI Fig. S1)", xlabel = "pulse", ylabel = "G_{ij} (S)",
  extra = ("set arrow from %d, graph 0 to %d, graph 1 nohead dt 2"):format(opts.pulses, opts.pulses)}

local G0, G1 = rows[1], rows[#rows]
local function d(k) return G1[k + 1] - G0[k + 1] end
local trend_ok = d(1) > 0 and d(6) > 0 and d(2) < 0 and d(5) < 0
  and math.abs(d(3)) < 1e-9 and math.abs(d(4)) < 1e-9
-- S1: magnitudes in the second phase (off-diagonal G are negative)
local A, B = rows_s1[opts.pulses + 1], rows_s1[#rows_s1]
local function dmag(k) return math.abs(B[k + 1]) - math.abs(A[k + 1]) end
local s1_ok = dmag(3) < 0 and dmag(6) < 0 and dmag(1) > 0 and dmag(4) > 0
mh.cli.summary {
  {"model", opts.model}, {"pulses", opts.pulses},
  {"dG12", ("%.4g"):format(d(1))}, {"dG13", ("%.4g"):format(d(2))}, {"dG14", ("%.2g"):format(d(3))},
  {"dG23", ("%.2g"):format(d(4))}, {"dG24", ("%.4g"):format(d(5))}, {"dG34", ("%.4g"):format(d(6))},
  {"trend_ok", trend_ok}, {"s1_ok", s1_ok},
}
