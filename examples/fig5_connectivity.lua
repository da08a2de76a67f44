-- Why the device beats the outer-product rule on E, C, P (and why not by as
-- much as the paper): local connectivity. Recall accuracy of the outer
-- product, Storkey and pseudo-inverse rules with weights kept only between
-- pads within a distance d, and of the outer product weighted by the twin's
-- own coupling profile |w|(d) (from a trained 35-node twin state), and the
-- nearest-neighbour figure again with 1e-9 weight jitter (tie artefacts).
-- Usage: build/bin/maghop examples/fig5_connectivity.lua [--ovf out/fig5/checkpoint_twin_e010.ovf]
--          [--pitch 500e-9] [--pad 200e-9] [--tests 30] [--seed 1] [--out out/fig5]
local mh = require "maghop"

local opts = mh.cli.parse({ovf = "out/fig5/checkpoint_twin_e010.ovf", tests = 30, seed = 1, out = "out/fig5",
                           pitch = 500e-9, pad = 200e-9}, { -- the twin geometry the state was made with
  ovf = "trained 35-node twin state (OVF); without it only the software rules run",
  tests = "test patterns per letter and flip count", seed = "seed of the test set", out = "output folder",
  pitch = {"pad pitch the state was made with", "m"}, pad = {"pad size the state was made with", "m"}})
local COLS, N = 5, 35
local pats = mh.patterns.set("ECP")
local TESTS, SEED = math.tointeger(opts.tests), math.tointeger(opts.seed)

-- The same seeded test set as fig5_letters.lua: accuracy, share restored
-- exactly, mean pixels the recall changed. w = nil: no recall at all.
local set = mh.metrics.test_set(pats, {1, 2, 3}, TESTS, SEED)
local function accuracy(w)
  local r = mh.metrics.evaluate(w and mh.metrics.recall_of(w) or nil, pats, set)
  return r.accuracy, r.exact, r.changed
end
-- The same with seeded jitter of 1e-9 of the largest weight: mean accuracy
-- over `JITTERS` draws and the share of draws that keep the plain figure.
local JITTERS = 20
local function jitter_accuracy(w)
  local plain, mean, same = accuracy(w), 0, 0
  for j = 1, JITTERS do
    local a = accuracy(mh.metrics.jitter(w, 1e-9, SEED * 7919 + j))
    mean = mean + a / JITTERS
    if math.abs(a - plain) < 1e-12 then same = same + 1 end
  end
  return mean, same / JITTERS
end

local function dist(i, j)
  local ri, ci, rj, cj = (i - 1) // COLS, (i - 1) % COLS, (j - 1) // COLS, (j - 1) % COLS
  return math.floor(100 * math.sqrt((ri - rj) ^ 2 + (ci - cj) ^ 2) + 0.5) / 100
end

local function reweight(w, f)
  local t = w:totable()
  for i = 1, N do for j = 1, N do t[i][j] = t[i][j] * f(dist(i, j)) end end
  return t
end

local rows = {}
local nr_acc = accuracy(nil)
rows[#rows + 1] = {"no_recall", "accuracy", nr_acc}
local nn = function(d) return d <= 1 and 1 or 0 end
local _, nn_exact, nn_changed = accuracy(reweight(mh.rules.outer(pats), nn))
rows[#rows + 1] = {"outer", "d<=1.00_exact", nn_exact}
rows[#rows + 1] = {"outer", "d<=1.00_pixels_changed", nn_changed}
local nn_jit, nn_same = jitter_accuracy(reweight(mh.rules.outer(pats), nn))
rows[#rows + 1] = {"outer", "d<=1.00_jitter_1e-9_mean", nn_jit}
rows[#rows + 1] = {"outer", "d<=1.00_jitter_share_unchanged", nn_same}
rows[#rows + 1] = {"outer", "diagonals_at_2%", (accuracy(reweight(mh.rules.outer(pats),
  function(d) return d <= 1 and 1 or d <= 1.415 and 0.02 or 0 end)))}
for _, rule in ipairs {"outer", "storkey", "pinv"} do
  local w = mh.rules[rule](pats)
  rows[#rows + 1] = {rule, "all", (accuracy(w))}
  for _, dmax in ipairs {1, 1.41, 2} do
    rows[#rows + 1] = {rule, ("d<=%.2f"):format(dmax), (accuracy(reweight(w, function(d) return d <= dmax and 1 or 0 end)))}
  end
end

-- the twin's coupling profile, mean |w_ij| by pad distance, normalized at d = 1
if mh.io.exists(opts.ovf) then
  local dev = mh.twin.new {nodes = N, preset = "paper", init = false, pitch = opts.pitch, pad = opts.pad}
  dev:load_state {ovf = opts.ovf}
  local w = dev:weights():totable()
  local sum, cnt = {}, {}
  for i = 1, N do for j = i + 1, N do
    local d = dist(i, j)
    sum[d], cnt[d] = (sum[d] or 0) + math.abs(w[i][j]), (cnt[d] or 0) + 1
  end end
  local profile = {}
  for d, s in pairs(sum) do profile[d] = (s / cnt[d]) / (sum[1] / cnt[1]) end
  for _, d in ipairs {1.41, 2, 2.24} do rows[#rows + 1] = {"twin_profile", ("|w|(%.2f)/|w|(1)"):format(d), profile[d]} end
  rows[#rows + 1] = {"outer", "twin_profile", (accuracy(reweight(mh.rules.outer(pats), function(d) return profile[d] or 0 end)))}
else
  io.stderr:write("no twin state at " .. opts.ovf .. " (run fig5_letters.lua --model twin first); profile skipped\n")
end

-- words without spaces (the table format's rule); the value is an accuracy, a share or pixels
mh.io.write_table(opts.out .. "/connectivity.txt", {"rule ()", "connectivity ()", "value ()"}, rows)
for _, r in ipairs(rows) do print(("%-13s %-22s %.3f"):format(r[1], r[2], r[3])) end
local function find(rule, c) for _, r in ipairs(rows) do if r[1] == rule and r[2] == c then return r[3] end end end
mh.cli.summary {{"outer_all", ("%.3f"):format(find("outer", "all"))}, {"outer_nearest", ("%.3f"):format(find("outer", "d<=1.00"))},
  {"outer_nearest_jitter", ("%.3f"):format(nn_jit)},
  {"outer_twin_profile", find("outer", "twin_profile") and ("%.3f"):format(find("outer", "twin_profile")) or "n/a"}}
