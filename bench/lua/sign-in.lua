-- Sign-ins: POST /fmerest/v3/login with Basic auth (argon2id, bounded to one hash at a time by the server).
local authorization

function init(args)
  authorization = args[1]
end

function request()
  return wrk.format("POST", "/fmerest/v3/login", { ["Authorization"] = authorization })
end

local statuses = {}
function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end
