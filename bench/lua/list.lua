-- GET /api/v1/requests: a page of 50, bbox of ~1 km around a random point + status filter.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
math.randomseed(os.time())
local statuses = {"submitted,in_progress", "closed", "resolved,closed"}
request = function()
  local x = -7.66 + math.random() * 0.12
  local y = 33.54 + math.random() * 0.07
  local path = string.format("/api/v1/requests?limit=50&status=%s&bbox=%.4f,%.4f,%.4f,%.4f",
    statuses[math.random(#statuses)], x, y, x + 0.01, y + 0.01)
  return wrk.format("GET", path)
end
