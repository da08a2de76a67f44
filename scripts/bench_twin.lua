-- bench_twin.lua — the micromagnetic twin's time budget: one Fig. 5 epoch
-- (35 nodes, E, C, P for 5 ns each, then a 270-state synchronous test set)
-- and Fig. 3 pulses (4 nodes, 5 ns each), with the share of LLG, Oersted,
-- AMR reads and recall, and the full runs extrapolated (Fig. 5: 10 epochs,
-- target 600 s; Fig. 3: 20 + 60 + 60 pulses, target 120 s).
local mh = require "maghop"
local bench = require "maghop.bench"

local function shares(t)
  local total = t.llg + t.oersted + t.amr + t.recall
  return total, {{"llg_s", t.llg}, {"oersted_s", t.oersted}, {"amr_s", t.amr}, {"recall_s", t.recall},
    {"llg_share", t.llg / total}, {"oersted_share", t.oersted / total}, {"amr_share", t.amr / total},
    {"recall_share", t.recall / total}}
end

-- Fig. 5: build (calibration + 20 ns init), one epoch, one evaluation
local t0 = mh.wtime()
local dev = mh.twin.new {nodes = 35, preset = "paper"}
local setup = mh.wtime() - t0
local base = dev:timings()
local pats = mh.patterns.set("ECP")
t0 = mh.wtime()
for _, x in ipairs(pats) do dev:pulse(x, 1, {width = 5e-9}) end
local tests = {}
for li, x in ipairs(pats) do
  for k = 1, 3 do for t = 1, 30 do tests[#tests + 1] = mh.patterns.distort(x, k, li * 1000 + k * 100 + t) end end
end
for _, x in ipairs(tests) do dev:recall(x, {mode = "sync"}) end
local epoch = mh.wtime() - t0
local t = dev:timings()
for k, v in pairs(base) do t[k] = t[k] - v end
local nx, ny = dev.film:shape()
local total, fields = shares(t)
table.insert(fields, 1, {"cells", nx * ny})
table.insert(fields, 2, {"epoch_wall_s", epoch})
table.insert(fields, 3, {"setup_s", setup})
fields[#fields + 1] = {"fig5_10_epochs_s_est", setup + 10 * epoch}
fields[#fields + 1] = {"target_s", 600}
bench.report("twin_fig5_epoch", fields)

-- Fig. 3: per-pulse cost on the 4-node disk
local d4 = mh.twin.new {nodes = 4, preset = "paper", init = false}
local b4 = d4:timings()
t0 = mh.wtime()
for _ = 1, 5 do d4:pulse("++--", 1); d4:conductance() end
local per_pulse = (mh.wtime() - t0) / 5
local t4 = d4:timings()
for k, v in pairs(b4) do t4[k] = t4[k] - v end
local _, f4 = shares(t4)
table.insert(f4, 1, {"pulse_wall_s", per_pulse})
f4[#f4 + 1] = {"fig3_140_pulses_s_est", 140 * per_pulse}
f4[#f4 + 1] = {"target_s", 120}
bench.report("twin_fig3_pulse", f4)
