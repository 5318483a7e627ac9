/** The slice of global `fetch` the adapters use; injectable so unit tests never open a socket. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

const MAX_REASON_CHARS = 500;

/** A short reason from an error answer: `reason`, `error` or `message` of a JSON body, else the text. */
export async function answerReason(response: Response): Promise<string> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return response.statusText || `HTTP ${response.status}`;
  }
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['reason', 'error', 'message']) {
      const value = body[key];
      if (typeof value === 'string' && value !== '') return value.slice(0, MAX_REASON_CHARS);
    }
  } catch {
    // not JSON: use the text itself
  }
  return (text.trim() || response.statusText || `HTTP ${response.status}`).slice(0, MAX_REASON_CHARS);
}

/** Statuses worth retrying: the server is busy, failing or timed out. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** A readable description of a fetch failure (timeouts surface as a DOMException named TimeoutError). */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? 'network error'} (${cause})` : (err.message ?? String(error));
}
