-- validate.lua — `make validate`: every physical module against its closed
-- form or published standard problem at full size, comparisons printed.
-- Usage: build/bin/maghop scripts/validate.lua
local mio = require "maghop.io"
local host = arg[-1] or "build/bin/maghop"

local runs = {
  {"examples/validate_transport.lua"},            -- Oersted and AMR closed forms, seven-wiring twin
  {"examples/stdprob4.lua"},                      -- muMAG standard problem 4 against OOMMF
}
local failed = 0
for _, r in ipairs(runs) do
  local cmd = mio.shell_quote(host)
  for _, a in ipairs(r) do cmd = cmd .. " " .. mio.shell_quote(a) end
  print("== " .. table.concat(r, " "))
  if not os.execute(cmd) then failed = failed + 1; print("   FAILED") end
end
os.exit(failed == 0 and 0 or 1)
