-- Patterns, tiling and the Boolean gates of one 4-node device.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

function T.test_pattern_shapes()
  for _, name in ipairs {"i", "n", "q", "c"} do lu.assertEquals(#mh.patterns.letters3x5[name], 15) end
  local set, names = mh.patterns.set("ECPDL")
  lu.assertEquals(#set, 5); lu.assertEquals(names[3], "P")
  for _, x in ipairs(set) do lu.assertEquals(#x, 35) end
  lu.assertEquals(#mh.patterns.set("08965"), 5)
  lu.assertEquals(mh.patterns.render(mh.patterns.letters3x5.q, 3), ".##\n#.#\n.##\n..#\n..#")
  H.raises("no pattern named", mh.patterns.set, "EZ")
end

function T.test_tiles_roundtrip()
  local img = mh.patterns.letters3x5.n
  local tiles = mh.patterns.tiles(img, 3, 5)
  lu.assertEquals(#tiles, 8)
  -- tile 1 = pixels (1,1) (1,2) (2,1) (2,2) in device order TL TR BL BR
  lu.assertEquals(tiles[1], {img[1], img[2], img[4], img[5]})
  lu.assertEquals(mh.patterns.untile(tiles, 3, 5), img)
  H.raises("image of 3 x 5 = 15 pixels expected", mh.patterns.tiles, {1, 1}, 3, 5)
end

function T.test_distort_is_seeded_and_exact()
  local x = mh.patterns.letters5x7.E
  local a = mh.patterns.distort(x, 3, 42)
  lu.assertEquals(mh.patterns.hamming(a, x), 3)
  lu.assertEquals(a, mh.patterns.distort(x, 3, 42))
  lu.assertNotEquals(a, mh.patterns.distort(x, 3, 43))
  H.raises("number of flips", mh.patterns.distort, x, 36, 1)
end

function T.test_logic_truth_tables()
  for _, gate in ipairs(mh.logic.order) do
    local dev = mh.logic.program(mh.compact.new(), gate, 60)
    local rows, ok = mh.logic.truth_table(dev:weights(), gate)
    lu.assertTrue(ok, gate)
    lu.assertEquals(#rows, 4)
  end
  -- reprogramming one device through all four gates
  local dev = mh.compact.new()
  for _, gate in ipairs {"NAND", "AND", "NOR", "OR"} do
    mh.logic.program(dev, gate, 80)
    local _, ok = mh.logic.truth_table(dev:weights(), gate)
    lu.assertTrue(ok, gate .. " after reprogramming")
  end
  H.raises("unknown gate", mh.logic.truth_table, mh.compact.new():weights(), "XOR")
end

return {TestPatternsLogic = T}
