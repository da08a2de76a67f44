-- Command line: example option parsing with argparse (values, flags,
-- underscores, errors) and `--help` on every example script.
local lu = require "luaunit"
local mh = require "maghop"
local mio = require "maghop.io"

local T = {}

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"__rc=$?\"")
  local out = p:read("a")
  p:close()
  local rc = tonumber(out:match("__rc=(%d+)%s*$"))
  return rc, out:gsub("__rc=%d+%s*$", "")
end

local HOST = dofile("spec/helpers.lua").host()

function T.test_parse_values_flags_and_positionals()
  local spec = {n = 3, width = 5e-9, name = "a", quick = false, plot = true, s1_pulses = 0}
  local o = mh.cli.parse(spec, {width = {"pulse width", "s"}},
    {"--n=5", "--width", "2e-9", "--quick", "--no-plot", "--s1_pulses", "7", "pos1", "--name", "b c"})
  lu.assertEquals(o.n, 5)
  lu.assertEquals(math.type(o.n), "integer")
  lu.assertEquals(o.width, 2e-9)
  lu.assertEquals(o.name, "b c")
  lu.assertTrue(o.quick)
  lu.assertFalse(o.plot)
  lu.assertEquals(o.s1_pulses, 7)
  lu.assertEquals(o[1], "pos1")
  local d = mh.cli.parse(spec, nil, {})
  lu.assertEquals(d.n, 3)
  lu.assertEquals(d.width, 5e-9)
  lu.assertFalse(d.quick)
  lu.assertTrue(d.plot)
  lu.assertEquals(d.s1_pulses, 0)
  lu.assertNil(d[1])
end

function T.test_parse_errors_are_usage_errors()
  local function usage_error(args)
    local ok, err = pcall(mh.cli.parse, {n = 3, quick = false}, nil, args)
    lu.assertFalse(ok)
    lu.assertEquals(type(err), "table")
    return err.msg
  end
  lu.assertStrContains(usage_error({"--bogus"}), "unknown option '--bogus'")
  lu.assertStrContains(usage_error({"--n", "abc"}), 'option --n: number expected, got "abc"')
  lu.assertStrContains(usage_error({"--n"}), "--n")
  local ok, err = pcall(mh.cli.parse, {n = {}}, nil, {})
  lu.assertFalse(ok)
  lu.assertStrContains(err, "default of option n must be a boolean, number or string")
end

function T.test_every_example_help_lists_every_option()
  local p = io.popen("ls examples/*.lua")
  local n = 0
  for path in p:lines() do
    local src = assert(io.open(path)):read("a")
    local rc, out = sh(mio.shell_quote(HOST) .. " " .. mio.shell_quote(path) .. " --help")
    lu.assertEquals(rc, 0, path .. ": " .. out)
    lu.assertStrContains(out, "Usage: ")
    lu.assertNotStrContains(out, "(no description)", false)
    -- every option the script reads appears with a description
    local seen = 0
    for key in src:match("mh%.cli%.parse(%b())"):match("^%(%s*(%b{})"):gmatch("([%a][%w_]*)%s*=") do
      local flag = "--" .. key:gsub("_", "-")
      lu.assertStrContains(out, flag)
      seen = seen + 1
    end
    lu.assertTrue(seen > 0, path)
    -- number and string options show their default
    lu.assertStrContains(out, "(default: ")
    n = n + 1
  end
  p:close()
  lu.assertTrue(n >= 10)
end

-- Without gnuplot an example still writes its tables and says once (not
-- once per figure), on stderr, that the PNGs are skipped.
function T.test_missing_gnuplot_warns_once()
  local out_dir = os.tmpname()
  os.remove(out_dir)
  local rc, out = sh("(env MAGHOP_GNUPLOT=/nonexistent/gnuplot " .. mio.shell_quote(HOST) .. " examples/fig3_oja_evolution.lua --quick --out "
    .. mio.shell_quote(out_dir) .. " >/dev/null)")
  local tables = mio.exists(out_dir .. "/compact.txt") and mio.exists(out_dir .. "/compact_s1.txt")
  local png = mio.exists(out_dir .. "/compact.png") or mio.exists(out_dir .. "/compact_s1.png")
  os.execute("rm -rf " .. mio.shell_quote(out_dir))
  lu.assertEquals(rc, 0, out)
  lu.assertTrue(tables)
  lu.assertFalse(png)
  local _, count = out:gsub("gnuplot not found", "")
  lu.assertEquals(count, 1, out)
end

return {TestCli = T}
