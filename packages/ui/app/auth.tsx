import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { CurrentUser, Role } from '../src/api/types.js';
import { api, isUnauthorized } from './api.js';
import { ErrorMessage, Loading } from './components/ui.js';

const UserContext = createContext<CurrentUser | null>(null);

const RANK: Record<Role, number> = { viewer: 0, op: 1, admin: 2 };

/** The logged-in user (inside `RequireLogin`). */
export function useUser(): CurrentUser {
  const user = useContext(UserContext);
  if (!user) throw new Error('useUser outside RequireLogin');
  return user;
}

/** Whether the user may do what needs `role`: buttons a user may not use are not shown. */
export function useCan(role: Role): boolean {
  return RANK[useUser().role] >= RANK[role];
}

/** Shows its children to a logged-in user, and the login page to anyone else. */
export function RequireLogin({ children }: { children: ReactNode }) {
  const location = useLocation();
  const me = useQuery({ queryKey: ['me'], queryFn: () => api.me(), retry: false, staleTime: 60_000 });
  if (me.isPending) return <Loading label="Checking your session" />;
  if (me.isError) {
    if (isUnauthorized(me.error)) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
    return <ErrorMessage error={me.error} retry={() => void me.refetch()} />;
  }
  return <UserContext.Provider value={me.data}>{children}</UserContext.Provider>;
}
