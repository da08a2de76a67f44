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

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

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

return {TestIO = T}
