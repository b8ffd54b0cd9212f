-- Token creation: every request a new name, with the credential given after `--`.
local authorization
local counter = 0
local prefix

function init(args)
  authorization = args[1]
  prefix = "bench-" .. tostring(os.time()) .. "-" .. tostring(math.random(1000000))
end

function request()
  counter = counter + 1
  local body = '{"name":"' .. prefix .. "-" .. counter .. '","expirationTimeout":3600}'
  return wrk.format("POST", "/fmerest/v3/tokens", {
    ["Authorization"] = authorization,
    ["Content-Type"] = "application/json",
  }, body)
end
