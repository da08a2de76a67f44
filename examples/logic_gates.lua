-- SI Figs. S10/S11: AND, OR, NAND, NOR programmed in turn on ONE 4-node device.
-- Usage: build/bin/maghop examples/logic_gates.lua [--pulses 60] [--out out/logic]
-- Node 1 control, nodes 2 and 3 inputs, node 4 output:
-- out = sgn(x2 w24 + x3 w34 + x1 w14); "+---" stores AND/OR, "+--+" NAND/NOR.
local mh = require "maghop"

local opts = mh.cli.parse({pulses = 60, out = "out/logic", quiet = false},
  {pulses = "programming pulses per gate", out = "output folder", quiet = "no progress line"})

local dev = mh.compact.new()
local rows, heat, ok = {}, {}, 0
for g, gate in ipairs(mh.logic.order) do
  mh.logic.program(dev, gate, opts.pulses) -- reprogram the same device
  local w = dev:weights():totable()
  local tt, good = mh.logic.truth_table(w, gate)
  if good then ok = ok + 1 end
  heat[g] = {}
  for k, r in ipairs(tt) do
    rows[#rows + 1] = {gate, r.a and 1 or 0, r.b and 1 or 0, r.out and 1 or 0, r.expected and 1 or 0,
                       w[2][4], w[3][4], w[1][4]}
    heat[g][k] = r.out and 1 or 0
  end
  if not opts.quiet then
    io.write(("%-4s  w24=%+.3e w34=%+.3e w14=%+.3e  "):format(gate, w[2][4], w[3][4], w[1][4]))
    for _, r in ipairs(tt) do io.write(("%d%d->%d "):format(r.a and 1 or 0, r.b and 1 or 0, r.out and 1 or 0)) end
    io.write(good and "ok\n" or "WRONG\n")
  end
end
mh.io.write_table(opts.out .. "/truth_tables.txt",
  {"gate ()", "a ()", "b ()", "out ()", "expected ()", "w24 (S)", "w34 (S)", "w14 (S)"}, rows)
mh.plot.heatmap {png = opts.out .. "/truth_tables.png", matrix = heat,
  row_labels = mh.logic.order, col_labels = {"00", "01", "10", "11"},
  title = "Gate outputs of one reprogrammed device", xlabel = "inputs (node 2, node 3)", ylabel = "gate"}
mh.cli.summary {{"gates_ok", ok .. "/4"}}
