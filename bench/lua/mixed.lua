-- A replay of a day's mix: 70 % follow one report, 20 % browse a page, 10 % file one.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
math.randomseed(os.time())
request = function()
  local r = math.random()
  if r < 0.7 then
    return wrk.format("GET", "/api/v1/requests/" .. codes[math.random(#codes)])
  elseif r < 0.9 then
    local x = -7.66 + math.random() * 0.12
    local y = 33.54 + math.random() * 0.07
    return wrk.format("GET", string.format(
      "/api/v1/requests?limit=50&status=closed&bbox=%.4f,%.4f,%.4f,%.4f", x, y, x + 0.01, y + 0.01))
  end
  local body = string.format(
    '{"service_code": "nid-de-poule", "lat": %.6f, "long": %.6f}',
    33.585 + math.random() * 0.01, -7.625 + math.random() * 0.01)
  return wrk.format("POST", "/api/v1/requests", {["Content-Type"] = "application/json"}, body)
end
