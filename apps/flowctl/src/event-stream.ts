import { ServerUnreachable } from './errors';

/** One Server-Sent Events frame. */
export interface EventFrame {
  id?: string;
  event: string;
  data: string;
}

/**
 * Parses an SSE body into frames as they arrive (the subset servers of flowctl send: `id`,
 * `event`, `data` fields, comments ignored).
 */
export async function* eventFrames(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventFrame> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const frame = parseFrame(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (frame) yield frame;
    }
  }
}

export function parseFrame(block: string): EventFrame | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  let any = false;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') {
      data.push(value);
      any = true;
    }
  }
  return any ? { id, event, data: data.join('\n') } : undefined;
}

/** Opens an SSE stream; the caller reads frames and aborts through `signal`. */
export async function openEventStream(
  fetchImpl: typeof fetch,
  url: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<Response> {
  try {
    return await fetchImpl(url, { headers: { accept: 'text/event-stream', ...headers }, signal });
  } catch (error) {
    throw new ServerUnreachable(new URL(url).origin, (error as Error).message);
  }
}
