-- Long-run machinery: checkpoints, Ctrl-C in the host, resume identity.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}
local host = dofile("spec/helpers.lua").host()

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  mh.io.mkdir(d)
  return d
end

local function run(cmd)
  local ok, _, code = os.execute(cmd)
  return ok and 0 or code
end

function T.test_checkpoint_roundtrip_is_exact()
  local path = os.tmpname()
  local data = {epoch = 3, x = 0.1 + 0.2, tiny = 5e-324, neg = -1 / 3, list = {1, 2.5, "a\n\"b\""},
                nested = {G = {{0.178, -0.066}, {-0.066, 0.171}}}, flag = true}
  mh.checkpoint.save(path, data)
  local back = assert(mh.checkpoint.load(path))
  lu.assertEquals(back, data)
  lu.assertTrue(back.x == 0.1 + 0.2)
  H.raises("cannot store a userdata", mh.checkpoint.save, path, {bad = io.stdout})
  local f = io.open(path, "w"); f:write("return {"); f:close()
  local none, err = mh.checkpoint.load(path)
  lu.assertNil(none)
  lu.assertStrContains(err, "is not a maghop checkpoint")
  os.remove(path)
  lu.assertNil((mh.checkpoint.load(path)))
end

function T.test_sigint_saves_checkpoint_and_exits_130()
  local dir = tmpdir()
  local script = dir .. "/loop.lua"
  local f = io.open(script, "w")
  f:write(([[
local mh = require "maghop"
local state = {n = 0}
mh.checkpoint.guard(function()
  io.open(%q, "w"):close() -- ready: the handler is installed
  while true do state.n = state.n + 1 end
end, function() mh.checkpoint.save(%q, state) end)
]]):format(dir .. "/ready", dir .. "/ckpt"))
  f:close()
  -- send SIGINT only once the script runs (startup may be slow on a busy machine)
  local p = io.popen(([[%s %s 2>/dev/null & pid=$!
for i in $(seq 1 600); do [ -f %s ] && break; sleep 0.05; done
sleep 0.2; kill -INT $pid; wait $pid; echo "rc=$?"]]):format(mh.io.shell_quote(host), mh.io.shell_quote(script),
    mh.io.shell_quote(dir .. "/ready")))
  local out = p:read("a")
  p:close()
  lu.assertEquals(tonumber(out:match("rc=(%d+)")), 130)
  local ck = assert(mh.checkpoint.load(dir .. "/ckpt"))
  lu.assertTrue(ck.n > 0)
  os.execute("rm -rf " .. mh.io.shell_quote(dir))
end

