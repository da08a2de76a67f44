-- examples/fig5_letters.lua: its options, the summary fields and metrics.txt
-- (short compact runs; one tiny twin run on the wide geometry).
local lu = require "luaunit"
local mh = require "maghop"

local T = {}
local host = arg and arg[-1] or "build/bin/maghop"

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  mh.io.mkdir(d)
  return d
end

-- output and exit status of the script with `args`
local function fig5(args)
  local p = io.popen(("%s examples/fig5_letters.lua %s 2>&1; echo rc=$?"):format(mh.io.shell_quote(host), args))
  local text = p:read("a")
  p:close()
  return text, tonumber(text:match("rc=(%d+)%s*$"))
end

local function summary(text)
  local t = {}
  for k, v in text:gmatch("([%w_]+)=(%S+)") do t[k] = tonumber(v) or v end
  return t
end

function T.test_summary_and_metrics_table()
  local d = tmpdir()
  local text, rc = fig5("--quiet --epochs 2 --tests 3 --jitter-seeds 2 --out " .. mh.io.shell_quote(d))
  lu.assertEquals(rc, 0, text)
  local s = summary(text)
  for _, k in ipairs {"accuracy_device", "accuracy_outer", "exact_device", "hamming_device", "hamming_input",
                      "accuracy_no_recall", "hard_accuracy_device", "hard_accuracy_outer", "hard_exact_device",
                      "hard_hamming_device", "hard_hamming_input", "hard_accuracy_no_recall",
                      "accuracy_outer_jitter", "hard_accuracy_pinv_jitter"} do
    lu.assertNotNil(s[k], k)
    lu.assertTrue(type(s[k]) == "number" and s[k] >= 0, k)
  end
  -- flips 1-3 and 4,6,8 with the same count each: mean input distances 2 and 6
  lu.assertEquals(s.hamming_input, 2)
  lu.assertEquals(s.hard_hamming_input, 6)
  -- E, C, P differ in more pixels than 3 flips bridge: no recall is always right
  lu.assertEquals(s.accuracy_no_recall, 1)
  -- the pseudo-inverse rule stores the three letters exactly
  lu.assertEquals(s.exact_pinv, 1)
  local head, rows, units = mh.io.read_table(d .. "/metrics.txt")
  lu.assertEquals(head, {"epoch", "test_set", "rule", "ties", "accuracy", "exact", "hamming", "hamming_input"})
  lu.assertEquals(units, {"", "", "", "", "", "", "", ""})
  -- per epoch and set: device, 3 rules plain + jitter, no recall plain
  lu.assertEquals(#rows, 2 * 2 * (4 * 2 + 1))
  local seen = {}
  for _, r in ipairs(rows) do seen[table.concat({r[1], r[2], r[3], r[4]}, "/")] = r end
  lu.assertNotNil(seen["2/hard/device/plain"])
  lu.assertNotNil(seen["1/easy/outer/jitter"])
  lu.assertEquals(seen["1/easy/no_recall/plain"][6], 0) -- no recall restores nothing
  lu.assertAlmostEquals(seen["2/easy/device/plain"][5], s.accuracy_device, 5e-4)
  -- capacity auto: on for compact; the set "08965" is a word that reads as a number
  local _, cap = mh.io.read_table(d .. "/capacity.txt")
  local sets = {}
  for _, r in ipairs(cap) do sets[r[1]] = true end
  lu.assertEquals(sets, {ECP = true, EDCP = true, EDCPL = true, ["08965"] = true})
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

function T.test_set_flips_and_recall_options()
  local d = tmpdir()
  local text, rc = fig5("--quiet --epochs 1 --tests 2 --jitter 0 --set EDCP --flips 4,6,8 --recall async --capacity no --out "
    .. mh.io.shell_quote(d))
  lu.assertEquals(rc, 0, text)
  local s = summary(text)
  lu.assertEquals(s.set, "EDCP")
  lu.assertEquals(s.hamming_input, 6)
  lu.assertNil(s.accuracy_outer_jitter) -- --jitter 0: no jitter figures
  local head = mh.io.read_table(d .. "/confusion.txt")
  lu.assertEquals(head, {"true", "pred_E", "pred_D", "pred_C", "pred_P"})
  lu.assertFalse(mh.io.exists(d .. "/capacity.txt"))
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

function T.test_bad_options_are_refused()
  for args, msg in pairs {
    ["--xi 1.0"] = "--xi applies to --model twin only",
    ["--geometry wide"] = "--geometry applies to --model twin only",
    ["--flips 0-2"] = "--flips: range",
    ["--hard-flips 40"] = "exceeds the pattern length 35",
    ["--set EC1"] = "--set EC1",
    ["--recall random"] = "--recall random: accepted: sync, async",
    ["--model twin --geometry narrow"] = "--geometry narrow: accepted: default, wide",
    ["--model twin --drive=-3"] = "--drive: peak field",
    ["--model twin --cell 150e-9"] = "option 'cell'",
  } do
    local text, rc = fig5(args .. " --quiet --epochs 1 --tests 1 --out /nonexistent/fig5")
    lu.assertEquals(rc, 1, args .. ": " .. text)
    lu.assertStrContains(text, msg)
    lu.assertFalse(text:find("traceback", 1, true) ~= nil, args)
  end
  local text, rc = fig5("--help")
  lu.assertEquals(rc, 0)
  for _, opt in ipairs {"--geometry", "--pitch", "--pad", "--cell", "--xi", "--width", "--drive", "--set",
                        "--flips", "--hard-flips", "--recall", "--seed", "--epochs"} do
    lu.assertStrContains(text, opt)
  end
end

function T.test_twin_wide_quick_and_resume_keeps_physics_options()
  -- wide geometry, quick (200 nm cells: 50 x 70), one of two epochs, then a
  -- resume with another xi must be refused: the physics options are stored
  local d = tmpdir()
  local base = "--model twin --geometry wide --quick --quiet --epochs 2 --tests 1 --jitter 0 --out " .. mh.io.shell_quote(d)
  local text, rc = fig5(base .. " --xi 1.0 --interrupt-at 1")
  lu.assertEquals(rc, 130, text)
  text, rc = fig5(base .. " --xi 0.99 --resume")
  lu.assertEquals(rc, 1)
  lu.assertStrContains(text, "option --xi differs")
  text, rc = fig5(base .. " --xi 1.0 --drive 25 --resume")
  lu.assertEquals(rc, 1)
  lu.assertStrContains(text, "option --drive differs")
  text, rc = fig5(base .. " --xi 1.0 --resume")
  lu.assertEquals(rc, 0, text)
  local s = summary(text)
  lu.assertEquals({s.geometry, s.pitch, s.pad, s.cell, s.xi}, {"wide", 2e-6, 8e-7, 2e-7, 1})
  lu.assertNotNil(s.hard_accuracy_device)
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

function T.test_phase_diagram_tiny_grid()
  local d = tmpdir()
  local p = io.popen(("%s examples/fig5_phase_diagram.lua --pitches 1e-6 --xis 0.99,1 --epochs 1 --tests 2 "
    .. "--cell 100e-9 --quiet --out %s 2>&1; echo rc=$?"):format(mh.io.shell_quote(host), mh.io.shell_quote(d)))
  local text = p:read("a")
  p:close()
  lu.assertStrContains(text, "rc=0", text)
  lu.assertStrContains(text, "points=2")
  local rows, _, units = assert(mh.sweep.read(d .. "/phase.txt"))
  lu.assertEquals({units[2], units[3], units[4]}, {"m", "s", ""}) -- pitch, width, xi
  lu.assertEquals(#rows, 2)
  for _, r in ipairs(rows) do
    lu.assertEquals(r.status, "ok")
    lu.assertEquals(r.pitch, 1e-6)
    lu.assertEquals(r.hamming_input, 2)
    lu.assertEquals(r.hard_hamming_input, 6)
    lu.assertTrue(r.accuracy >= 0 and r.accuracy <= 1 and r.exact >= 0 and r.exact <= r.accuracy + 1e-12)
  end
  -- both xi on one training: the same conductances, so only the weights differ
  lu.assertEquals(rows[1].cells, rows[2].cells)
  if os.execute("command -v gnuplot >/dev/null 2>&1") then
    lu.assertTrue(mh.io.exists(d .. "/phase_accuracy.png"))
    lu.assertTrue(mh.io.exists(d .. "/phase_exact.png"))
  end
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

function T.test_compact_model_example_runs()
  -- 200 nm cells, 9 fitting and 3 held-out pulses: the pipeline, not the physics
  local d = tmpdir()
  local p = io.popen(("%s examples/fig5_compact_model.lua --cell 200e-9 --width 2e-9 --fit-epochs 1 --random 2 --epochs 1 "
    .. "--tests 2 --out %s 2>&1; echo rc=$?"):format(mh.io.shell_quote(host), mh.io.shell_quote(d)))
  local text = p:read("a")
  p:close()
  lu.assertStrContains(text, "rc=0", text)
  local s = {}
  for k, v in text:gmatch("([%w_]+)=(%S+)") do s[k] = tonumber(v) or v end
  lu.assertEquals(s.fit_pulses, 9)
  lu.assertEquals(s.heldout_pulses, 3)
  for _, k in ipairs {"r2_fit", "r2_heldout", "r2_eq2_fit", "r2_eq2_heldout", "r2_bound_letter_affine",
                      "accuracy_twin", "accuracy_pairwise", "max_accuracy_gap"} do
    lu.assertTrue(type(s[k]) == "number" and s[k] <= 1, k)
  end
  local _, rows = mh.io.read_table(d .. "/epochs.txt")
  lu.assertEquals(#rows, 1)
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

return {TestFig5 = T}
