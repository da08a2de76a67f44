--- Solvers cached per film, shared by the AMR read-out and the Oersted
-- write path: a factorization is built once per (film, options, pads) key
-- and reused while the film lives (weak keys), at most `max` per film.
local cache = {}

--- A cache: get(film, key, make) returns the solver stored for film and
-- key (a string), building it with make() on a miss. When a film already
-- holds `max` solvers, its entries are dropped before the new one is kept.
-- Entries are weakly keyed by film, so they go when the film is collected.
-- @tparam integer max most solvers kept per film (not checked: internal helper)
-- @treturn function get(film, key, make) -> the cached or newly made solver;
-- errors raised by make() propagate unchanged
-- @usage local solvers = require("maghop.cache").new(16)
function cache.new(max)
  local per_film = setmetatable({}, {__mode = "k"}) -- film -> {n =, solvers = {[key] = solver}}
  return function(film, key, make)
    local per = per_film[film]
    if not per then per = {n = 0, solvers = {}}; per_film[film] = per end
    local s = per.solvers[key]
    if not s then
      s = make()
      if per.n >= max then per.n, per.solvers = 0, {} end
      per.solvers[key], per.n = s, per.n + 1
    end
    return s
  end
end

return cache
