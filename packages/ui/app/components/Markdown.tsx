import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { useMemo } from 'react';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// Raw HTML inside the Markdown is shown as text: a report is data written by a task, not markup we trust. Even
// parsing it would make the browser look at its event handlers (and report them against our CSP).
const markdown = new Marked({ gfm: true, async: false, renderer: { html: ({ text }) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c) } });

/**
 * Markdown written by pipelines (reports, DAG docs), rendered to HTML with its raw HTML escaped, then sanitized
 * (DOMPurify) as a second guard: no scripts, no event handlers, no frames, forms or styles.
 */
export default function Markdown({ source, testId }: { source: string; testId?: string }) {
  const html = useMemo(() => {
    const raw = markdown.parse(source) as string;
    return DOMPurify.sanitize(raw, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'iframe', 'object', 'embed'], FORBID_ATTR: ['style'] });
  }, [source]);
  return <div className="markdown" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
