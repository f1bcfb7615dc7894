import { useState } from 'preact/hooks';
import { callApi } from '../api';

/** The admin token, once: the server answers with an HttpOnly session cookie. */
export function SignIn(props: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const answer = await callApi('POST', '/admin/login', { token });
    setBusy(false);
    if (!answer.ok) {
      setError(answer.error.message);
      return;
    }
    setToken('');
    props.onSignedIn();
  };
  return (
    <main class="sign-in">
      <form class="card" onSubmit={submit}>
        <h1>Data Connectors admin</h1>
        <p class="hint">Sign in with the server's admin token (ADMIN_TOKEN).</p>
        <label for="token">Admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          required
          autoFocus
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button button-primary" disabled={busy || token === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
