-- OVF reader/writer (csrc/core/io/ovf.c) through core.ovf_read/ovf_write:
-- round trips in the three formats, OVF 1.0, the shared OOMMF start file of
-- standard problem 4, every malformed-file case (nil, message; never a
-- crash) and the inputs the fuzzer once tripped on (spec/data/ovf_crashes).
local lu = require "luaunit"
local core = require("maghop").core
local H = dofile("spec/helpers.lua")

local T = {}
local START = "../shared/data/stdprob4/stdprob4-cs2.50x2.50x3.00-start.omf"

local slurp = H.slurp

local function spit(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- A 4x3x2 field with values that are not exact in float32.
local function sample(ncomp)
  local f = core.field(4, 3, 2, ncomp)
  f:cellsize(2e-9, 3e-9, 1.5e-9)
  local t = 0
  for k = 1, 2 do for j = 1, 3 do for i = 1, 4 do
    local v = {}
    for q = 1, ncomp do
      t = t + 1
      v[q] = math.sin(t * 1.234567) * 10 ^ (t % 5 - 2) / 3
    end
    f:set(i, j, k, table.unpack(v))
  end end end
  return f
end

local function max_rel_diff(a, b)
  local nx, ny, nz, nc = a:shape()
  local worst = 0
  for k = 1, nz do for j = 1, ny do for i = 1, nx do
    local x, y = {a:get(i, j, k)}, {b:get(i, j, k)}
    for q = 1, nc do
      local d = math.abs(x[q] - y[q])
      if d > 0 then worst = math.max(worst, d / math.abs(x[q])) end
    end
  end end end
  return worst
end

function T.test_round_trip_three_formats()
  local path = os.tmpname()
  for _, nc in ipairs{3, 1} do
    local f = sample(nc)
    for _, fmt in ipairs{"binary8", "text", "binary4"} do
      lu.assertTrue(core.ovf_write(path, f, {format = fmt, title = "round trip", desc = "a\nb"}))
      local g, h = core.ovf_read(path)
      lu.assertNotNil(g, h)
      lu.assertEquals({g:shape()}, {4, 3, 2, nc})
      lu.assertEquals({g:cellsize()}, {2e-9, 3e-9, 1.5e-9})
      lu.assertEquals(h.format, fmt)
      lu.assertEquals(h.version, 2)
      lu.assertEquals(h.title, "round trip")
      lu.assertEquals(h.desc, "a\nb")
      lu.assertEquals(h.valuedim, nc)
      lu.assertAlmostEquals(h.xbase, 1e-9, 1e-24)
      local err = max_rel_diff(f, g)
      if fmt == "binary4" then
        lu.assertTrue(err > 0 and err < 6e-8, "binary4 error " .. err)
      else
        lu.assertEquals(err, 0) -- binary8 and %.17g text are exact
      end
    end
  end
  os.remove(path)
end

function T.test_written_header_and_check_values()
  local path = os.tmpname()
  core.ovf_write(path, sample(3), {format = "binary4"})
  local s = slurp(path)
  lu.assertStrContains(s, "# OOMMF OVF 2.0\n")
  lu.assertStrContains(s, "# meshtype: rectangular\n")
  lu.assertStrContains(s, "# xnodes: 4\n")
  lu.assertStrContains(s, "# valuedim: 3\n")
  lu.assertStrContains(s, "# valuelabels: m_x m_y m_z\n")
  local at = s:find("# Begin: Data Binary 4\n", 1, true)
  local check = string.unpack("<f", s, at + #"# Begin: Data Binary 4\n")
  lu.assertEquals(check, 1234567.0)
  lu.assertStrContains(s, "# End: Data Binary 4\n# End: Segment\n")
  core.ovf_write(path, sample(3), {format = "binary8"})
  s = slurp(path)
  at = s:find("# Begin: Data Binary 8\n", 1, true)
  lu.assertEquals(string.unpack("<d", s, at + #"# Begin: Data Binary 8\n"), 123456789012345.0)
  os.remove(path)
end

function T.test_reads_ovf1_big_endian_with_multiplier()
  local hdr = table.concat({
    "# OOMMF: rectangular mesh v1.0", "# Segment count: 1", "# Begin: Segment", "# Begin: Header",
    "# Title: one", "# meshtype: rectangular", "# meshunit: m",
    "# xbase: 5e-10", "# ybase: 5e-10", "# zbase: 5e-10",
    "# xstepsize: 1e-9", "# ystepsize: 1e-9", "# zstepsize: 1e-9",
    "# xnodes: 2", "# ynodes: 2", "# znodes: 1", "# valueunit: A/m", "# valuemultiplier: 2",
    "# ValueRangeMaxMag: 1", "# ValueRangeMinMag: 0", "# End: Header", "# Begin: Data Binary 4", ""}, "\n")
  local data = {string.pack(">f", 1234567.0)}
  for v = 0, 11 do data[#data + 1] = string.pack(">f", 0.5 * v) end
  local path = os.tmpname()
  spit(path, hdr .. table.concat(data) .. "\n# End: Data Binary 4\n# End: Segment\n")
  local f, h = core.ovf_read(path)
  lu.assertNotNil(f, h)
  lu.assertEquals(h.version, 1)
  lu.assertEquals(h.valueunits, "A/m")
  lu.assertEquals({f:get(1, 1)}, {0, 1, 2}) -- node-interleaved file order, times 2
  lu.assertEquals({f:get(2, 2)}, {9, 10, 11})
  os.remove(path)
end

function T.test_shared_oommf_start_file_loads_exactly()
  local fh = io.open(START, "rb")
  if not fh then
    print("note: " .. START .. " absent; skipping the OOMMF start-file test")
    lu.skip("shared start file absent")
  end
  local raw = fh:read("a")
  fh:close()
  local f, h = core.ovf_read(START)
  lu.assertNotNil(f, h)
  lu.assertEquals({f:shape()}, {200, 50, 1, 3})
  lu.assertEquals(h.format, "binary8")
  lu.assertEquals(h.title, "Oxs_MinDriver::Spin")
  lu.assertAlmostEquals(h.dx, 2.5e-9, 1e-22)
  lu.assertAlmostEquals(h.dz, 3e-9, 1e-22)
  -- decode the data block independently and compare bit for bit
  local tag = "# Begin: Data Binary 8\n"
  local pos = raw:find(tag, 1, true) + #tag
  lu.assertEquals(string.unpack("<d", raw, pos), 123456789012345.0)
  pos = pos + 8
  local bad = 0
  for j = 1, 50 do
    for i = 1, 200 do
      local x, y, z
      x, y, z, pos = string.unpack("<ddd", raw, pos)
      local a, b, c = f:get(i, j)
      if a ~= x or b ~= y or c ~= z then bad = bad + 1 end
    end
  end
  lu.assertEquals(bad, 0)
  local mx, my = f:avg()
  lu.assertTrue(mx > 0.96 and mx < 0.97 and my > 0.12 and my < 0.13) -- the S-state
end

-- Every malformed variant must give nil and a message naming the problem.
function T.test_malformed_files_give_messages()
  local path = os.tmpname()
  core.ovf_write(path, sample(3), {format = "text"})
  local text = slurp(path)
  core.ovf_write(path, sample(3), {format = "binary8"})
  local b8 = slurp(path)
  local data_at = b8:find("# Begin: Data Binary 8\n", 1, true) + #"# Begin: Data Binary 8\n"
  local function sub(s, a, b) -- plain replace of the first a by b
    local i, j = s:find(a, 1, true)
    assert(i, a)
    return s:sub(1, i - 1) .. b .. s:sub(j + 1)
  end
  local cases = {
    {"", "empty"},
    {"hello world\n", "not an OVF file"},
    {b8:sub(1, #b8 - 100), "truncated"},
    {b8:sub(1, data_at + 20), "truncated"},
    {text:sub(1, #text - 200), "truncated"},
    {b8:sub(1, data_at - 1) .. string.pack("<d", 1.0) .. b8:sub(data_at + 8), "check value"},
    {b8:sub(1, data_at - 1) .. string.pack("<d", 123456789012345.0):reverse() .. b8:sub(data_at + 8),
     "check value"},
    {b8:sub(1, data_at + 7) .. string.pack("<d", 0 / 0) .. b8:sub(data_at + 16), "not finite"},
    {b8:sub(1, data_at + 7) .. string.pack("<d", math.huge) .. b8:sub(data_at + 16), "not finite"},
    {sub(text, "# xnodes: 4\n", ""), "lacks xnodes"},
    {sub(text, "# zstepsize: 1.5e-09\n", ""), "lacks zstepsize"},
    {sub(text, "# valuedim: 3\n", ""), "lacks valuedim"},
    {sub(text, "# meshtype: rectangular\n", ""), "lacks meshtype"},
    {sub(text, "# meshtype: rectangular", "# meshtype: irregular"), "irregular"},
    {sub(text, "# xnodes: 4", "# xnodes: 5"), "disagrees"},
    {sub(text, "# xnodes: 4", "# xnodes: four"), "xnodes"},
    {sub(text, "# xnodes: 4", "# xnodes: 0"), "xnodes"},
    {sub(text, "# xnodes: 4", "# xnodes: -3"), "xnodes"},
    {sub(text, "# xnodes: 4", "# xnodes: 99999999999999999999"), "xnodes"},
    {sub(sub(sub(text, "# xnodes: 4", "# xnodes: 16777216"), "# ynodes: 3", "# ynodes: 16777216"),
         "# xmax", "# x_max"):gsub("# ymax", "# y_max"), "exceeds"},
    {sub(sub(text, "# ynodes: 3", "# ynodes: 10000"), "# ymax", "# y_max"), "truncated"},
    {sub(text, "# ystepsize: 3e-09", "# ystepsize: -3e-9"), "must be > 0"},
    {sub(text, "# ystepsize: 3e-09", "# ystepsize: nan"), "ystepsize"},
    {sub(text, "# valuedim: 3", "# valuedim: 0"), "valuedim"},
    {sub(text, "# valuedim: 3", "# valuedim: 1000"), "valuedim"},
    {sub(text, "# Begin: Data Text\n", "# Begin: Data Text\nnan "), "not finite"},
    {sub(text, "# Begin: Data Text\n", "# Begin: Data Text\n1e999 "), "not finite"},
    {sub(text, "# Begin: Data Text\n", "# Begin: Data Text\n1.0abc "), "bad number"},
    {sub(text, "# End: Data Text", "0 0 0\n# End: Data Text"), "more data"},
    {sub(text, "# End: Data Text", "# End: Data Binary 8"), "does not match"},
    {sub(text, "# End: Segment\n", ""), "End: Segment"},
    {sub(text, "# Begin: Data Text", "# Begin: Data Binary 16"), "unknown data format"},
    {sub(text, "# End: Header\n", ""), "before the header ended"},
  }
  for n, c in ipairs(cases) do
    spit(path, c[1])
    local f, msg = core.ovf_read(path)
    lu.assertNil(f, "case " .. n .. " was accepted")
    lu.assertIsString(msg)
    lu.assertStrContains(msg, c[2], false, "case " .. n)
  end
  local f, msg = core.ovf_read(path .. ".does-not-exist")
  lu.assertNil(f)
  lu.assertStrContains(msg, "No such file")
  os.remove(path)
end

-- Inputs that once made the fuzzer (make fuzz) fail: each must be refused
-- with a message, or read and then survive a binary8 round trip unchanged.
function T.test_fuzzer_regressions()
  local p = io.popen("ls spec/data/ovf_crashes 2>/dev/null")
  local names = {}
  for line in p:lines() do names[#names + 1] = line end
  p:close()
  lu.assertTrue(#names > 0)
  local tmp = os.tmpname()
  for _, name in ipairs(names) do
    local f, h = core.ovf_read("spec/data/ovf_crashes/" .. name)
    if f == nil then
      lu.assertIsString(h)
    else
      lu.assertTrue(core.ovf_write(tmp, f, {format = "binary8"}))
      local g, msg = core.ovf_read(tmp)
      lu.assertNotNil(g, name .. ": " .. tostring(msg))
      lu.assertEquals(max_rel_diff(f, g), 0)
    end
  end
  os.remove(tmp)
end

function T.test_write_errors()
  local f = sample(3)
  H.raises("format", core.ovf_write, "/tmp/x.ovf", f, {format = "binary16"})
  H.raises("unknown option", core.ovf_write, "/tmp/x.ovf", f, {fromat = "text"})
  H.raises("cell size", core.ovf_write, "/tmp/x.ovf", core.field(2, 2, 1, 3))
  -- a folder that cannot be created (a plain file is in the way): nil, message
  local file = os.tmpname()
  local ok, msg = core.ovf_write(file .. "/sub/x.ovf", f)
  os.remove(file)
  lu.assertNil(ok)
  lu.assertStrContains(msg, file)
end

return {TestOvf = T}
