import { Link, useRouteError } from 'react-router';
import { errorText } from '../api.js';

/** Any path the app does not know. */
export function NotFoundPage() {
  return (
    <div className="page narrow">
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <Link to="/">Back to the DAGs</Link>
      </p>
    </div>
  );
}

/** What a page that crashed shows instead of going blank: the error in words and a way back. */
export function RouteError() {
  const error = useRouteError();
  return (
    <main className="page narrow" id="main">
      <h1>This page failed</h1>
      <div className="error" role="alert">
        <p>{errorText(error)}</p>
      </div>
      <p>
        <a href="/">Back to the DAGs</a> or reload the page.
      </p>
    </main>
  );
}
