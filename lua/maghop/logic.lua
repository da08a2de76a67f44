--- Boolean gates on one 4-node device (the paper's SI S10/S11).
-- Node 1 is the control, nodes 2 and 3 the inputs, node 4 the output:
--   out = sgn(x2 w24 + x3 w34 + x1 w14),  +1 = true, -1 = false.
-- Training "+---" stores w24, w34 > 0 and w14 < 0: with control +1 the bias
-- x1 w14 is negative (AND), with control -1 positive (OR). Training "+--+"
-- flips the signs of w24, w34, w14: control +1 gives NAND, -1 gives NOR.
-- The gates hold while ||w24| - |w34|| < |w14| < |w24| + |w34|.
local args = require "maghop.args"
local logic = {}

logic.gates = {
  AND  = {train = {1, -1, -1, -1}, control = 1,  fn = function(a, b) return a and b end},
  OR   = {train = {1, -1, -1, -1}, control = -1, fn = function(a, b) return a or b end},
  NAND = {train = {1, -1, -1, 1},  control = 1,  fn = function(a, b) return not (a and b) end},
  NOR  = {train = {1, -1, -1, 1},  control = -1, fn = function(a, b) return not (a or b) end},
}
logic.order = {"AND", "OR", "NAND", "NOR"}

local function gate_spec(name)
  local g = logic.gates[name]
  if not g then
    error(("unknown gate %q (expected AND, OR, NAND or NOR)"):format(tostring(name)), 3)
  end
  return g
end

--- Program a 4-node device (compact or twin) for a gate: `pulses` pulses
-- (default 60) of its training pattern. Returns the device.
-- @param dev a 4-node device with a `pulse` method (`mh.compact` or `mh.twin`)
-- @tparam string name gate: "AND", "OR", "NAND" or "NOR"
-- @tparam[opt=60] integer pulses training pulses, 0..1000000
-- @return dev (programmed in place)
-- @raise on an unknown gate name, a dev without `pulse`, pulses out of range,
-- or a device whose node count is not 4
-- @usage mh.logic.program(mh.compact.new(), "AND")
function logic.program(dev, name, pulses)
  local g = gate_spec(name)
  if (type(dev) ~= "table" and type(dev) ~= "userdata") or not dev.pulse then
    args.fail("logic.program: argument 'dev' must be a device (mh.compact or mh.twin), got %s", type(dev))
  end
  pulses = args.integer("logic.program", "argument 'pulses'", pulses, 0, 1000000, 60)
  if dev.nodes ~= 4 then error("logic.program: a 4-node device is required", 2) end
  dev:pulse(g.train, pulses or 60)
  return dev
end

--- Output of the gate for inputs a, b (booleans) from weights w (4 x 4
-- Array or table).
-- @tparam Array|table w 4 x 4 weight matrix (only w[1][4], w[2][4], w[3][4] are read)
-- @tparam string name gate: "AND", "OR", "NAND" or "NOR"
-- @tparam boolean a first input (node 2)
-- @tparam boolean b second input (node 3)
-- @treturn boolean gate output: true when x2 w24 + x3 w34 + x1 w14 > 0
-- @raise on an unknown gate, a w that is not a matrix, or non-boolean a or b
function logic.output(w, name, a, b)
  local g = gate_spec(name)
  args.matrix("logic.output", "argument 'w'", w)
  if type(a) ~= "boolean" then args.fail("logic.output: argument 'a' must be a boolean, got %s", type(a)) end
  if type(b) ~= "boolean" then args.fail("logic.output: argument 'b' must be a boolean, got %s", type(b)) end
  if type(w) ~= "table" then w = w:totable() end
  local x1, x2, x3 = g.control, a and 1 or -1, b and 1 or -1
  local h = x2 * w[2][4] + x3 * w[3][4] + x1 * w[1][4]
  return h > 0
end

--- Truth table of the gate from weights w: rows {a, b, out, expected} and
-- whether every row matches the Boolean function.
-- @tparam Array|table w 4 x 4 weight matrix
-- @tparam string name gate: "AND", "OR", "NAND" or "NOR"
-- @treturn {table,...} four rows {a =, b =, out =, expected =} (booleans)
-- @treturn boolean true when every out equals expected
-- @raise on an unknown gate or a w that is not a matrix
-- @usage local rows, ok = mh.logic.truth_table(dev:weights():totable(), "OR")
function logic.truth_table(w, name)
  local g = gate_spec(name)
  local rows, ok = {}, true
  for _, a in ipairs {false, true} do
    for _, b in ipairs {false, true} do
      local out = logic.output(w, name, a, b)
      local want = g.fn(a, b)
      rows[#rows + 1] = {a = a, b = b, out = out, expected = want}
      ok = ok and out == want
    end
  end
  return rows, ok
end

return logic
