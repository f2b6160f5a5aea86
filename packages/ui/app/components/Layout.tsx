import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, NavLink, useNavigate } from 'react-router';
import { api } from '../api.js';
import { useUser } from '../auth.js';

/** The page frame: a skip link, the header with the user's name and logout, and the main region. */
export function Layout({ children }: { children: ReactNode }) {
  const user = useUser();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: () => api.logout(),
    onSettled: () => {
      queryClient.clear();
      void navigate('/login', { replace: true });
    },
  });
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Updraft, DAG list">
          <svg viewBox="0 0 16 16" width="20" height="20" aria-hidden="true">
            <path d="M8 1l6 9H9v5H7v-5H2z" fill="currentColor" />
          </svg>
          Updraft
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            DAGs
          </NavLink>
        </nav>
        <div className="who">
          <span className="user" data-testid="user-name">
            <span aria-hidden="true" className="avatar">
              {user.username.slice(0, 1).toUpperCase()}
            </span>
            {user.username} <span className="role">{user.role}</span>
          </span>
          <button type="button" className="button ghost" onClick={() => logout.mutate()} disabled={logout.isPending}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
