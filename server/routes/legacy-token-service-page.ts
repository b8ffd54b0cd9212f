// The small HTML form of the legacy token service at /fmetoken/ (no script: it posts a plain form).
export const TOKEN_SERVICE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tokenward token service</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
  h1 { font-size: 1.3rem; }
  label { display: block; margin-top: .8rem; font-weight: 600; }
  input, select, button { font: inherit; padding: .35rem .5rem; width: 100%; box-sizing: border-box; }
  .row { display: flex; gap: .5rem; } .row > * { flex: 1; }
  button { margin-top: 1.2rem; background: #0b5cad; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
  p.note { color: #59636e; font-size: .9rem; }
</style>
</head>
<body>
<h1>Generate a token</h1>
<p class="note">The legacy FME token service: a short-lived session token for a user name and password.
New applications should create API tokens instead.</p>
<form method="post" action="/fmetoken/service/generate">
  <label for="user">User name</label>
  <input id="user" name="user" autocomplete="username" required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <label for="expiration">Expires after</label>
  <div class="row">
    <input id="expiration" name="expiration" type="number" min="1" value="5" required>
    <select name="timeunit" aria-label="Time unit">
      <option value="second">seconds</option>
      <option value="minute" selected>minutes</option>
      <option value="hour">hours</option>
      <option value="day">days</option>
    </select>
  </div>
  <button type="submit">Generate token</button>
</form>
</body>
</html>
`;
