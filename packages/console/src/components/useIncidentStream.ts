import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';

/**
 * Listens to `/api/incidents/stream` (Server-Sent Events) and refreshes every incident query
 * when fetch runs or backfills bring new incidents. Returns how many arrived since the page opened.
 */
export function useIncidentStream(): number {
  const qc = useQueryClient();
  const [arrived, setArrived] = useState(0);
  useEffect(() => {
    const source = new EventSource('/api/incidents/stream');
    const onIncidents = (e: MessageEvent<string>) => {
      try {
        const data = JSON.parse(e.data) as { ids?: string[] };
        setArrived((n) => n + (data.ids?.length || 1));
      } catch {
        setArrived((n) => n + 1);
      }
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      void qc.invalidateQueries({ queryKey: ['health'] });
    };
    source.addEventListener('incidents', onIncidents);
    return () => {
      source.removeEventListener('incidents', onIncidents);
      source.close();
    };
  }, [qc]);
  return arrived;
}
