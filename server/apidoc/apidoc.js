// The docs page: Swagger UI on the generated document, and Get Token, which signs in for a 1-hour apidoc token.
// Served as a file (no inline script, so the page keeps working under a strict Content-Security-Policy).
(() => {
  const OPENAPI_URL = '/fmerest/v3/openapi.json';
  const LOGIN_URL = '/fmerest/v3/login';

  let markSpecLoaded;
  const specLoaded = new Promise((resolve) => {
    markSpecLoaded = resolve;
  });

  const ui = window.SwaggerUIBundle({
    url: OPENAPI_URL,
    dom_id: '#swagger-ui',
    // Never send the document to validator.swagger.io: the page must not talk to anything but this server.
    validatorUrl: null,
    layout: 'BaseLayout',
    presets: [window.SwaggerUIBundle.presets.apis],
    deepLinking: false,
    // The token lives in this page's memory only, never in localStorage.
    persistAuthorization: false,
    displayRequestDuration: true,
    onComplete: () => markSpecLoaded(),
  });

  const button = document.getElementById('apidoc-get-token');
  const form = document.getElementById('apidoc-sign-in');
  const status = document.getElementById('apidoc-auth-status');
  const errorLine = document.getElementById('apidoc-sign-in-error');
  const submit = form.querySelector('button[type="submit"]');

  function setFormOpen(open) {
    form.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) form.elements.namedItem('user').focus();
  }

  function isSessionToken(body) {
    return (
      typeof body === 'object' &&
      body !== null &&
      typeof body.token === 'string' &&
      typeof body.user === 'string' &&
      typeof body.expirationDate === 'string'
    );
  }

  /** POST /login with kind apidoc; resolves to the session or to the sentence to show. */
  async function signIn(user, password) {
    let response;
    try {
      response = await fetch(LOGIN_URL, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ user, password, kind: 'apidoc' }),
        cache: 'no-store',
      });
    } catch {
      return { ok: false, message: 'Sign-in failed: the server could not be reached.' };
    }
    const body = await response.json().catch(() => null);
    if (response.status === 201 && isSessionToken(body)) return { ok: true, session: body };
    if (response.status === 401)
      return { ok: false, message: 'Sign-in failed: the user name or password is wrong.' };
    const detail =
      body && typeof body.message === 'string' ? body.message : `the server answered ${response.status}.`;
    return { ok: false, message: `Sign-in failed: ${detail}` };
  }

  button.addEventListener('click', () => setFormOpen(form.hidden));
  form.querySelector('.apidoc-cancel').addEventListener('click', () => setFormOpen(false));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const user = form.elements.namedItem('user').value;
    const passwordInput = form.elements.namedItem('password');
    errorLine.textContent = '';
    submit.disabled = true;
    try {
      const result = await signIn(user, passwordInput.value);
      if (!result.ok) {
        errorLine.textContent = result.message;
        return;
      }
      passwordInput.value = '';
      // preauthorizeApiKey needs the security schemes of the loaded document.
      await specLoaded;
      ui.preauthorizeApiKey('fmetoken', `fmetoken token=${result.session.token}`);
      status.textContent = `Signed in as ${result.session.user}, token valid until ${result.session.expirationDate}`;
      setFormOpen(false);
    } finally {
      submit.disabled = false;
    }
  });
})();
