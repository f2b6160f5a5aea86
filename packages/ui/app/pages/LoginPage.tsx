import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../src/api/errors.js';
import { api, errorText } from '../api.js';

/** Username and password, traded for the cookie session. */
export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const next = params.get('next');
  const login = useMutation({
    mutationFn: () => api.login(username, password),
    onSuccess: (r) => {
      queryClient.setQueryData(['me'], { username: r.username, role: r.role });
      // Only paths of this app: a `next` pointing elsewhere would make the login page an open redirect.
      void navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="login-brand" aria-hidden="true">
          <svg viewBox="0 0 16 16" width="36" height="36">
            <path d="M8 1l6 9H9v5H7v-5H2z" fill="currentColor" />
          </svg>
        </div>
        <h1 id="login-title">Sign in to Updraft</h1>
        {params.get('expired') && !login.isError && <p className="notice">Your session ended: please sign in again.</p>}
        {login.isError && (
          <p className="error-text" role="alert">
            {/* The server's words ("Invalid username or password"), without the "Not logged in" every 401 carries. */}
            {login.error instanceof ApiError ? login.error.detail : errorText(login.error)}
          </p>
        )}
        <label>
          Username
          <input name="username" autoComplete="username" required autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" className="button primary wide" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">The first start of <code>updraft standalone</code> prints the admin password.</p>
      </form>
    </main>
  );
}
