import { useEffect, useRef, type ReactNode } from 'react';
import { Link, useRouter } from '../router.tsx';
import { useSession } from '../session.tsx';

const NAV = [
  ['/', 'Incidents'],
  ['/search', 'Log search'],
  ['/rules', 'Rules'],
  ['/events', 'Security events'],
  ['/runs', 'Playbook runs'],
  ['/health', 'Health'],
] as const;

export function Layout({ children }: { children: ReactNode }) {
  const { me, logout } = useSession();
  const { loc } = useRouter();
  const main = useRef<HTMLElement>(null);
  // After a client-side navigation, focus moves to the new page (screen readers and keyboards).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [loc.path]);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">siemlink</span>
        <nav aria-label="Main">
          {NAV.map(([to, label]) => (
            <Link
              key={to}
              to={to}
              className={
                to === '/'
                  ? loc.path === '/' || loc.path.startsWith('/incidents')
                    ? 'active'
                    : ''
                  : loc.path.startsWith(to)
                    ? 'active'
                    : ''
              }
            >
              {label}
            </Link>
          ))}
        </nav>
        <span className="user">
          <span data-testid="whoami">
            {me.username} ({me.role})
          </span>
          <button type="button" className="link" onClick={logout}>
            Log out
          </button>
        </span>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
