-- Files that peers read: the film's run table checked against the MuMax3
-- table.txt format definition (written here, not maghop's reader), VTK
-- legacy files checked structurally, autosave, exact paths and created
-- folders, the snapshot PNG, progress silence when not on a terminal.
local lu = require "luaunit"
local mh = require "maghop"
local mio = require "maghop.io"
local H = dofile("spec/helpers.lua")

local T = {}

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  return d
end

local slurp = H.slurp

local function small_film()
  local film = mh.film {nx = 8, ny = 4, nz = 1, dx = 5e-9, dz = 3e-9, demag = false, alpha = 0.5}
  film:set_uniform(1, 1, 0)
  film:set_field {0, 2e4, 0}
  return film
end

-- MuMax3 table.txt, as its documentation defines it: a first line "# "
-- followed by tab-separated column titles "name (unit)" (the unit may be
-- empty: "mx ()"), then one line per output time of tab-separated numbers,
-- as many as there are titles. A reader of that definition:
local function read_mumax3(text)
  local lines = {}
  for line in text:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  assert(lines[1]:sub(1, 2) == "# ", "header must start with '# '")
  local cols = {}
  for title in (lines[1]:sub(3) .. "\t"):gmatch("([^\t]*)\t") do
    local name, unit = title:match("^(%S+) %(([^()%s]*)%)$")
    assert(name, ("column title %q is not 'name (unit)'"):format(title))
    cols[#cols + 1] = {name = name, unit = unit}
  end
  local rows = {}
  for i = 2, #lines do
    local row = {}
    for cell in (lines[i] .. "\t"):gmatch("([^\t]*)\t") do
      row[#row + 1] = assert(tonumber(cell), ("line %d: %q is not a number"):format(i, cell))
    end
    assert(#row == #cols, ("line %d has %d values for %d columns"):format(i, #row, #cols))
    rows[#rows + 1] = row
  end
  return cols, rows
end

function T.test_run_table_is_mumax3_format_with_user_columns()
  local dir = tmpdir()
  local path = dir .. "/deep/er/table.txt" -- missing folders are created
  local film = small_film()
  local calls = 0
  local steps = film:run(50e-12, {table = path, every = 10e-12, progress = false, columns = {
    {"my_squared", "", function(f) calls = calls + 1; local _, my = f:avg(); return my * my end},
    {"t_ps", "ps", function(_, t) return t * 1e12 end},
  }})
  lu.assertTrue(steps > 0)
  local cols, rows = read_mumax3(slurp(path))
  local names, units = {}, {}
  for i, c in ipairs(cols) do names[i], units[c.name] = c.name, c.unit end
  lu.assertEquals({names[1], names[2], names[3], names[4]}, {"t", "mx", "my", "mz"})
  lu.assertEquals(units.t, "s")
  lu.assertEquals(units.mx, "")
  lu.assertEquals(units.E_total, "J")
  lu.assertEquals(units.max_torque, "A/m")
  lu.assertEquals(names[#names - 1], "my_squared")
  lu.assertEquals(names[#names], "t_ps")
  lu.assertEquals(units.t_ps, "ps")
  lu.assertEquals(#rows, 6) -- t = 0, 10, ..., 50 ps
  lu.assertEquals(calls, 6)
  for k, row in ipairs(rows) do
    lu.assertAlmostEquals(row[1], (k - 1) * 10e-12, 1e-18)
    lu.assertAlmostEquals(row[#row], row[1] * 1e12, 1e-6)
    lu.assertAlmostEquals(row[#row - 1], row[3] ^ 2, 1e-9)
  end
  local mx, my, mz = film:avg()
  lu.assertAlmostEquals(rows[6][2], mx, 1e-9)
  lu.assertAlmostEquals(rows[6][3], my, 1e-9)
  lu.assertAlmostEquals(rows[6][4], mz, 1e-9)
  -- maghop's own reader and mh.plot.lines take the same file
  local rnames, rrows, runits = mio.read_table(path)
  lu.assertEquals(rnames[2], "mx")
  lu.assertEquals(runits[1], "s")
  lu.assertEquals(#rrows, 6)
  local ok, err = mh.plot.lines {table = path, png = dir .. "/mx.png", columns = {"nope"}}
  lu.assertNil(ok)
  lu.assertStrContains(err, "no column nope")
  -- the path under its older option name, and neither or both refused
  ok, err = mh.plot.lines {csv = path, png = dir .. "/mx.png", columns = {"nope"}}
  lu.assertStrContains(err, "no column nope")
  lu.assertErrorMsgContains("option 'table'", mh.plot.lines, {png = dir .. "/mx.png", columns = {"mx"}})
  lu.assertErrorMsgContains("option 'table'", mh.plot.lines, {table = path, csv = path, png = dir .. "/mx.png", columns = {"mx"}})
  if mh.plot.available() then
    lu.assertEquals(mh.plot.lines {table = path, png = dir .. "/mx.png", columns = {"mx", "my"}}, dir .. "/mx.png")
    lu.assertTrue(mio.exists(dir .. "/mx.png"))
  end
  -- bad columns are named in the error
  lu.assertErrorMsgContains("columns[1][1]", film.run, film, 1e-12, {columns = {{"a b", "", function() return 0 end}}})
  lu.assertErrorMsgContains("must return a number", film.run, film, 1e-12,
    {table = dir .. "/t2.txt", columns = {{"x", "", function() return "x" end}}})
  os.execute("rm -rf " .. mio.shell_quote(dir))
end

function T.test_write_table_is_mumax3_format()
  local dir = tmpdir()
  assert(mio.write_table(dir .. "/a/t.txt", {{"t", "s"}, "mx ()", {"G12", "S"}}, {{0, 1, -0.5}, {1e-9, 0.5, -0.25}}))
  local cols, rows = read_mumax3(slurp(dir .. "/a/t.txt"))
  lu.assertEquals(cols, {{name = "t", unit = "s"}, {name = "mx", unit = ""}, {name = "G12", unit = "S"}})
  lu.assertEquals(rows, {{0, 1, -0.5}, {1e-9, 0.5, -0.25}})
  os.execute("rm -rf " .. mio.shell_quote(dir))
end

local host = dofile("spec/helpers.lua").host()

-- An example's numeric table (fig3's G(t), compact model) is MuMax3's
-- table.txt by the definition above, and maghop's reader agrees with it.
function T.test_example_table_is_mumax3_format()
  local dir = tmpdir()
  local p = io.popen(("%s examples/fig3_oja_evolution.lua --quick --quiet --pulses 6 --s1-pulses 3 --out %s 2>&1; echo rc=$?")
    :format(mio.shell_quote(host), mio.shell_quote(dir)))
  local text = p:read("a")
  p:close()
  lu.assertStrContains(text, "rc=0", text)
  local cols, rows = read_mumax3(slurp(dir .. "/compact.txt"))
  lu.assertEquals(cols[1], {name = "pulse", unit = ""})
  for k, pair in ipairs {"G12", "G13", "G14", "G23", "G24", "G34"} do
    lu.assertEquals(cols[k + 1], {name = pair, unit = "S"})
  end
  lu.assertEquals(#rows, 7) -- pulses 0..6
  for k, row in ipairs(rows) do lu.assertEquals(row[1], k - 1) end
  local names, rrows, units = mio.read_table(dir .. "/compact.txt")
  lu.assertEquals(names, {"pulse", "G12", "G13", "G14", "G23", "G24", "G34"})
  lu.assertEquals(units[2], "S")
  lu.assertEquals(rrows, rows)
  os.execute("rm -rf " .. mio.shell_quote(dir))
end

-- Word cells: any string without whitespace comes back as itself (quoted
-- where it would read as a number, is empty or starts with '"'); numbers
-- stay numbers, nan and inf included; an all-numeric table has no quotes.
function T.test_table_word_cells_round_trip()
  local dir = tmpdir()
  local words = {"AND", "+--+", "08965", "1e3", "nan", "-Inf", "", '"q', 'x"', '"', "|w|(1)/|w|(2)", "d<=1.00_exact",
                 "0x10", "a,b;c", "#tag", "#"} -- a line that begins with '#' would read as a comment
  local rows = {}
  for i, w in ipairs(words) do rows[i] = {w, i, i / 3} end
  rows[#rows + 1] = {"num", 1e300, -0.0}
  local path = mio.write_table(dir .. "/w.txt", {"word ()", "k ()", {"v", "m"}}, rows)
  local names, back, units = mio.read_table(path)
  lu.assertEquals(names, {"word", "k", "v"})
  lu.assertEquals(units, {"", "", "m"})
  lu.assertEquals(#back, #rows)
  for i, w in ipairs(words) do
    lu.assertEquals(back[i][1], w)
    lu.assertEquals(math.type(back[i][2]), "integer")
    lu.assertAlmostEquals(back[i][3], i / 3, 1e-9)
  end
  local text = slurp(path)
  lu.assertStrContains(text, '\n"08965"\t3\t')
  lu.assertStrContains(text, '\nAND\t1\t')
  -- numbers: nan and inf cells read back as numbers
  local np = mio.write_table(dir .. "/n.txt", {"t (s)", "x ()"}, {{0, 0 / 0}, {1e-9, math.huge}, {2e-9, -math.huge}})
  local _, nrows = mio.read_table(np)
  lu.assertTrue(nrows[1][2] ~= nrows[1][2])
  lu.assertEquals({nrows[2][2], nrows[3][2]}, {math.huge, -math.huge})
  lu.assertNotStrContains(slurp(np), '"')
  -- whitespace has no place in a word: the error names the cell
  lu.assertErrorMsgContains("row 2, column 1", mio.table_text, {"a ()"}, {{"ok"}, {"two words"}})
  lu.assertErrorMsgContains("row 1, column 2", mio.table_text, {"a ()", "b ()"}, {{1, true}})
  lu.assertErrorMsgContains("row 1, column 2", mio.table_text, {"a ()", "b ()"}, {{1}})
  lu.assertErrorMsgContains("row 2 has 3 cells for 2 columns", mio.table_text, {"a ()", "b ()"}, {{1, 2}, {1, 2, 3}})
  os.execute("rm -rf " .. mio.shell_quote(dir))
end

-- An example's table with word columns (logic gates) reads back with its
-- words as strings and its numbers as numbers.
function T.test_example_table_with_words()
  local dir = tmpdir()
  lu.assertTrue(os.execute(("%s examples/logic_gates.lua --quiet --out %s >/dev/null 2>&1")
    :format(mio.shell_quote(host), mio.shell_quote(dir))))
  local names, rows, units = mio.read_table(dir .. "/truth_tables.txt")
  lu.assertEquals(names, {"gate", "a", "b", "out", "expected", "w24", "w34", "w14"})
  lu.assertEquals({units[1], units[6]}, {"", "S"})
  lu.assertEquals(#rows, 16)
  local gates = {}
  for _, r in ipairs(rows) do
    gates[r[1]] = true
    lu.assertEquals(r[4], r[5]) -- every gate works
    lu.assertEquals(type(r[6]), "number")
  end
  lu.assertEquals(gates, {AND = true, OR = true, NAND = true, NOR = true})
  os.execute("rm -rf " .. mio.shell_quote(dir))
end

-- mh.io.read_table reads OOMMF ODT as the OOMMF manual defines it: "# ODT
-- 1.0", "# Table Start", "# Columns:" and "# Units:" lines whose entries are
-- whitespace-separated, braced when they hold spaces, then data lines.
function T.test_read_table_odt()
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write("# ODT 1.0\n# Table Start\n# Title: mmArchive Data Table\n",
    "# Columns: {Oxs_CGEvolve::Total energy} Oxs_TimeDriver::mx Oxs_TimeDriver::my {Oxs_TimeDriver::Simulation time}\n",
    "# Units: J {} {} s\n",
    "  1.5e-18  0.99 0.1 0\n  1.25e-18 0.98 0.2 1e-12\n# Table End\n")
  f:close()
  local names, rows, units = mio.read_table(path)
  os.remove(path)
  lu.assertEquals(names, {"Oxs_CGEvolve::Total energy", "Oxs_TimeDriver::mx", "Oxs_TimeDriver::my",
                          "Oxs_TimeDriver::Simulation time"})
  lu.assertEquals(units, {"J", "", "", "s"})
  lu.assertEquals(rows, {{1.5e-18, 0.99, 0.1, 0}, {1.25e-18, 0.98, 0.2, 1e-12}})
end

-- VTK legacy format, as the VTK file-format document defines it: line 1
-- "# vtk DataFile Version x.x", line 2 a title, line 3 ASCII or BINARY,
-- then DATASET STRUCTURED_POINTS, DIMENSIONS, ORIGIN, SPACING, POINT_DATA n
-- and the attribute (VECTORS name type / SCALARS name type 1 +
-- LOOKUP_TABLE), n values (x fastest); BINARY is big-endian.
local function vtk_structure(bytes)
  local lines, pos = {}, 1
  while #lines < 12 do
    local e = bytes:find("\n", pos, true)
    if not e then break end
    lines[#lines + 1] = bytes:sub(pos, e - 1)
    pos = e + 1
    if lines[#lines]:match("^VECTORS") or lines[#lines]:match("^LOOKUP_TABLE") then break end
  end
  return lines, bytes:sub(pos)
end

function T.test_vtk_files_of_m_and_of_a_field()
  local dir = tmpdir()
  local film = small_film()
  film:set_m(function(x, y) return math.cos(x / 10e-9), math.sin(x / 10e-9), 0.1 end)
  local m = film:m()
  for _, fmt in ipairs {"ascii", "binary"} do
    local path = dir .. "/sub/m_" .. fmt .. ".vtk"
    assert(film:save_vtk(path, {format = fmt}))
    local h, body = vtk_structure(slurp(path))
    lu.assertStrMatches(h[1], "# vtk DataFile Version %d%.%d")
    lu.assertEquals(h[3], fmt:upper())
    lu.assertEquals(h[4], "DATASET STRUCTURED_POINTS")
    lu.assertEquals(h[5], "DIMENSIONS 8 4 1")
    local ox, oy, oz = h[6]:match("^ORIGIN (%S+) (%S+) (%S+)$")
    lu.assertAlmostEquals(tonumber(ox), 2.5e-9, 1e-20)
    lu.assertAlmostEquals(tonumber(oz), 1.5e-9, 1e-20)
    local sx, sy, sz = h[7]:match("^SPACING (%S+) (%S+) (%S+)$")
    lu.assertEquals({tonumber(sx), tonumber(sy), tonumber(sz)}, {5e-9, 5e-9, 3e-9})
    lu.assertEquals(h[8], "POINT_DATA 32")
    lu.assertEquals(h[9], "VECTORS m double")
    local vals = {}
    if fmt == "ascii" then
      for v in body:gmatch("%S+") do vals[#vals + 1] = tonumber(v) end
    else
      lu.assertTrue(#body >= 32 * 3 * 8)
      for k = 0, 32 * 3 - 1 do vals[#vals + 1] = string.unpack(">d", body, 8 * k + 1) end
    end
    lu.assertEquals(#vals, 32 * 3)
    -- point (i, j) at index i + 8 (j - 1), x fastest
    for _, ij in ipairs {{1, 1}, {5, 2}, {8, 4}} do
      local p = ij[1] - 1 + 8 * (ij[2] - 1)
      local want = {m:get(ij[1], ij[2], 1)}
      lu.assertEquals(#want, 3)
      for q = 1, 3 do lu.assertAlmostEquals(vals[3 * p + q], want[q], 1e-15) end
    end
  end
  -- any Field: a scalar one
  local f = mh.field(3, 2, 1, 1)
  f:set(2, 1, 1, 7.5)
  f:cellsize(1e-9, 2e-9, 3e-9)
  assert(mh.vtk.write(dir .. "/s.vtk", f, {name = "energy_density", format = "ascii"}))
  local h, body = vtk_structure(slurp(dir .. "/s.vtk"))
  lu.assertEquals(h[5], "DIMENSIONS 3 2 1")
  lu.assertEquals(h[8], "POINT_DATA 6")
  lu.assertEquals(h[9], "SCALARS energy_density double 1")
  lu.assertEquals(h[10], "LOOKUP_TABLE default")
  local vals = {}
  for v in body:gmatch("%S+") do vals[#vals + 1] = tonumber(v) end
  lu.assertEquals(vals, {0, 7.5, 0, 0, 0, 0})
  lu.assertErrorMsgContains("1- or 3-component", mh.vtk.write, dir .. "/x.vtk", mh.field(2, 2, 1, 2))
  os.execute("rm -rf " .. mio.shell_quote(dir))
end

function T.test_autosave_and_created_folders()
  local dir = tmpdir()
  local film = small_film()
  assert(film:run(30e-12, {autosave = {every = 10e-12, prefix = dir .. "/auto/m"}, progress = false}))
  for k = 0, 3 do lu.assertTrue(mio.exists(("%s/auto/m%06d.ovf"):format(dir, k)), "autosave " .. k) end
  lu.assertFalse(mio.exists(dir .. "/auto/m000004.ovf"))
  local last = assert(mh.ovf.read(dir .. "/auto/m000003.ovf"))
  local a, b = {last:get(3, 2, 1)}, {film:m():get(3, 2, 1)}
  for q = 1, 3 do lu.assertAlmostEquals(a[q], b[q], 1e-6) end -- binary4 by default
  -- a second run with the same prefix continues the numbering (no second start file)
  assert(film:run(20e-12, {autosave = {every = 10e-12, prefix = dir .. "/auto/m"}, progress = false}))
  lu.assertTrue(mio.exists(dir .. "/auto/m000005.ovf"))
  lu.assertFalse(mio.exists(dir .. "/auto/m000006.ovf"))
  local fin = {film:m():get(3, 2, 1)}
  local saved = {assert(mh.ovf.read(dir .. "/auto/m000005.ovf")):get(3, 2, 1)}
  for q = 1, 3 do lu.assertAlmostEquals(saved[q], fin[q], 1e-6) end
  -- autosave at a time that is not a multiple ends the run without a save there
  assert(film:run(25e-12, {autosave = {every = 10e-12, prefix = dir .. "/b/m", vtk = true}, progress = false}))
  lu.assertTrue(mio.exists(dir .. "/b/m000002.ovf"))
  lu.assertTrue(mio.exists(dir .. "/b/m000002.vtk"))
  lu.assertFalse(mio.exists(dir .. "/b/m000003.ovf"))
  lu.assertErrorMsgContains("autosave.every", film.run, film, 1e-12, {autosave = {every = 0}})
  lu.assertErrorMsgContains("unknown option", film.run, film, 1e-12, {autosave = {evry = 1e-12}})
  -- save_ovf into missing folders; a plain file in the way gives nil, message
  assert(film:save_ovf(dir .. "/x/y/m.ovf"))
  lu.assertTrue(mio.exists(dir .. "/x/y/m.ovf"))
  local file = dir .. "/plain"
  assert(io.open(file, "w")):close()
  local ok, err = film:save_ovf(file .. "/m.ovf")
  lu.assertNil(ok)
  lu.assertStrContains(err, file)
  os.execute("rm -rf " .. mio.shell_quote(dir))
end

function T.test_snapshot_paths_are_exact()
  if not mh.plot.available() then lu.skip("gnuplot not installed") end
  local dir = tmpdir()
  local film = small_film()
  lu.assertEquals(film:snapshot(dir .. "/a/film.png", {title = "m"}), dir .. "/a/film.png")
  lu.assertTrue(mio.exists(dir .. "/a/film.png"))
  lu.assertEquals(slurp(dir .. "/a/film.png"):sub(2, 4), "PNG")
  lu.assertErrorMsgContains("unknown option", film.snapshot, film, dir .. "/b.png", {colour = 1})
  -- key = false (no colour-wheel inset) is an accepted option of the map
  lu.assertEquals(film:snapshot(dir .. "/c.png", {key = false}), dir .. "/c.png")
  local dev = mh.twin.new {nodes = 4, preset = "paper", cell = 50e-9, init = false}
  -- progress = false is an accepted pulse option (documented; it was refused as unknown)
  lu.assertIs(dev:pulse("+-+-", 0, {progress = false}), dev)
  local ovf, png = dev:snapshot(dir .. "/t/x.png")
  lu.assertEquals(png, dir .. "/t/x.png")
  lu.assertEquals(ovf, dir .. "/t/x.ovf")
  lu.assertTrue(mio.exists(dir .. "/t/x.png"))
  lu.assertTrue(mio.exists(dir .. "/t/x.ovf"))
  lu.assertFalse(mio.exists(dir .. "/t/x.png.ovf"))
  lu.assertFalse(mio.exists(dir .. "/t/x.png.png"))
  ovf, png = dev:snapshot(dir .. "/t/stem")
  lu.assertEquals({ovf, png}, {dir .. "/t/stem.ovf", dir .. "/t/stem.png"})
  os.execute("rm -rf " .. mio.shell_quote(dir))
end

-- plot.mwheel names its 'm', 'mask' and 'k' options when they are wrong (a
-- missing m failed inside the plot code with "attempt to index a nil value").
function T.test_mwheel_checks_its_field()
  local film = small_film()
  local png = tmpdir() .. "/w.png"
  lu.assertErrorMsgContains("option 'm' must be a Field", mh.plot.mwheel, {png = png})
  lu.assertErrorMsgContains("option 'm' must be a Field", mh.plot.mwheel, {png = png, m = {1, 0, 0}})
  lu.assertErrorMsgContains("option 'm' must have 3 components", mh.plot.mwheel, {png = png, m = film:mask()})
  lu.assertErrorMsgContains("option 'mask' must be a Field", mh.plot.mwheel, {png = png, m = film:m(), mask = 1})
  lu.assertErrorMsgContains("option 'k'", mh.plot.mwheel, {png = png, m = film:m(), k = 2})
end

-- Progress lines go to a terminal only: with stderr a pipe, run, relax and
-- minimize print nothing unless progress = true is asked for.
function T.test_progress_silent_off_terminal()
  local host = mio.shell_quote(arg and arg[-1] or "build/bin/maghop")
  local p = io.popen("(" .. host .. [[ -e 'local mh = require "maghop"
    local f = mh.film {nx = 8, ny = 8, dx = 5e-9, demag = false}
    f:set_field {1e4, 1e4, 0}
    f:run(20e-12); f:relax {}; f:minimize {}; print("done")' 2>&1)]])
  local out = p:read("a")
  p:close()
  lu.assertEquals(out, "done\n")
  lu.assertErrorMsgContains("progress", mh.film {nx = 2, ny = 2, dx = 5e-9}.relax, mh.film {nx = 2, ny = 2, dx = 5e-9},
    {progress = "yes"})
end

-- cli.progress (the line of twin pulse trains and the physical inference):
-- forced on off a terminal with no delay it writes the share done, the
-- elapsed time and the ETA, rewriting one line, and ends it with a newline.
function T.test_progress_line_forced()
  local host = mio.shell_quote(arg and arg[-1] or "build/bin/maghop")
  local p = io.popen("(" .. host .. [[ -e 'local mh = require "maghop"
    local p = mh.cli.progress("work", 4, {force = true, delay = 0})
    p(1); p(4); p.finish(); print("done")' 2>&1)]])
  local out = p:read("a")
  p:close()
  lu.assertNotNil(out:find("\rwork  25.0%% %(1/4%) elapsed %d+s eta %d+s"), out)
  lu.assertStrContains(out, "\rwork 100.0% (4/4)")
  lu.assertStrContains(out, "\ndone\n")
  lu.assertErrorMsgContains("option 'delay'", mh.cli.progress, "x", 3, {delay = -1})
end

return {TestOutput = T}
