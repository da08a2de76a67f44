-- spec/run.lua — run every spec/*_spec.lua with LuaUnit and end with the
-- plain line "N passed, N failed" (counts read from LuaUnit's runner).
-- Usage: build/bin/maghop spec/run.lua [pattern]   (pattern filters test names)
local lu = require "luaunit"

local function spec_files()
  local files = {}
  local p = io.popen("ls spec/*_spec.lua 2>/dev/null")
  for line in p:lines() do files[#files + 1] = line end
  p:close()
  return files
end

for _, path in ipairs(spec_files()) do
  local chunk = assert(loadfile(path))
  local suite = chunk()
  if type(suite) == "table" then
    for name, t in pairs(suite) do _G[name] = t end
  end
end

local runner = lu.LuaUnit.new()
runner:setOutputType("text")
local args = {}
if arg and arg[1] then args = {"-p", arg[1]} end
runner:runSuite(table.unpack(args))
local r = runner.result
-- runCount excludes skipped tests; notSuccessCount = failures + errors
local failed = r.failureCount + r.errorCount
local passed = r.runCount - failed
local skipped = r.skippedCount or 0
print(("%d passed, %d failed"):format(passed, failed) .. (skipped > 0 and (", %d skipped"):format(skipped) or ""))
os.exit(failed == 0 and r.runCount > 0 and 0 or 1)
