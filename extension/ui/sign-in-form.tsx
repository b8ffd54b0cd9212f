// Sign in with user name and password (a web session), or paste an API token instead.
import { useEffect, useRef } from 'preact/hooks';

export interface SignInFormProps {
  mode: 'password' | 'token';
  user: string;
  password: string;
  token: string;
  busy: boolean;
  error: string | null;
  onMode: (mode: 'password' | 'token') => void;
  onUser: (value: string) => void;
  onPassword: (value: string) => void;
  onToken: (value: string) => void;
  onSubmit: () => void;
}

export function SignInForm(props: SignInFormProps) {
  const byPassword = props.mode === 'password';
  const first = useRef<HTMLInputElement>(null);
  // The first field takes the focus when the form opens and when the mode changes.
  useEffect(() => first.current?.focus(), [props.mode]);
  return (
    <form
      class="sign-in"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      {byPassword ? (
        <>
          <label for="sign-in-user">User name</label>
          <input
            id="sign-in-user"
            ref={first}
            autocomplete="username"
            spellcheck={false}
            value={props.user}
            onInput={(event) => props.onUser(event.currentTarget.value)}
          />
          <label for="sign-in-password">Password</label>
          <input
            id="sign-in-password"
            type="password"
            autocomplete="current-password"
            value={props.password}
            onInput={(event) => props.onPassword(event.currentTarget.value)}
          />
        </>
      ) : (
        <>
          <label for="sign-in-token">API token</label>
          <input
            id="sign-in-token"
            ref={first}
            type="password"
            autocomplete="off"
            spellcheck={false}
            placeholder="40 hexadecimal characters"
            value={props.token}
            onInput={(event) => props.onToken(event.currentTarget.value)}
          />
        </>
      )}
      {props.error && (
        <p class="form-error" role="alert">
          {props.error}
        </p>
      )}
      <div class="row spread">
        <button type="submit" disabled={props.busy}>
          {props.busy ? 'Signing in…' : byPassword ? 'Sign in' : 'Use token'}
        </button>
        <button type="button" class="link" onClick={() => props.onMode(byPassword ? 'token' : 'password')}>
          {byPassword ? 'Use an API token instead' : 'Sign in with a password instead'}
        </button>
      </div>
      <p class="hint">
        {byPassword
          ? 'The password is sent once to start a session; tokenward never stores it.'
          : 'The token is kept in this browser session only.'}
      </p>
    </form>
  );
}
