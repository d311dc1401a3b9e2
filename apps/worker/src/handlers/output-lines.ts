import { StringDecoder } from 'node:string_decoder';

/** A line longer than this (a program printing without newlines) is passed on in pieces of this size. */
export const MAX_OUTPUT_LINE_CHARS = 64 * 1024;

/**
 * Cuts a process's output into lines as it comes, for the attempt's log. Bytes are decoded as
 * UTF-8 across chunk boundaries (a character split between two reads stays whole; invalid bytes
 * become U+FFFD), `\r\n` counts as one end of line, and memory stays bounded by the longest piece.
 */
export class OutputLines {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** The current line was cut at a piece boundary, so its newline ends a line already passed on. */
  private cut = false;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.take(this.decoder.write(chunk));
  }

  /** The last line, if the output did not end with a newline. */
  end(): void {
    this.take(this.decoder.end());
    if (this.pending.length > 0) this.emit(this.pending);
    this.pending = '';
  }

  private take(text: string): void {
    if (text.length === 0) return;
    let rest = this.pending + text;
    for (let newline = rest.indexOf('\n'); newline !== -1; newline = rest.indexOf('\n')) {
      this.emit(rest.slice(0, newline));
      rest = rest.slice(newline + 1);
    }
    while (rest.length >= MAX_OUTPUT_LINE_CHARS) {
      this.onLine(rest.slice(0, MAX_OUTPUT_LINE_CHARS));
      rest = rest.slice(MAX_OUTPUT_LINE_CHARS);
      this.cut = true;
    }
    this.pending = rest;
  }

  private emit(line: string): void {
    let text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const closesCutLine = this.cut && text.length === 0;
    this.cut = false;
    if (closesCutLine) return;
    while (text.length > MAX_OUTPUT_LINE_CHARS) {
      this.onLine(text.slice(0, MAX_OUTPUT_LINE_CHARS));
      text = text.slice(MAX_OUTPUT_LINE_CHARS);
    }
    this.onLine(text);
  }
}
