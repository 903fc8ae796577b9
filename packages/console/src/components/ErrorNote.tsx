import { ApiError } from '../api/http.ts';

/** A failed call, said plainly (the API's message names the field and the rule). */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof ApiError
      ? error.status === 403
        ? 'Your role may not do this.'
        : error.message
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}
