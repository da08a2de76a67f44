--- Patterns: the paper's images as ±1 vectors (row-major, top row first,
-- +1 = ink, -1 = background), 2x2 tiling of images for 4-node devices, and
-- seeded distortion.
local core = require "maghop.core"
local args = require "maghop.args"

local patterns = {}

-- Images drawn with '#' for ink and '.' for background.
local function from_rows(rows)
  local v = {}
  for _, row in ipairs(rows) do
    for ch in row:gmatch(".") do v[#v + 1] = ch == "#" and 1 or -1 end
  end
  return v
end

--- 3 wide x 5 tall lower-case letters of Fig. 4h.
patterns.letters3x5 = {
  i = from_rows {".#.", "...", ".#.", ".#.", ".#."},
  n = from_rows {"...", "##.", "#.#", "#.#", "#.#"},
  q = from_rows {".##", "#.#", ".##", "..#", "..#"},
  c = from_rows {"...", ".##", "#..", "#..", ".##"},
}
patterns.letters3x5_order = {"i", "n", "q", "c"}

--- 5 wide x 7 tall letters of Fig. 5 (E C P D L).
patterns.letters5x7 = {
  E = from_rows {"#####", "#....", "#....", "####.", "#....", "#....", "#####"},
  C = from_rows {".####", "#....", "#....", "#....", "#....", "#....", ".####"},
  P = from_rows {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."},
  D = from_rows {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."},
  L = from_rows {"#....", "#....", "#....", "#....", "#....", "#....", "#####"},
}

--- 5 wide x 7 tall digits of SI Fig. S9 (0 8 9 6 5).
patterns.digits5x7 = {
  ["0"] = from_rows {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."},
  ["8"] = from_rows {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."},
  ["9"] = from_rows {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."},
  ["6"] = from_rows {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."},
  ["5"] = from_rows {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."},
}

--- A named list of patterns: patterns.set("ECP") -> {E, C, P}, names;
-- digits by their characters: patterns.set("08965"). Each character is looked
-- up in letters5x7, then digits5x7, then letters3x5.
-- @tparam string names one character per pattern
-- @treturn {{number,...},...} the ±1 patterns (shared tables: copy before editing)
-- @treturn {string,...} the names, in order
-- @raise when names is not a string or a character names no pattern
-- @usage local pats, names = mh.patterns.set("ECP")
function patterns.set(names)
  args.type("patterns.set", "argument 'names'", names, "string")
  local list, order = {}, {}
  for ch in names:gmatch(".") do
    local p = patterns.letters5x7[ch] or patterns.digits5x7[ch] or patterns.letters3x5[ch]
    if not p then error(("patterns.set: no pattern named %q"):format(ch), 2) end
    list[#list + 1] = p
    order[#order + 1] = ch
  end
  return list, order
end

local function check_image(img, w, h, fname)
  args.integer(fname, "argument 'w'", w, 1, 4096)
  args.integer(fname, "argument 'h'", h, 1, 4096)
  if type(img) ~= "table" or #img ~= w * h then
    error(("%s: image of %d x %d = %d pixels expected, got %s"):format(
      fname, w, h, w * h, type(img) == "table" and #img or type(img)), 3)
  end
end

--- The (w-1)(h-1) overlapping 2x2 tiles (stride 1) of a w x h image, in
-- row-major order of their top-left pixel. Each tile lists its pixels in the
-- 4-node device's order: 1 top-left, 2 top-right, 3 bottom-left, 4 bottom-right.
-- @tparam {number,...} img w*h pixels, row-major
-- @tparam integer w width, 1..4096
-- @tparam integer h height, 1..4096
-- @treturn {{number,number,number,number},...} (w-1)(h-1) tiles
-- @raise when w or h is out of range or img does not have w*h pixels
function patterns.tiles(img, w, h)
  check_image(img, w, h, "patterns.tiles")
  local tiles = {}
  for r = 0, h - 2 do
    for c = 0, w - 2 do
      local tl = r * w + c + 1
      tiles[#tiles + 1] = {img[tl], img[tl + 1], img[tl + w], img[tl + w + 1]}
    end
  end
  return tiles
end

--- Reassemble tiles (as from patterns.tiles) into a w x h image: each pixel
-- takes the sign of the sum over the tiles that cover it; on a tie it keeps
-- fallback[pixel] (e.g. the input image), or +1 without one.
-- @tparam {{number,...},...} tiles (w-1)(h-1) tiles of 4 ±1 values
-- @tparam integer w width, 2..4096
-- @tparam integer h height, 2..4096
-- @tparam[opt] {number,...} fallback ±1 image of w*h pixels used on ties
-- @treturn {number,...} the w*h ±1 image
-- @raise on w/h out of range, a wrong tile count, a tile or fallback that is
-- not a ±1 list of the right length
function patterns.untile(tiles, w, h, fallback)
  local F = "patterns.untile"
  w, h = args.integer(F, "argument 'w'", w, 2, 4096), args.integer(F, "argument 'h'", h, 2, 4096)
  args.type(F, "argument 'tiles'", tiles, "table")
  if #tiles ~= (w - 1) * (h - 1) then args.fail("%s: argument 'tiles' has %d tiles, %d expected", F, #tiles, (w - 1) * (h - 1)) end
  for t = 1, #tiles do args.pm1(F, ("tiles[%d]"):format(t), tiles[t], 4) end
  if fallback ~= nil then args.pm1(F, "argument 'fallback'", fallback, w * h) end
  local sum = {}
  for k = 1, w * h do sum[k] = 0 end
  local t = 0
  for r = 0, h - 2 do
    for c = 0, w - 2 do
      t = t + 1
      local tile = tiles[t]
      local tl = r * w + c + 1
      local idx = {tl, tl + 1, tl + w, tl + w + 1}
      for q = 1, 4 do sum[idx[q]] = sum[idx[q]] + tile[q] end
    end
  end
  local img = {}
  for k = 1, w * h do
    img[k] = sum[k] > 0 and 1 or sum[k] < 0 and -1 or (fallback and fallback[k] or 1)
  end
  return img
end

--- Copy of x with k distinct pixels flipped, chosen by a seeded generator.
-- Same (x, k, seed) always gives the same result.
-- @tparam {number,...} x ±1 pattern
-- @tparam integer k pixels to flip, 0..#x
-- @tparam[opt=1] integer seed generator seed
-- @treturn {number,...} the distorted copy (x is not modified)
-- @raise when x is not a ±1 list, k is outside 0..#x, or seed is not an integer
-- @usage local noisy = mh.patterns.distort(pats[1], 3, 42)
function patterns.distort(x, k, seed)
  -- the core checks x and k's range; the argument names are ours to give
  args.integer("patterns.distort", "argument 'k'", k, 0)
  return core.flip(x, k, args.integer("patterns.distort", "argument 'seed'", seed, nil, nil, 1))
end

--- Number of pixels where two images differ.
-- @tparam {number,...} x
-- @tparam {number,...} y same length as x
-- @treturn integer count of indices with x[i] ~= y[i]
-- @raise when x or y is not a table or their lengths differ
function patterns.hamming(x, y)
  args.type("patterns.hamming", "argument 'x'", x, "table")
  args.type("patterns.hamming", "argument 'y'", y, "table")
  if #x ~= #y then args.fail("patterns.hamming: lengths %d and %d differ", #x, #y) end
  local d = 0
  for i = 1, #x do if x[i] ~= y[i] then d = d + 1 end end
  return d
end

--- Text rendering ('#' ink, '.' background), rows joined by newlines.
-- A last row shorter than w is dropped.
-- @tparam {number,...} img ±1 pixels, row-major
-- @tparam integer w width, 1..4096
-- @treturn string
-- @raise when img is not a ±1 list or w is out of range
-- @usage print(mh.patterns.render(mh.patterns.letters5x7.E, 5))
function patterns.render(img, w)
  img = args.pm1("patterns.render", "argument 'img'", img)
  w = args.integer("patterns.render", "argument 'w'", w, 1, 4096)
  local rows, row = {}, {}
  for k = 1, #img do
    row[#row + 1] = img[k] > 0 and "#" or "."
    if #row == w then rows[#rows + 1] = table.concat(row); row = {} end
  end
  return table.concat(rows, "\n")
end

return patterns
