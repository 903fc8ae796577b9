import { useMemo } from 'react';
import { marked } from 'marked';
import DOMPurify from 'dompurify';

/**
 * A note's Markdown as HTML: marked renders, DOMPurify strips scripts, handlers and unsafe URLs
 * (the page's CSP refuses inline scripts as a second line). Links open in a new tab without opener.
 */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => {
    const raw = marked.parse(text, { async: false, gfm: true, breaks: true });
    const clean = DOMPurify.sanitize(raw, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'img'] });
    const doc = new DOMParser().parseFromString(clean, 'text/html');
    for (const a of doc.querySelectorAll('a')) {
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', 'noopener noreferrer');
    }
    return doc.body.innerHTML;
  }, [text]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
