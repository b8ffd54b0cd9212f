-- Sign-ins: POST /fmerest/v3/login with Basic auth, rotating among the credentials given after `--`
-- (several users, so that the server's per-account turns do not hide the hashing bound being measured).
local credentials = {}
local next_index = 0

function init(args)
  for i = 1, #args do credentials[#credentials + 1] = args[i] end
end

function request()
  next_index = next_index % #credentials + 1
  return wrk.format("POST", "/fmerest/v3/login", { ["Authorization"] = credentials[next_index] })
end
