import { createContext, useContext } from 'react';
import type { Me } from './api/types.ts';

/** The signed-in user (the console renders nothing but the login page without one). */
export const SessionContext = createContext<{ me: Me; logout: () => void } | null>(null);

export function useSession(): { me: Me; logout: () => void } {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a session');
  return s;
}

/** Whether this browser signed in before (the session cookie itself is HttpOnly, out of reach). */
export const signedIn = {
  get: (): boolean => localStorage.getItem('siemlink.signedIn') === '1',
  set(on: boolean): void {
    if (on) localStorage.setItem('siemlink.signedIn', '1');
    else localStorage.removeItem('siemlink.signedIn');
  },
};
