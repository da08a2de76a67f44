-- Every option table refuses unknown keys and out-of-range values, naming
-- the key, the value and the accepted range, at the user's call.
local lu = require "luaunit"
local mh = require "maghop"
local H = dofile("spec/helpers.lua")

local T = {}

local dev -- one coarse twin for the transport cases
local function twin()
  dev = dev or mh.twin.new {nodes = 4, cell = 50e-9, init = false}
  return dev
end

function T.test_unknown_keys_are_refused()
  H.raises("compact.new: unknown option 'bogus' (accepted: G0, Gavg, alpha,", mh.compact.new, {bogus = 1})
  H.raises("compact.grid: unknown option 'col'", mh.compact.grid, {col = 3})
  H.raises("twin.new: unknown option 'widht'", mh.twin.new, {widht = 5e-9})
  local net = mh.hopfield.new {{0, 1}, {1, 0}}
  H.raises("recall: unknown option 'mod' (accepted: mode, seed, max_sweeps)", net.recall, net, {1, 1}, {mod = "async"})
  H.raises("rules.pinv: unknown option 'keep'", mh.rules.pinv, {{1, -1, 1}}, {keep = true})
  H.raises("rules.pinv: option 'keep_diagonal' must be true or false", mh.rules.pinv, {{1, -1, 1}}, {keep_diagonal = 1})
  local d = twin()
  H.raises("twin:pulse: unknown option 'wdth' (accepted: progress, rest, volts, width)", d.pulse, d, "++--", 1, {wdth = 1e-9})
  H.raises("twin:recall: unknown option 'phys'", d.recall, d, "+-+-", {phys = true})
  H.raises("amr.measure: unknown option 'curent'", mh.amr.measure, d.film, d.el, "+--+", {curent = 1e-3})
  H.raises("compact.fit: unknown option 'row'", mh.compact.fit, {row = {}})
end

-- A value the Lua half hands to a C function is refused in the public
-- function's name: "amr.conductance: ...", not "bad argument #3 to
-- 'amr_solver' (...)" of an internal call the user never made.
function T.test_errors_name_the_public_function()
  local d = twin()
  for _, case in ipairs {
    {"amr.conductance: sigma0 must be in (0, 1e9] S/m, got -1", mh.amr.conductance, d.film, d.el, {sigma0 = -1}},
    {"amr.conductance: solver must be one of", mh.amr.conductance, d.film, d.el, {solver = "foo"}},
    {"rules.storkey: pattern 1: entry 2 is 2", mh.rules.storkey, {{1, 2}}},
    {"hopfield.new: row 2 must be", mh.hopfield.new, {{0, 1}, {1}}},
    {"twin:recall: ", d.recall, d, "+-+-", {mode = "fast"}},
  } do
    local ok, err = pcall(table.unpack(case, 2))
    lu.assertFalse(ok)
    lu.assertStrContains(err, case[1])
    lu.assertNil(err:find("bad argument", 1, true), err)
  end
end

function T.test_out_of_range_values_are_refused()
  local d = twin()
  H.raises("twin:pulse: option 'rest' = -1 outside the accepted range [0, 1e-06] s", d.pulse, d, "++--", 1, {rest = -1})
  H.raises("twin.new: option 'xi' = nan: finite number expected", mh.twin.new, {xi = 0 / 0})
  H.raises("series_resistance[4] must be a number >= 0 ohm, got a string", mh.oersted.solve,
           {film = d.film, electrodes = d.el, volts = "+-+-", series_resistance = {1, 2, 3, "x"}})
  H.raises("target_peak_H = 0 outside 0 < target_peak_H <= 1e8 A/m", mh.oersted.solve,
           {film = d.film, electrodes = d.el, volts = "+-+-", target_peak_H = 0})
  H.raises("amr.measure: option 'current' = 0 outside the accepted range (0, 1] A", mh.amr.measure, d.film, d.el,
           "+--+", {current = 0})
  H.raises("amr.infer: option 'xi' = nan: finite number expected", mh.amr.infer, d.film, d.el, "+-+-", {xi = 0 / 0})
  H.raises("hopfield.parse: label '+-x-': character 3 is 'x'; only '+' and '-' are accepted", mh.hopfield.parse, "+-x-")
  H.raises("compact.new: option 'alpha' = 5000 outside the accepted range (0, 1666.67) V^2/S (Eq. 2 is unstable",
           mh.compact.new, {alpha = 5000})
  H.raises("compact.new: option 'cols' = 0 outside the accepted range 1..4", mh.compact.new, {cols = 0})
  H.raises("state: n must be an integer in 1..52, got 0", mh.hopfield.state, 1, 0)
end

-- The error names the line of the user's call, not a line inside maghop.
function T.test_errors_point_at_the_call()
  local ok, err = pcall(function() local c = mh.compact.new {bogus = 1}; return c end)
  lu.assertFalse(ok)
  lu.assertStrMatches(err, "^spec/options_spec%.lua:%d+: compact%.new: unknown option 'bogus'.*")
  ok, err = pcall(function() local c = mh.compact.new {alpha = 1e5}; return c end) -- raised in C
  lu.assertStrMatches(err, "^spec/options_spec%.lua:%d+: .*")
  local d = twin()
  ok, err = pcall(function() d:pulse("++--", 1, {rest = -1}); return 1 end)
  lu.assertStrMatches(err, "^spec/options_spec%.lua:%d+: twin:pulse: option 'rest'.*")
end

-- A user callback's own error leaves the public function that called it
-- as the user raised it: no public name put in front, no location added, a
-- "bad argument" message of the user's kept whole.
function T.test_callback_errors_pass_unchanged()
  local dev = mh.compact.new {nodes = 4}
  local pats = {{1, -1, 1, -1}}
  local function raised(fn)
    local ok, err = pcall(function() mh.pairwise.record(dev, pats, {on_pulse = fn}); return 1 end)
    lu.assertFalse(ok)
    return err
  end
  lu.assertEquals(raised(function() error("my own words", 0) end), "my own words")
  lu.assertEquals(raised(function() error("bad argument #2 to 'mine' (my words)", 0) end),
                  "bad argument #2 to 'mine' (my words)")
  lu.assertStrMatches(raised(function() error("at my line") end), "^spec/options_spec%.lua:%d+: at my line$")
  local object = {}
  lu.assertIs(raised(function() error(object) end), object)
end

return {TestOptions = T}