function T.test_fig5_resume_matches_uninterrupted_run()
  local a, b = tmpdir(), tmpdir()
  local base = ("%s examples/fig5_letters.lua --quiet --epochs 4 --tests 4 "):format(mh.io.shell_quote(host))
  lu.assertEquals(run(base .. "--out " .. a .. " >/dev/null"), 0)
  lu.assertEquals(run(base .. "--out " .. b .. " --interrupt-at 2 >/dev/null 2>&1"), 130)
  lu.assertFalse(mh.io.exists(b .. "/accuracy.txt")) -- nothing half-written
  lu.assertEquals(run(base .. "--out " .. b .. " --resume >/dev/null 2>&1"), 0)
  for _, name in ipairs {"accuracy.txt", "confusion.txt", "capacity.txt"} do
    local fa, fb = io.open(a .. "/" .. name):read("a"), io.open(b .. "/" .. name):read("a")
    lu.assertEquals(fb, fa, name)
  end
  local _, rows = mh.io.read_table(a .. "/accuracy.txt")
  lu.assertEquals(#rows, 4)
  os.execute("rm -rf " .. mh.io.shell_quote(a) .. " " .. mh.io.shell_quote(b))
end

function T.test_fig5_twin_resume_is_exact()
  -- the twin's checkpoint holds the magnetization (OVF binary 8) and every
  -- pulse restarts the integrator from the same trial step
  local a, b = tmpdir(), tmpdir()
  local base = ("%s examples/fig5_letters.lua --model twin --quick --quiet --epochs 2 --tests 2 --capacity no ")
    :format(mh.io.shell_quote(host))
  lu.assertEquals(run(base .. "--out " .. a .. " >/dev/null"), 0)
  lu.assertEquals(run(base .. "--out " .. b .. " --interrupt-at 1 >/dev/null 2>&1"), 130)
  lu.assertEquals(run(base .. "--out " .. b .. " --resume >/dev/null 2>&1"), 0)
  for _, name in ipairs {"accuracy.txt", "analysis.txt", "confusion.txt"} do
    lu.assertEquals(io.open(b .. "/" .. name):read("a"), io.open(a .. "/" .. name):read("a"), name)
  end
  os.execute("rm -rf " .. mh.io.shell_quote(a) .. " " .. mh.io.shell_quote(b))
end

-- --resume refuses a checkpoint of a run with other options (naming the
-- option) and one whose epoch is impossible.
function T.test_fig5_resume_checks_options_and_epoch()
  local d = tmpdir()
  local base = ("%s examples/fig5_letters.lua --quiet --epochs 3 --tests 2 --capacity no --out %s ")
    :format(mh.io.shell_quote(host), mh.io.shell_quote(d))
  local function output(cmd)
    local p = io.popen(cmd .. " 2>&1; echo rc=$?")
    local text = p:read("a")
    p:close()
    return text, tonumber(text:match("rc=(%d+)%s*$"))
  end
  lu.assertEquals(select(2, output(base .. "--interrupt-at 1")), 130)
  local text, rc = output(base .. "--resume --seed 2")
  lu.assertEquals(rc, 1)
  lu.assertStrContains(text, "option --seed differs: checkpoint 1, this run 2")
  text, rc = output(base .. "--resume --letter-pulses 3")
  lu.assertEquals(rc, 1)
  lu.assertStrContains(text, "option --letter-pulses differs")
  local path = d .. "/checkpoint_compact.ckpt"
  local good = assert(mh.checkpoint.load(path))
  for _, epoch in ipairs {99, -2, 2} do -- 2: more epochs than history rows
    local ck = assert(mh.checkpoint.load(path))
    ck.epoch = epoch
    mh.checkpoint.save(path, ck)
    text, rc = output(base .. "--resume")
    lu.assertEquals(rc, 1, "epoch " .. epoch)
    lu.assertStrContains(text, ("is inconsistent (epoch %d of 0..3"):format(epoch))
  end
  mh.checkpoint.save(path, good)
  lu.assertEquals(select(2, output(base .. "--resume")), 0)
  lu.assertTrue(mh.io.exists(d .. "/accuracy.txt"))
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

-- Ctrl-C right when the previous epoch's OVF is removed (the second unlink
-- of the run, via strace fault injection): the checkpoint saved then must
-- name a state file that still exists, so --resume works.
function T.test_fig5_twin_interrupt_at_cleanup_resumes()
  if not os.execute("strace -V >/dev/null 2>&1") then lu.skip("strace not installed") end
  local d = tmpdir()
  local args = ("examples/fig5_letters.lua --model twin --quick --quiet --epochs 3 --tests 2 --capacity no --out %s")
    :format(mh.io.shell_quote(d))
  local rc = run(("strace -f -o /dev/null -e trace=unlink,unlinkat -e inject=unlink,unlinkat:signal=SIGINT:when=2 %s %s"
    .. " >/dev/null 2>&1"):format(mh.io.shell_quote(host), args))
  if rc ~= 130 then lu.skip("strace cannot inject faults here (exit " .. tostring(rc) .. ")") end
  lu.assertFalse(mh.io.exists(d .. "/accuracy.txt"))
  lu.assertEquals(run(("%s %s --resume >/dev/null 2>&1"):format(mh.io.shell_quote(host), args)), 0)
  lu.assertTrue(mh.io.exists(d .. "/accuracy.txt"))
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

-- fig3: Ctrl-C after any whole pulse, then --resume, gives the same
-- outputs bit for bit (compact and twin); an interrupted run leaves no
-- outputs under their final names; other options are refused.
function T.test_fig3_resume_matches_uninterrupted_run()
  for _, model in ipairs {"compact", "twin"} do
    local a, b = tmpdir(), tmpdir()
    local base = ("%s examples/fig3_oja_evolution.lua --model %s --quick --quiet --pulses 12 --s1-pulses 6 --prep 4 ")
      :format(mh.io.shell_quote(host), model)
    lu.assertEquals(run(base .. "--out " .. a .. " >/dev/null"), 0)
    lu.assertEquals(run(base .. "--out " .. b .. " --interrupt-at 9 >/dev/null 2>&1"), 130)
    lu.assertFalse(mh.io.exists(b .. "/" .. model .. ".txt"))
    lu.assertEquals(run(base .. "--out " .. b .. " --resume --pulses 13 >/dev/null 2>&1"), 1)
    lu.assertEquals(run(base .. "--out " .. b .. " --resume >/dev/null 2>&1"), 0)
    local names = {model .. ".txt", model .. "_s1.txt"}
    if model == "twin" then names[3], names[4] = "twin_fit.txt", "twin_pulse006.ovf" end
    for _, name in ipairs(names) do
      lu.assertEquals(io.open(b .. "/" .. name, "rb"):read("a"), io.open(a .. "/" .. name, "rb"):read("a"), name)
    end
    os.execute("rm -rf " .. mh.io.shell_quote(a) .. " " .. mh.io.shell_quote(b))
  end
