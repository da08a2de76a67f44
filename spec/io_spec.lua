-- Output files: writes that fail (full disk) raise and keep the old file;
-- checkpoints are data, never code; plots quote titles and paths.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  mh.io.mkdir(d)
  return d
end

local slurp = H.slurp

-- Run fn with io.open sending the temporary file of an atomic write to
-- /dev/full: writes are buffered and succeed, the flush/close fails with
-- ENOSPC exactly as on a full disk.
local function with_full_disk(fn)
  local f = io.open("/dev/full", "wb")
  if not f then return false end
  f:close()
  local real_open = io.open
  io.open = function(path, mode)
    if tostring(path):find("%.tmp%d+$") and mode and mode:find("w") then return real_open("/dev/full", mode) end
    return real_open(path, mode)
  end
  local ok, err = pcall(fn)
  io.open = real_open
  if not ok then error(err, 0) end
  return true
end

function T.test_full_disk_raises_and_keeps_the_old_file()
  local d = tmpdir()
  local csv, ck = d .. "/r.csv", d .. "/c.ckpt"
  mh.io.write_csv(csv, {"a", "b"}, {{1, 2}})
  mh.checkpoint.save(ck, {epoch = 1})
  local csv0, ck0 = slurp(csv), slurp(ck)
  local ran = with_full_disk(function()
    H.raises("No space left on device", mh.io.write_csv, csv, {"a", "b"}, {{3, 4}, {5, 6}})
    H.raises("No space left on device", mh.checkpoint.save, ck, {epoch = 2})
    H.raises("No space left on device", mh.io.write_atomic, d .. "/new.txt", "x")
  end)
  if not ran then lu.skip("no /dev/full") end
  lu.assertEquals(slurp(csv), csv0)
  lu.assertEquals(slurp(ck), ck0)
  lu.assertNil(slurp(d .. "/new.txt"))
  -- nothing but the two files is left behind (no temporary files)
  local p = io.popen("ls -A " .. mh.io.shell_quote(d))
  local names = {}
  for l in p:lines() do names[#names + 1] = l end
  p:close()
  table.sort(names)
  lu.assertEquals(names, {"c.ckpt", "r.csv"})
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

function T.test_checkpoint_roundtrip_is_exact()
  local d = tmpdir()
  local data = {model = "twin", epoch = 3, x = 0.1, third = 1 / 3, nan = 0 / 0, big = -1e300, flag = false,
                s = "a b%c\n\"\xc3\xa9 ]]", history = {{1, 0.5, 0 / 0}, {2, 1.0, 1 / 0}}, empty = {},
                device = {ovf = d .. "/x y.ovf", G = {{-1e-3, 2.5e-4}, {2.5e-4, -1e-3}}}}
  mh.checkpoint.save(d .. "/c.ckpt", data)
  local r = assert(mh.checkpoint.load(d .. "/c.ckpt"))
  lu.assertEquals(r.model, "twin")
  lu.assertEquals(math.type(r.epoch), "integer")
  lu.assertEquals(math.type(r.history[2][2]), "float")
  lu.assertTrue(r.nan ~= r.nan and r.history[1][3] ~= r.history[1][3])
  lu.assertEquals(r.history[2][3], math.huge)
  r.nan, data.nan, r.history[1][3], data.history[1][3] = 0, 0, 0, 0
  lu.assertEquals(r, data) -- bit-exact numbers, strings with any bytes, empty tables
  H.raises("cannot store a function", mh.checkpoint.save, d .. "/c.ckpt", {f = print})
  H.raises("neither a positive integer nor an identifier", mh.checkpoint.save, d .. "/c.ckpt", {["a b"] = 1})
  H.raises("'path' must be a string", mh.checkpoint.save, nil, {})
  lu.assertEquals(mh.checkpoint.load(d .. "/c.ckpt").epoch, 3) -- failed saves left it alone
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

-- A checkpoint is data: code in it never runs, malformed files give a
-- message naming the file and line, oversized files are refused unread.
function T.test_hostile_checkpoints_are_refused()
  local d = tmpdir()
  local path = d .. "/c.ckpt"
  local function load_text(text)
    local f = assert(io.open(path, "wb"))
    f:write(text)
    f:close()
    return mh.checkpoint.load(path)
  end
  local function refused(needle, text)
    local r, err = load_text(text)
    lu.assertNil(r, text)
    lu.assertStrContains(err, needle)
  end
  local marker = d .. "/ran"
  refused("not a maghop checkpoint", "return (function() while true do end end)()")
  refused("not a maghop checkpoint", ("os.execute('touch %s') return {}"):format(marker))
  lu.assertFalse(mh.io.exists(marker))
  local head = "maghop-checkpoint 1\n"
  refused("truncated", head .. "i epoch 3\n")
  refused("line 2: unrecognized record", head .. "epoch = 3\nend\n")
  refused("line 2: bad integer value '99999999999999999999'", head .. "i epoch 99999999999999999999\nend\n")
  refused("line 2: bad float value 'os.exit()'", head .. "f x os.exit()\nend\n")
  refused("line 2: bad boolean value 'yes'", head .. "b x yes\nend\n")
  refused("line 2: bad string value", head .. "s x a%2\nend\n")
  refused("line 2: entry of an undeclared table 'h'", head .. "i h.1 3\nend\n")
  refused("line 3: duplicate entry 'x'", head .. "i x 1\ni x 2\nend\n")
  refused("line 3: text after 'end'", head .. "end\ni x 1\n")
  refused("is empty", "")
  lu.assertEquals(load_text(head .. "t h\ni h.1 3\nend\n"), {h = {3}})
  local old = mh.checkpoint.MAX_BYTES
  mh.checkpoint.MAX_BYTES = 64
  refused("larger than the limit of 64 bytes", head .. ("i x 1\n"):rep(20) .. "end\n")
  mh.checkpoint.MAX_BYTES = old
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

-- Titles, labels and paths reach gnuplot as data, never as commands: a
-- backquote in a double-quoted gnuplot string runs a shell command.
function T.test_plot_quotes_titles_and_paths()
  if not os.execute("command -v gnuplot >/dev/null 2>&1") then lu.skip("gnuplot not installed") end
  local d = tmpdir()
  local pwned = d .. "/pwned"
  local evil = "`touch " .. pwned .. "`"
  local sub = d .. "/a" .. evil .. "'q\"" -- a real directory name with ` ' " in it
  local csv = mh.io.write_csv(sub .. "/r.csv", {"x", "y" .. evil}, {{0, 1}, {1, 2}})
  local png = assert(mh.plot.lines {csv = csv, png = sub .. "/p.png", columns = {"y" .. evil},
    title = "t" .. evil .. "\nset output '" .. pwned .. "'", xlabel = evil, ylabel = "'" .. evil})
  lu.assertTrue(mh.io.exists(png))
  assert(mh.plot.heatmap {png = sub .. "/h.png", matrix = {{1, 2}, {3, 4}}, row_labels = {evil, "b"},
    col_labels = {"'", "\"" .. evil}, title = evil})
  assert(mh.plot.bar_panels {png = sub .. "/b.png", title = evil, ylabel = evil,
    panels = {{title = evil, labels = {"a" .. evil, "b,\nEOD\n!touch " .. pwned}, values = {1, 2}, highlight = 1}}})
  assert(mh.plot.images {png = sub .. "/i.png", w = 1, h = 1, title = evil, images = {{img = {1}, title = evil}}})
  for _, name in ipairs {"h.png", "b.png", "i.png"} do lu.assertTrue(mh.io.exists(sub .. "/" .. name), name) end
  lu.assertFalse(mh.io.exists(pwned))
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

function T.test_staged_outputs_appear_together()
  local d = tmpdir()
  mh.io.write_csv(d .. "/a.csv", {"old"}, {{1}})
  local set = mh.io.staged(d)
  mh.io.write_csv(set.path("a.csv"), {"new"}, {{2}})
  mh.io.write_atomic(set.path("sub/b.txt"), "b")
  set.path("never_written.png")
  -- a resumed run keeps what was staged before, a new run starts empty
  lu.assertEquals(slurp(mh.io.staged(d, true).path("sub/b.txt")), "b")
  -- interrupted here: the final names still hold the old run only
  lu.assertEquals(slurp(d .. "/a.csv"), "old\n1\n")
  lu.assertNil(slurp(d .. "/sub/b.txt"))
  lu.assertEquals(#set.commit(), 2)
  lu.assertEquals(slurp(d .. "/a.csv"), "new\n2\n")
  lu.assertEquals(slurp(d .. "/sub/b.txt"), "b")
  lu.assertFalse(mh.io.exists(d .. "/.partial/a.csv"))
  H.raises("relative file name", set.path, "../x")
  mh.io.write_atomic(mh.io.staged(d).path("c.txt"), "c")
  lu.assertEquals(mh.io.staged(d).commit(), {})
  os.execute("rm -rf " .. mh.io.shell_quote(d))
end

function T.test_checkpoint_mismatch_names_the_option()
  lu.assertNil(mh.checkpoint.mismatch({a = 1, b = "x", c = 0 / 0}, {a = 1, b = "x", c = 0 / 0}))
  lu.assertEquals(mh.checkpoint.mismatch({letter_s = 5e-9}, {letter_s = 2e-9}),
                  "option --letter-s differs: checkpoint 5.0000000000000001e-09, this run 2.0000000000000001e-09")
  lu.assertEquals(mh.checkpoint.mismatch({a = 1}, {a = 1, pad = 2e-7}),
                  "option --pad differs: checkpoint (absent), this run 1.9999999999999999e-07")
  lu.assertEquals(mh.checkpoint.mismatch(nil, {}), "the checkpoint holds no run options")
end

-- checkpoint.guard passes an error of the run other than an interruption
-- on unchanged: not named after guard, no location added.
function T.test_checkpoint_guard_passes_other_errors_unchanged()
  local function guarded(err)
    local ok, got = pcall(function() mh.checkpoint.guard(function() error(err, 0) end, function() end); return 1 end)
    lu.assertFalse(ok)
    return got
  end
  lu.assertEquals(guarded("the run's own words"), "the run's own words")
  local object = {}
  lu.assertIs(guarded(object), object)
end

return {TestIO = T}
