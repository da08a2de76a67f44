-- Fig. 4h: 3x5 letters i, n, q, c recalled through eight 2x2 tiles, each held
-- by one 4-node compact device.
-- Usage: build/bin/maghop examples/fig4_letters_tiles.lua [--flips 1] [--seed 1] [--pulses 60] [--out out/fig4]
-- For each letter: train device t on tile t of the clean letter, distort the
-- letter (seeded pixel flips), recall every tile asynchronously with
-- w = G - Gavg, and reassemble (each pixel: sign of the sum of its tiles).
local mh = require "maghop"

local opts = mh.cli.parse({flips = 1, seed = 1, pulses = 60, out = "out/fig4", quiet = false},
  {flips = "pixels flipped in each letter before recall", seed = "seed of the pixel flips",
   pulses = "training pulses per tile", out = "output folder", quiet = "no progress line"})
local W, H = 3, 5

local rows, images, ok = {}, {}, 0
for li, name in ipairs(mh.patterns.letters3x5_order) do
  local letter = mh.patterns.letters3x5[name]
  local clean_tiles = mh.patterns.tiles(letter, W, H)
  local distorted = mh.patterns.distort(letter, math.tointeger(opts.flips), math.tointeger(opts.seed) * 100 + li)
  local recalled_tiles = {}
  for t, tile in ipairs(mh.patterns.tiles(distorted, W, H)) do
    local dev = mh.compact.new()
    dev:pulse(clean_tiles[t], opts.pulses)
    local net = mh.hopfield.new(dev:weights())
    recalled_tiles[t] = net:recall(tile, {mode = "async", seed = math.tointeger(opts.seed) * 1000 + t})
  end
  local recalled = mh.patterns.untile(recalled_tiles, W, H, distorted)
  local good = mh.patterns.hamming(recalled, letter) == 0
  if good then ok = ok + 1 end
  for _, kv in ipairs {{"original", letter}, {"distorted", distorted}, {"recalled", recalled}} do
    rows[#rows + 1] = {name, kv[1], mh.hopfield.label(kv[2])}
  end
  images[#images + 1] = {img = letter, title = name .. " original"}
  images[#images + 1] = {img = distorted, title = name .. " distorted"}
  images[#images + 1] = {img = recalled, title = name .. (good and " recalled" or " WRONG")}
end

mh.io.write_table(opts.out .. "/letters.txt", {"letter ()", "kind ()", "pixels ()"}, rows)
mh.plot.images {png = opts.out .. "/letters.png", w = W, h = H, images = images, cols = 6,
  title = ("3x5 letters through 2x2 tiles (%d flipped pixels)"):format(math.tointeger(opts.flips))}
mh.cli.summary {{"letters_ok", ok .. "/4"}, {"flips", math.tointeger(opts.flips)}}
