-- Arrays behave like Lua sequences where that is safe: v[i], m[i][j],
-- ipairs, == on contents, printing of any size; non-finite entries never
-- get in (the same values are refused in an Array as in a table).
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

function T.test_vector_indexing_and_ipairs()
  local v = mh.array {1.5, -2, 3}
  lu.assertEquals({v[1], v[2], v[3]}, {1.5, -2, 3})
  lu.assertNil(v[4]) -- like a sequence: ipairs stops here
  lu.assertNil(v[0])
  local s, n = 0, 0
  for i = 1, #v do s = s + v[i] end
  for i, x in ipairs(v) do n = n + 1; lu.assertEquals(x, v:get(i)) end
  lu.assertEquals(s, 2.5)
  lu.assertEquals(n, 3)
  v[2] = 7
  lu.assertEquals(v:get(2), 7)
  H.raises("Array index must be an integer, got 1.5", function() return v[1.5] end)
  H.raises("Array index must be an integer, got a boolean", function() return v[true] end)
  H.raises("Array index 4 outside 1..3", function() v[4] = 1 end)
  H.raises("Array entry [2,1]: finite number expected, got", function() v[2] = 0 / 0 end)
  H.raises("number expected, got a string", function() v[2] = "x" end)
  lu.assertEquals(v:get(2), 7)
end

function T.test_matrix_rows()
  local m = mh.array {{1, 2, 3}, {4, 5, 6}}
  lu.assertEquals(m[2][3], 6)
  lu.assertEquals(#m, 2)
  lu.assertEquals(#m[1], 3)
  lu.assertNil(m[3])
  lu.assertNil(m[1][4])
  m[1][2] = -1 -- a row is a view: writes reach the matrix
  lu.assertEquals(m:get(1, 2), -1)
  local seen = {}
  for i, row in ipairs(m) do for j, x in ipairs(row) do seen[#seen + 1] = x; lu.assertEquals(x, m:get(i, j)) end end
  lu.assertEquals(seen, {1, -1, 3, 4, 5, 6})
  H.raises("assign an entry as m[i][j] = x", function() m[1] = 0 end)
  H.raises("Array column index 4 outside 1..3", function() m[1][4] = 0 end)
  H.raises("Array entry [2,1]: finite number expected", function() m[2][1] = math.huge end)
  lu.assertStrContains(tostring(m[2]), "Array row 2 of 2x3")
  local row = m[1]
  m:close()
  H.raises("row 1 of a closed Array", function() return row[1] end)
end

function T.test_equality_compares_contents()
  local a = mh.array {{1, 2}, {3, 4}}
  lu.assertTrue(a == mh.array {{1, 2}, {3, 4}})
  lu.assertTrue(a == a:copy())
  lu.assertFalse(a == mh.array {{1, 2}, {3, 5}})
  lu.assertFalse(a == a:t())
  lu.assertFalse(mh.array {1, 2, 3, 4} == mh.array {{1, 2, 3, 4}}) -- same entries, other shape
  lu.assertTrue(a ~= mh.zeros(2, 2))
end

function T.test_printing_any_size()
  lu.assertEquals(tostring(mh.array {{1, -2.5}, {1e-9, 4}}), "Array 2x2\n      1  -2.5\n  1e-09     4")
  local m = mh.zeros(9, 9)
  m:set(9, 9, 42)
  local s = tostring(m)
  lu.assertStrContains(s, "Array 9x9")
  lu.assertEquals(select(2, s:gsub("\n", "")), 9) -- every row
  lu.assertStrContains(s, "42")
  local big = mh.zeros(1000, 30)
  for i = 1, 1000 do big:set(i, 1, i) end
  big:set(1000, 30, -7)
  s = tostring(big)
  lu.assertStrContains(s, "Array 1000x30")
  local lines = {}
  for l in s:gmatch("[^\n]+") do lines[#lines + 1] = l end
  lu.assertEquals(#lines, 1 + 7) -- 3 rows, "...", 3 rows
  lu.assertStrContains(lines[2], "1")
  lu.assertStrContains(lines[2], "...")
  lu.assertStrContains(lines[5], "...")
  lu.assertStrContains(lines[8], "1000")
  lu.assertStrContains(lines[8], "-7")
  lu.assertEquals(select(2, lines[2]:gsub("%S+", "")), 7) -- 3 columns, "...", 3 columns
end

function T.test_non_finite_never_enters()
  local big = mh.array {{0, 1e300}, {1e300, 0}}
  H.raises("Array arithmetic (*) overflows: entry [1,1] is inf", function() return big * big end)
  H.raises("overflows", function() return big * 1e10 end)
  local huge = mh.array {1.5e308, 1}
  H.raises("Array arithmetic (+) overflows: entry [1,1] is inf", function() return huge + huge end)
  H.raises("Array arithmetic (-) overflows", function() return -huge - huge end)
  lu.assertEquals((big * 0.5):get(1, 2), 5e299)
end

-- An Array is copied into C by one reader that checks every entry as it
-- does for tables; Arrays made by arithmetic cannot hold NaN/inf (above),
-- so the table path exercises the same check for both.
function T.test_consumers_refuse_non_finite_entries()
  local c = mh.compact.new()
  for _, bad in ipairs {0 / 0, math.huge, -math.huge} do
    local rows = {}
    for i = 1, 4 do rows[i] = {table.unpack(mh.compact.paper.G0[i])} end
    rows[1][2], rows[2][1] = bad, bad
    H.raises("not finite", mh.hopfield.new, rows)
    H.raises("not finite", c.set_conductance, c, rows)
    H.raises("is not a finite number", mh.compact.new, {G0 = rows})
    H.raises("not finite", mh.array, rows)
  end
end

return {TestArray = T}
