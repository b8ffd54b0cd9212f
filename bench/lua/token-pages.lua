-- Pages of GET /fmerest/v3/tokens at random offsets, as a person paging through many tokens would.
local authorization
local total = 100000
local size = 50

function init(args)
  authorization = "fmetoken token=" .. args[1]
  total = tonumber(args[2]) or total
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), 8), 16) % 100000)
end

function request()
  local offset = math.random(0, total - size)
  return wrk.format("GET", "/fmerest/v3/tokens?limit=" .. size .. "&offset=" .. offset, { ["Authorization"] = authorization })
end
