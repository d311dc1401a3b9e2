/**
 * Makes text a task wrote safe to print on a terminal: a log line must not be able to move the
 * cursor, clear the screen, set the window title, write the clipboard (OSC 52) or hide what came
 * before it. Every control character (C0 but tab, DEL, C1) is shown in caret or \x notation, so an
 * escape sequence prints as harmless text (`^[[2J`). SGR colour (`ESC [ ... m`) is kept when asked
 * (on a TTY), since it only colours text.
 */
export function neutralizeTerminalText(text: string, options: { keepColour: boolean } = { keepColour: false }): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x1b && options.keepColour) {
      const sgr = SGR.exec(text.slice(i, i + MAX_SGR_LENGTH));
      if (sgr) {
        out += sgr[0];
        i += sgr[0].length - 1;
        continue;
      }
    }
    out += isControl(code) ? visible(code) : text[i];
  }
  return out;
}

/** An SGR sequence: ESC [ digits and semicolons, m. Nothing else ESC starts is let through. */
// eslint-disable-next-line no-control-regex -- matching ESC is the point
const SGR = /^\x1b\[[0-9;]{0,32}m/;
const MAX_SGR_LENGTH = 35;

function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f || (code >= 0x80 && code <= 0x9f);
}

function visible(code: number): string {
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return '^?';
  return `\\x${code.toString(16)}`;
}
