// Each page names itself in the browser's tab and history: "Overview · TradeTwin".
import { useEffect } from 'react';

export function pageTitle(what: string | null): string {
  return what ? `${what} · TradeTwin` : 'TradeTwin';
}

/** Names the tab while the component is shown; undefined: leave it to the page shown. */
export function useDocumentTitle(what: string | null | undefined): void {
  useEffect(() => {
    if (what !== undefined) document.title = pageTitle(what);
  }, [what]);
}
