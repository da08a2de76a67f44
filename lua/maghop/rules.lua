--- Software learning rules, the baselines for the device's Oja-type rule.
-- Each takes a list of ±1 patterns of equal length N and returns the N x N
-- weight matrix (an Array).
local core = require "maghop.core"
local args = require "maghop.args"

local rules = {}

--- Outer product (Hebb): w = (1/N) sum_p x^p x^pT, zero diagonal.
-- @tparam {{number,...},...} patterns list of 1..100000 ±1 patterns of equal length N
-- @treturn Array N x N weight matrix (dimensionless)
-- @raise when patterns is not a non-empty list of equal-length numeric lists
-- @usage local w = mh.rules.outer{{1, -1, 1, -1}, {1, 1, -1, -1}}
function rules.outer(patterns) return core.rule_outer(patterns) end

--- Storkey's incremental rule (zero diagonal); higher capacity than Hebb
-- and local in space and time.
-- @tparam {{number,...},...} patterns list of ±1 patterns of equal length N
-- @treturn Array N x N weight matrix (dimensionless)
-- @raise when patterns is malformed (as `rules.outer`) or the core reports a failure
function rules.storkey(patterns) return core.rule_storkey(patterns) end

--- Pseudo-inverse (projection) rule: w = (1/N) X C^-1 X^T,
-- C_uv = (1/N) x^u . x^v; every stored pattern is an exact fixed point.
-- @tparam {{number,...},...} patterns list of ±1 patterns of equal length N
-- @tparam[opt] table opts `keep_diagonal` (boolean, default false: the diagonal is zeroed)
-- @treturn Array N x N weight matrix (dimensionless)
-- @raise on an unknown option key, a non-boolean `keep_diagonal`, malformed
-- patterns, or linearly dependent patterns (singular overlap matrix C)
function rules.pinv(patterns, opts)
  opts = args.options("rules.pinv", opts, {"keep_diagonal"})
  if opts.keep_diagonal ~= nil and type(opts.keep_diagonal) ~= "boolean" then
    args.fail("rules.pinv: option 'keep_diagonal' must be true or false, got %s", args.show(opts.keep_diagonal))
  end
  return core.rule_pinv(patterns, opts.keep_diagonal or false)
end

return rules
