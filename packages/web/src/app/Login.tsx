// The dashboard's login: a member of the node's organisation signs in with a
// username and password; the node answers with an HttpOnly session cookie
// (SameSite=Strict) and a CSRF token cookie the client echoes on changes.
import { useEffect, useState } from 'react';
import { csrfToken } from '../api/client.js';

export type SessionState = { kind: 'checking' } | { kind: 'in'; name: string; role: string } | { kind: 'out' };

/** Whether this browser holds a session on the node. */
export function useSession(): [SessionState, (s: SessionState) => void] {
  // No CSRF cookie (set with the session at login, same lifetime): no session to ask about, and no
  // request the node would refuse — a public visitor's page stays free of 401s.
  const [s, setS] = useState<SessionState>(csrfToken() === undefined ? { kind: 'out' } : { kind: 'checking' });
  useEffect(() => {
    if (csrfToken() === undefined) return;
    let live = true;
    fetch('/api/v1/auth/session', { headers: { accept: 'application/json' } }).then(
      async (res) => {
        if (!live) return;
        if (!res.ok) return setS({ kind: 'out' });
        const p = (await res.json()) as { name: string; role: string | null };
        setS({ kind: 'in', name: p.name, role: p.role ?? 'credential' });
      },
      () => live && setS({ kind: 'out' }),
    );
    return () => {
      live = false;
    };
  }, []);
  return [s, setS];
}

export function LoginPage({ onIn }: { onIn: (s: SessionState) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <div className="card" style={{ maxWidth: 420, margin: '2rem auto' }} data-testid="login">
      <h1>Sign in</h1>
      <p className="muted small">
        The dashboard is for members of this node's organisation. Anyone can check a reading on the{' '}
        <a href="/verify">verify page</a> without signing in.
      </p>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            const res = await fetch('/api/v1/auth/login', {
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json' },
              body: JSON.stringify({ username, password }),
            });
            const body = (await res.json()) as { name?: string; role?: string; detail?: string };
            if (!res.ok) throw new Error(body.detail ?? `sign-in failed (${res.status})`);
            onIn({ kind: 'in', name: body.name ?? username, role: body.role ?? 'viewer' });
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </div>
  );
}