end

-- fig5_compact_model: Ctrl-C during the twin recording, in the fitting
-- trace and in the held-out one, then --resume, gives the same files as an
-- uninterrupted run; a finished recording leaves no checkpoint behind.
function T.test_fig5_compact_model_resume_matches_uninterrupted_run()
  H.once_per_make_test()
  local function files(dir)
    local p = io.popen("ls " .. mh.io.shell_quote(dir))
    local list = {}
    for name in p:lines() do list[#list + 1] = name end
    p:close()
    return list
  end
  local a = tmpdir()
  local base = ("%s examples/fig5_compact_model.lua --quick --epochs 1 --fit-epochs 1 --random 2 --tests 2 ")
    :format(mh.io.shell_quote(host))
  lu.assertEquals(run(base .. "--out " .. a .. " >/dev/null 2>&1"), 0)
  local names = files(a)
  lu.assertTrue(#names >= 1)
  for _, name in ipairs(names) do lu.assertNil(name:find("checkpoint"), name) end
  for _, at in ipairs {4, 10} do -- 9 fitting pulses, then 3 held out
    local b = tmpdir()
    lu.assertEquals(run(base .. "--out " .. b .. " --interrupt-at " .. at .. " >/dev/null 2>&1"), 130)
    lu.assertTrue(mh.io.exists(b .. "/checkpoint_fig5_compact.ckpt"))
    lu.assertEquals(run(base .. "--out " .. b .. " --resume --random 3 >/dev/null 2>&1"), 1)
    lu.assertEquals(run(base .. "--out " .. b .. " --resume >/dev/null 2>&1"), 0)
    lu.assertEquals(files(b), names)
    for _, name in ipairs(names) do
      lu.assertEquals(io.open(b .. "/" .. name, "rb"):read("a"), io.open(a .. "/" .. name, "rb"):read("a"), name)
    end
    os.execute("rm -rf " .. mh.io.shell_quote(b))
  end
  -- a fresh, shorter run (10 pulses) over an interrupted one (at pulse 11)
  -- leaves none of the old run's state files
  local c = tmpdir()
  lu.assertEquals(run(base .. "--out " .. c .. " --interrupt-at 11 >/dev/null 2>&1"), 130)
  lu.assertEquals(run(base:gsub("%-%-random 2", "--random 0") .. "--out " .. c .. " >/dev/null 2>&1"), 0)
  lu.assertEquals(files(c), names)
  os.execute("rm -rf " .. mh.io.shell_quote(a) .. " " .. mh.io.shell_quote(c))
end

-- stdprob4: Ctrl-C after the first field keeps it; --resume runs only the
-- second and the outputs equal an uninterrupted run's.
function T.test_stdprob4_resume_matches_uninterrupted_run()
  local a, b = tmpdir(), tmpdir()
  local base = ("%s examples/stdprob4.lua --quick --quiet --t-ns 0.05 "):format(mh.io.shell_quote(host))
  lu.assertEquals(run(base .. "--out " .. a .. " >/dev/null"), 0)
  lu.assertEquals(run(base .. "--out " .. b .. " --interrupt-after 1 >/dev/null 2>&1"), 130)
  lu.assertFalse(mh.io.exists(b .. "/quick_field1.txt")) -- staged, not under its final name
  lu.assertEquals(run(base .. "--out " .. b .. " --resume --t-ns 0.06 >/dev/null 2>&1"), 1)
  lu.assertEquals(run(base .. "--out " .. b .. " --resume >/dev/null 2>&1"), 0)
  for _, name in ipairs {"quick_field1.txt", "quick_field2.txt"} do
    lu.assertEquals(io.open(b .. "/" .. name, "rb"):read("a"), io.open(a .. "/" .. name, "rb"):read("a"), name)
  end
  os.execute("rm -rf " .. mh.io.shell_quote(a) .. " " .. mh.io.shell_quote(b))
end

return {TestExperiment = T}
