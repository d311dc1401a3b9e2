import { neutralizeTerminalText } from './terminal-text';

describe('neutralizeTerminalText', () => {
  it('leaves ordinary text, tabs and non-ASCII alone', () => {
    expect(neutralizeTerminalText('a\tb ünïcode ✓')).toBe('a\tb ünïcode ✓');
  });

  it('shows cursor movement, screen clearing and carriage returns as harmless text', () => {
    expect(neutralizeTerminalText('\x1b[2J\x1b[H\rhidden')).toBe('^[[2J^[[H^Mhidden');
    expect(neutralizeTerminalText('up\x1b[1A')).toBe('up^[[1A');
  });

  it('shows OSC sequences (title, clipboard, hyperlinks) and 8-bit CSI as text', () => {
    expect(neutralizeTerminalText('\x1b]0;pwned\x07')).toBe('^[]0;pwned^G');
    expect(neutralizeTerminalText('\x1b]52;c;ZXZpbA==\x1b\\')).toBe('^[]52;c;ZXZpbA==^[\\');
    expect(neutralizeTerminalText('\x9b2J')).toBe('\\x9b2J');
  });

  it('keeps SGR colour only when asked, and nothing else that starts with ESC', () => {
    const coloured = '\x1b[31mred\x1b[0m';
    expect(neutralizeTerminalText(coloured, { keepColour: true })).toBe(coloured);
    expect(neutralizeTerminalText(coloured)).toBe('^[[31mred^[[0m');
    expect(neutralizeTerminalText('\x1b[2J', { keepColour: true })).toBe('^[[2J');
  });
});
