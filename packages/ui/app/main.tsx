import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Outlet, RouterProvider } from 'react-router';
import { isUnauthorized } from './api.js';
import { RequireLogin } from './auth.js';
import { Layout } from './components/Layout.js';
import { Loading } from './components/ui.js';
import { DagListPage } from './pages/DagListPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { NotFoundPage, RouteError } from './pages/NotFoundPage.js';
import './styles.css';

// The DAG list is the first page; the others load when opened, so the first visit stays small.
const loadDagPage = () => import('./pages/DagPage.js');
const loadRunPage = () => import('./pages/RunPage.js');
const DagPage = lazy(() => loadDagPage().then((m) => ({ default: m.DagPage })));
const RunPage = lazy(() => loadRunPage().then((m) => ({ default: m.RunPage })));
// Opened at a DAG or run address: fetch its page's code while the session is checked, not after.
if (/^\/dags\/[^/]+\/runs\//.test(window.location.pathname)) void loadRunPage();
else if (window.location.pathname.startsWith('/dags/')) void loadDagPage();

// A session that expired while the page was open: back to the login page, which says why.
const onError = (error: unknown) => {
  if (isUnauthorized(error) && !window.location.pathname.startsWith('/login')) {
    window.location.assign(`/login?expired=1&next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
};

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: { staleTime: 10_000, retry: (count, error) => !isUnauthorized(error) && count < 2, refetchOnWindowFocus: false },
  },
});

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  {
    errorElement: <RouteError />,
    element: (
      <RequireLogin>
        <Layout>
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </Layout>
      </RequireLogin>
    ),
    children: [
      { path: '/', element: <DagListPage /> },
      { path: '/dags/:dagId', element: <DagPage /> },
      { path: '/dags/:dagId/runs/:runId', element: <RunPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
