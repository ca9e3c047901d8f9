-- POST /api/v1/requests: a pothole at a random point downtown.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
math.randomseed(os.time())
request = function()
  local lat = 33.585 + math.random() * 0.01
  local long = -7.625 + math.random() * 0.01
  local body = string.format(
    '{"service_code": "nid-de-poule", "lat": %.6f, "long": %.6f, "description": "bench"}',
    lat, long)
  return wrk.format("POST", "/api/v1/requests", {["Content-Type"] = "application/json"}, body)
end
