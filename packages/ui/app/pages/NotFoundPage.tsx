import { Link } from 'react-router';

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
